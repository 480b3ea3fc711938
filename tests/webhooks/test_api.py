"""/api/v1/webhooks/: for Systems Admin only, with a token or the session and its CSRF
token; the secret shown once; list, change, pause, delete, rotate, ping, deliveries and
redeliver."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client, override_settings

from portico.parties.models import Individual
from portico.webhooks.models import Delivery, Subscription
from tests.api.conftest import bearer, make_token, user_of
from tests.conftest import PASSWORD, PERSONAS
from tests.webhooks.conftest import Receiver, admin, send_due

JSON = "application/json"
URL = "/api/v1/webhooks/"


@pytest.fixture
def api_for(demo_data: None) -> Callable[[str], Client]:
    """A client that calls the API with a persona's own token."""
    return lambda key: bearer(make_token(user_of(key)))


@pytest.fixture
def admin_api(api_for: Callable[[str], Client]) -> Client:
    return api_for("administrator")


def _create(client: Client, receiver: Receiver, events: list[str] | None = None) -> dict:  # type: ignore[type-arg]
    answer = client.post(
        URL,
        {"url": receiver.url, "events": events or ["transaction.created", "note.added"]},
        content_type=JSON,
    )
    assert answer.status_code == 201, answer.content
    return answer.json()  # type: ignore[no-any-return]


def test_create_answers_201_with_the_secret_once(admin_api: Client, receiver: Receiver) -> None:
    made = _create(admin_api, receiver, ["note.added", "transaction.created"])
    row = Subscription.objects.get(pk=made["id"])
    assert made["secret"] == row.secret
    assert made["secret"].startswith("whsec_")
    # Kept in the registry's order.
    assert made["events"] == ["transaction.created", "note.added"]
    assert made["owner"]["name"] == "Graham Stewart"
    listed = admin_api.get(URL).json()
    assert [s["id"] for s in listed] == [row.pk]
    assert "secret" not in listed[0]
    assert "secret" not in admin_api.get(f"{URL}{row.pk}/").json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "http://hooks.example.com/x", "events": ["*"]}, "url"),
        ({"url": "https://10.0.0.1/x", "events": ["*"]}, "url"),
        ({"url": "https://hooks.example.com/x", "events": []}, "events"),
        ({"url": "https://hooks.example.com/x", "events": ["transaction.eaten"]}, "events.0"),
        ({"events": ["*"]}, "url"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    admin_api: Client,
    body: dict[str, object],
    field: str,
) -> None:
    with override_settings(PORTICO_WEBHOOK_ALLOWED_HOSTS=[]):
        answer = admin_api.post(URL, body, content_type=JSON)
    assert answer.status_code == 400
    assert field in answer.json()["errors"]
    assert not Subscription.objects.exists()


def test_change_pause_resume_and_delete(admin_api: Client, receiver: Receiver) -> None:
    made = _create(admin_api, receiver)
    one = f"{URL}{made['id']}/"
    changed = admin_api.patch(one, {"events": ["*"]}, content_type=JSON)
    assert changed.status_code == 200
    assert changed.json()["events"] == ["*"]
    paused = admin_api.patch(one, {"active": False}, content_type=JSON).json()
    assert (paused["active"], paused["paused_reason"]) == (False, "Paused through the API.")
    assert admin_api.patch(one, {"active": True}, content_type=JSON).json()["active"] is True
    refused = admin_api.patch(one, {"url": "https://192.168.1.4/x"}, content_type=JSON)
    assert refused.status_code == 400
    assert Subscription.objects.get(pk=made["id"]).url == receiver.url
    assert admin_api.delete(one).status_code == 204
    assert admin_api.get(one).status_code == 404


def test_rotate_ping_deliveries_and_redeliver(admin_api: Client, receiver: Receiver) -> None:
    made = _create(admin_api, receiver)
    one = f"{URL}{made['id']}/"
    rotated = admin_api.post(f"{one}rotate-secret/").json()
    assert rotated["secret"] != made["secret"]
    receiver.answers = [500]
    pinged = admin_api.post(f"{one}ping/")
    assert pinged.status_code == 202
    assert pinged.json()["event"] == "webhook.ping"
    send_due()
    [got] = receiver.received
    assert got.signed_with(rotated["secret"])
    assert not got.signed_with(made["secret"])
    assert got.json["data"]["subscription"] == made["id"]
    [listed] = admin_api.get(f"{one}deliveries/").json()
    assert (listed["state"], listed["last_status"], listed["attempts"]) == ("pending", 500, 1)
    assert listed["delivery_id"] == got.headers["X-Portico-Delivery"]
    again = admin_api.post(f"{one}deliveries/{listed['id']}/redeliver/")
    assert again.status_code == 202
    send_due()
    assert receiver.received[1].headers["X-Portico-Delivery"] == listed["delivery_id"]
    [listed] = admin_api.get(f"{one}deliveries/").json()
    assert (listed["state"], listed["last_status"]) == ("succeeded", 200)
    # Another subscription's delivery is not found through this one.
    other = _create(admin_api, receiver)
    wrong = admin_api.post(f"{URL}{other['id']}/deliveries/{listed['id']}/redeliver/")
    assert wrong.status_code == 404


@pytest.mark.parametrize("key", ["csr", "supervisor", "technician", "customer", "partner"])
def test_everyone_without_systems_admin_is_refused(
    api_for: Callable[[str], Client], key: str, receiver: Receiver
) -> None:
    theirs = Subscription.objects.create(
        owner=admin(), url="https://hooks.example.com/x", events=["*"]
    )
    delivery = Delivery.objects.create(subscription=theirs, event_name="webhook.ping", body="{}")
    client = api_for(key)
    one = f"{URL}{theirs.pk}/"
    answers = [
        client.get(URL),
        client.post(URL, {"url": receiver.url, "events": ["*"]}, content_type=JSON),
        client.get(one),
        client.patch(one, {"active": False}, content_type=JSON),
        client.delete(one),
        client.post(f"{one}rotate-secret/"),
        client.post(f"{one}ping/"),
        client.get(f"{one}deliveries/"),
        client.post(f"{one}deliveries/{delivery.pk}/redeliver/"),
    ]
    assert [a.status_code for a in answers] == [403] * len(answers)
    assert answers[0].json()["type"] == "permission_denied"
    theirs.refresh_from_db()
    assert theirs.active
    assert Subscription.objects.count() == 1
    assert not Delivery.objects.exclude(pk=delivery.pk).exists()


def test_anonymous_is_told_to_authenticate(client: Client, db: None) -> None:
    assert client.get(URL).status_code == 401


def test_only_the_owner_points_it_elsewhere_or_rotates_it(
    admin_api: Client, receiver: Receiver
) -> None:
    # Another administrator's subscription: sent what *they* may see.
    csr = Individual.objects.get(email=PERSONAS["csr"].email)
    theirs = Subscription.objects.create(owner=csr, url=receiver.url, events=["*"])
    one = f"{URL}{theirs.pk}/"
    assert (
        admin_api.patch(one, {"url": "https://evil.example/x"}, content_type=JSON).status_code
        == 403
    )
    assert admin_api.patch(one, {"events": ["note.added"]}, content_type=JSON).status_code == 403
    assert admin_api.post(f"{one}rotate-secret/").status_code == 403
    theirs.refresh_from_db()
    assert (theirs.url, theirs.events) == (receiver.url, ["*"])
    # Pausing it (an endpoint misbehaving) is any administrator's to do.
    assert admin_api.patch(one, {"active": False}, content_type=JSON).status_code == 200


def test_the_session_needs_its_csrf_token(demo_data: None, receiver: Receiver) -> None:
    client = Client(enforce_csrf_checks=True)
    csrf = client.get("/accounts/login/").cookies["csrftoken"].value
    client.post(
        "/accounts/login/",
        {
            "login": PERSONAS["administrator"].email,
            "password": PASSWORD,
            "csrfmiddlewaretoken": csrf,
        },
    )
    body = {"url": receiver.url, "events": ["*"]}
    assert client.get(URL).status_code == 200
    assert client.post(URL, body, content_type=JSON).status_code == 403
    csrf = client.cookies["csrftoken"].value
    made = client.post(URL, body, content_type=JSON, headers={"X-CSRFToken": csrf})
    assert made.status_code == 201
    assert made.json()["secret"]
