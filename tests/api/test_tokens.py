"""Personal access tokens: made and revoked by their owner, the secret shown once and
stored only as a hash; revoked, expired and left people's tokens answer 401."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.test import Client
from django.utils import timezone

from portico.api.models import ApiToken
from portico.api.services import hash_secret
from portico.parties.services import deactivate_individual
from tests.api.conftest import bearer, make_token, user_of

JSON = "application/json"


def _in(days: int) -> str:
    return (timezone.now() + datetime.timedelta(days=days)).isoformat()


def test_a_person_makes_a_token_while_logged_in_and_sees_its_secret_once(
    client_for: Callable[[str], Client],
) -> None:
    session = client_for("customer")
    made = session.post(
        "/api/v1/tokens/", {"name": "My script", "expires_at": _in(30)}, content_type=JSON
    )
    assert made.status_code == 201
    secret = made.json()["token"]
    assert secret.startswith("portico_")
    assert len(secret) > 40
    assert made.json()["prefix"] == secret[len("portico_") :][:8]

    # Only the hash is kept: the secret is in no column of the row.
    row = ApiToken.objects.get(pk=made.json()["id"])
    assert row.key_hash == hash_secret(secret)
    assert all(secret not in str(getattr(row, f.attname)) for f in ApiToken._meta.concrete_fields)

    listed = session.get("/api/v1/tokens/").json()
    assert [t["name"] for t in listed] == ["My script"]
    assert "token" not in listed[0]
    assert secret not in str(listed)

    me = bearer(secret).get("/api/v1/tokens/")
    assert me.status_code == 200
    assert me.json()[0]["last_used_at"] is not None


def test_a_token_cannot_make_another(demo_data: None) -> None:
    answer = bearer(make_token(user_of("csr"))).post(
        "/api/v1/tokens/", {"name": "More", "expires_at": _in(30)}, content_type=JSON
    )
    assert answer.status_code == 403
    assert answer.json()["type"] == "permission_denied"


def test_a_token_lives_at_most_a_year(client_for: Callable[[str], Client]) -> None:
    session = client_for("csr")
    too_long = session.post(
        "/api/v1/tokens/", {"name": "Forever", "expires_at": _in(366)}, content_type=JSON
    )
    assert too_long.status_code == 400
    assert "expires_at" in too_long.json()["errors"]
    past = session.post(
        "/api/v1/tokens/", {"name": "Old", "expires_at": _in(-1)}, content_type=JSON
    )
    assert past.status_code == 400
    missing = session.post("/api/v1/tokens/", {"name": "No expiry"}, content_type=JSON)
    assert missing.status_code == 400
    assert missing.json()["errors"]["expires_at"]


def test_a_revoked_token_gets_401(demo_data: None) -> None:
    secret = make_token(user_of("csr"))
    client = bearer(secret)
    token = ApiToken.objects.get(key_hash=hash_secret(secret))
    assert client.delete(f"/api/v1/tokens/{token.pk}/").status_code == 204
    answer = client.get("/api/v1/transactions/")
    assert answer.status_code == 401
    assert answer.json()["type"] == "authentication_failed"
    assert answer["WWW-Authenticate"].startswith("Bearer")
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_an_expired_token_gets_401(demo_data: None) -> None:
    secret = make_token(user_of("customer"))
    client = bearer(secret)
    assert client.get("/api/v1/transactions/").status_code == 200
    ApiToken.objects.filter(key_hash=hash_secret(secret)).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    answer = client.get("/api/v1/transactions/")
    assert answer.status_code == 401
    assert answer.json()["errors"] == {}


def test_a_person_who_leaves_loses_their_tokens_at_once(demo_data: None) -> None:
    user = user_of("colleague")
    client = bearer(make_token(user))
    assert client.get("/api/v1/transactions/").status_code == 200
    deactivate_individual(individual=user.individual, actor=None)
    assert client.get("/api/v1/transactions/").status_code == 401


def test_unknown_and_malformed_tokens_get_401(demo_data: None) -> None:
    for header in ("Bearer portico_nothing", "Bearer", "Bearer a b", "Bearer é"):
        answer = Client(headers={"Authorization": header}).get("/api/v1/transactions/")
        assert answer.status_code == 401, header
        assert answer.json()["type"] == "authentication_failed"


def test_nobody_revokes_someone_elses_token(demo_data: None) -> None:
    theirs = ApiToken.objects.get(key_hash=hash_secret(make_token(user_of("customer"))))
    answer = bearer(make_token(user_of("administrator"))).delete(f"/api/v1/tokens/{theirs.pk}/")
    assert answer.status_code == 404
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None


def test_the_session_needs_its_csrf_token_for_changes(demo_data: None) -> None:
    from tests.conftest import PASSWORD, PERSONAS

    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/")
    csrf = page.cookies["csrftoken"].value
    client.post(
        "/accounts/login/",
        {"login": PERSONAS["csr"].email, "password": PASSWORD, "csrfmiddlewaretoken": csrf},
    )
    assert client.get("/api/v1/tokens/").status_code == 200
    refused = client.post("/api/v1/tokens/", {"name": "x", "expires_at": _in(3)}, content_type=JSON)
    assert refused.status_code == 403
    assert refused.json()["type"] == "permission_denied"
    csrf = client.cookies["csrftoken"].value
    made = client.post(
        "/api/v1/tokens/",
        {"name": "x", "expires_at": _in(3)},
        content_type=JSON,
        headers={"X-CSRFToken": csrf},
    )
    assert made.status_code == 201
