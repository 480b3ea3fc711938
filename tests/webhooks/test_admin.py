"""Webhooks in Systems Admin: subscribe (the secret shown once), change, pause and
resume, rotate, ping; the deliveries with their answers, and redeliver."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from portico.parties.models import Individual
from portico.webhooks.models import Delivery, Subscription
from tests.conftest import PERSONAS
from tests.webhooks.conftest import Receiver, admin, send_due

ADMIN = "/admin/webhooks/"


def _action(client: Client, model: str, action: str, *ids: int) -> str:
    answer = client.post(
        f"{ADMIN}{model}/",
        {"action": action, "_selected_action": [str(i) for i in ids]},
        follow=True,
    )
    assert answer.status_code == 200
    return answer.content.decode()


def test_subscribe_in_systems_admin_shows_the_secret_once(
    client_for: Callable[[str], Client], receiver: Receiver
) -> None:
    client = client_for("administrator")
    made = client.post(
        f"{ADMIN}subscription/add/",
        {"url": receiver.url, "events": ["transaction.created", "note.added"]},
        follow=True,
    )
    row = Subscription.objects.get()
    assert row.owner == admin()
    assert row.events == ["transaction.created", "note.added"]
    assert row.secret in made.content.decode()
    assert row.secret not in client.get(f"{ADMIN}subscription/").content.decode()
    assert row.secret not in client.get(f"{ADMIN}subscription/{row.pk}/change/").content.decode()


def test_a_refused_url_is_said_in_the_form(client_for: Callable[[str], Client]) -> None:
    answer = client_for("administrator").post(
        f"{ADMIN}subscription/add/", {"url": "https://169.254.169.254/x", "events": ["*"]}
    )
    assert answer.status_code == 200
    assert "link-local" in answer.content.decode()
    assert not Subscription.objects.exists()


def test_actions_rotate_ping_pause_resume_and_redeliver(
    client_for: Callable[[str], Client], subscription: Subscription, receiver: Receiver
) -> None:
    client = client_for("administrator")
    old = subscription.secret
    page = _action(client, "subscription", "rotate_secrets", subscription.pk)
    subscription.refresh_from_db()
    assert subscription.secret != old
    assert subscription.secret in page
    _action(client, "subscription", "send_ping", subscription.pk)
    receiver.answers = [502]
    send_due()
    row = Delivery.objects.get()
    listed = client.get(f"{ADMIN}delivery/?subscription__id__exact={subscription.pk}")
    assert "webhook.ping" in listed.content.decode()
    assert "502" in listed.content.decode()
    _action(client, "delivery", "redeliver", row.pk)
    send_due()
    row.refresh_from_db()
    assert row.state == "succeeded"
    assert len(receiver.received) == 2
    _action(client, "subscription", "pause_subscriptions", subscription.pk)
    subscription.refresh_from_db()
    assert not subscription.active
    _action(client, "subscription", "resume_subscriptions", subscription.pk)
    subscription.refresh_from_db()
    assert subscription.active


def test_another_administrators_subscription_cannot_be_pointed_elsewhere(
    client_for: Callable[[str], Client], receiver: Receiver
) -> None:
    csr = Individual.objects.get(email=PERSONAS["csr"].email)
    theirs = Subscription.objects.create(owner=csr, url=receiver.url, events=["*"])
    client = client_for("administrator")
    client.post(
        f"{ADMIN}subscription/{theirs.pk}/change/",
        {"url": "https://evil.example/x", "events": ["note.added"]},
    )
    page = _action(client, "subscription", "rotate_secrets", theirs.pk)
    assert "only its owner may rotate it" in page
    fresh = Subscription.objects.get(pk=theirs.pk)
    assert (fresh.url, fresh.events, fresh.secret) == (receiver.url, ["*"], theirs.secret)


def test_people_without_systems_admin_are_refused(
    client_for: Callable[[str], Client], subscription: Subscription
) -> None:
    for key in ("csr", "supervisor", "customer"):
        client = client_for(key)
        assert client.get(f"{ADMIN}subscription/").status_code == 403
        assert client.get(f"{ADMIN}delivery/").status_code == 403
