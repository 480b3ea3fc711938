"""Personal API tokens made and revoked by the person on their portal profile page: the
secret is shown once, in the response that makes the token, and kept nowhere."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from portico.api.models import ApiToken
from portico.api.services import hash_secret
from portico.audit.models import Event
from tests.api.conftest import make_token
from tests.portal.conftest import page, user

TASKS = "/api/v1/tasks/"
SECRET = re.compile(r'id="new-token-secret" value="(portico_[^"]+)"')


def in_days(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def make(client: Client, url: str, *, name: str = "nightly export", days: int = 30) -> str:
    """Make a token through the page; its secret, read from the response."""
    response = client.post(url, {"token-name": name, "token-expires_at": in_days(days)})
    assert response.status_code == 200, page(response)
    assert "no-store" in response["Cache-Control"]
    html = page(response)
    assert "it will not be shown again" in html
    found = SECRET.search(html)
    assert found is not None
    return found.group(1)


def api_status(secret: str) -> int:
    return Client(headers={"Authorization": f"Bearer {secret}"}).get(TASKS).status_code


def assert_kept_nowhere(client: Client, secret: str, profile_url: str) -> None:
    """Only the hash is stored; the secret is in no row, no audit event, no session and
    no later page."""
    token = ApiToken.objects.get(key_hash=hash_secret(secret))
    for value in ApiToken.objects.values_list("name", "prefix", "key_hash", named=False).iterator():
        assert all(secret not in str(field) for field in value)
    assert secret[len("portico_") :][:8] == token.prefix
    for event in Event.objects.all():
        assert secret not in str(event.data)
    assert all(secret not in str(v) for v in client.session.values())
    assert secret not in page(client.get(profile_url))


def test_the_profile_offers_api_tokens(client_for: Callable[[str], Client]) -> None:
    html = page(client_for("customer").get("/portal/profile/"))
    assert '<h2 id="api-tokens-heading">API tokens</h2>' in html
    assert 'href="/api/v1/docs/"' in html
    assert 'action="/portal/profile/tokens/"' in html
    assert f'name="token-expires_at" value="{in_days(90)}"' in html  # 90 days by default
    assert '<label for="id_token-name">' in html
    assert html.count("<h1") == 1


def test_make_use_and_revoke_a_token(client_for: Callable[[str], Client]) -> None:
    client = client_for("customer")
    secret = make(client, "/portal/profile/tokens/")
    assert api_status(secret) == 200
    assert_kept_nowhere(client, secret, "/portal/profile/")

    token = ApiToken.objects.get(owner=user("customer"))
    html = page(client.get("/portal/profile/"))
    assert f"{token.prefix}…" in html
    assert f'action="/portal/profile/tokens/{token.pk}/revoke/"' in html

    response = client.post(f"/portal/profile/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert response["Location"] == "/portal/profile/#api-tokens"
    assert api_status(secret) == 401
    html = page(client.get("/portal/profile/"))
    assert "The token “nightly export” is revoked." in html
    assert f'action="/portal/profile/tokens/{token.pk}/revoke/"' not in html  # no button
    assert Event.objects.filter(action="api_token.revoked").count() == 1


def test_the_contact_form_still_posts_to_the_profile(client_for: Callable[[str], Client]) -> None:
    client = client_for("customer")
    response = client.post(
        "/portal/profile/tokens/", {"token-name": "ci", "token-expires_at": in_days(10)}
    )
    assert 'action="/portal/profile/" class="panel"' in page(response)


@pytest.mark.parametrize(
    ("name", "days", "field", "message"),
    [
        ("", 30, "name", "Name the token, e.g. after the script that uses it."),
        ("x" * 81, 30, "name", "The name is at most 80 characters."),
        ("ci", 400, "expires_at", "A token lives at most a year; choose an earlier expiry."),
        ("ci", 0, "expires_at", "The expiry time must be in the future."),
        ("ci", -3, "expires_at", "The expiry time must be in the future."),
    ],
)
def test_the_services_rules_are_shown_on_the_fields(
    client_for: Callable[[str], Client], name: str, days: int, field: str, message: str
) -> None:
    response = client_for("customer").post(
        "/portal/profile/tokens/", {"token-name": name, "token-expires_at": in_days(days)}
    )
    assert response.status_code == 400
    html = page(response)
    assert message in html
    assert f'<ul class="errorlist" id="id_token-{field}_error">' in html
    assert 'id="new-token-secret"' not in html
    assert not ApiToken.objects.exists()


def test_a_year_ahead_is_allowed(client_for: Callable[[str], Client]) -> None:
    make(client_for("customer"), "/portal/profile/tokens/", days=365)


def test_a_missing_expiry_is_an_error(client_for: Callable[[str], Client]) -> None:
    response = client_for("customer").post("/portal/profile/tokens/", {"token-name": "ci"})
    assert response.status_code == 400
    assert "Choose the day the token expires." in page(response)
    assert not ApiToken.objects.exists()


def test_another_persons_token_is_not_found(client_for: Callable[[str], Client]) -> None:
    theirs = make_token(user("colleague"))
    token = ApiToken.objects.get(key_hash=hash_secret(theirs))
    response = client_for("customer").post(f"/portal/profile/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    assert api_status(theirs) == 200
    html = page(client_for("customer").get("/portal/profile/"))
    assert token.prefix not in html  # nor listed


def test_revoking_needs_a_post(client_for: Callable[[str], Client]) -> None:
    client = client_for("customer")
    secret = make(client, "/portal/profile/tokens/")
    token = ApiToken.objects.get(key_hash=hash_secret(secret))
    assert client.get(f"/portal/profile/tokens/{token.pk}/revoke/").status_code == 405
    assert client.get("/portal/profile/tokens/").status_code == 405
    assert api_status(secret) == 200


@pytest.mark.parametrize(
    ("key", "prefix"), [("partner", "/partners/"), ("employee", "/employees/")]
)
def test_every_portal_has_the_section(
    client_for: Callable[[str], Client], key: str, prefix: str
) -> None:
    client = client_for(key)
    secret = make(client, f"{prefix}profile/tokens/")
    assert api_status(secret) == 200
    token = ApiToken.objects.get(owner=user(key))
    assert client.post(f"{prefix}profile/tokens/{token.pk}/revoke/").status_code == 302
    assert api_status(secret) == 401


def test_another_portals_token_pages_are_closed(client_for: Callable[[str], Client]) -> None:
    response = client_for("customer").post(
        "/partners/profile/tokens/", {"token-name": "ci", "token-expires_at": in_days(10)}
    )
    assert response.status_code == 403
    assert not ApiToken.objects.exists()


def test_the_header_links_to_my_profile(client_for: Callable[[str], Client]) -> None:
    html = page(client_for("customer").get("/portal/"))
    assert '<a class="profile-link" href="/portal/profile/">My profile</a>' in html
    html = page(client_for("partner").get("/partners/profile/"))
    assert 'href="/partners/profile/" aria-current="page">My profile</a>' in html
