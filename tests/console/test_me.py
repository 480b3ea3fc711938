"""The staff's own profile in the console: the contact details judged as in the portals,
and the same API tokens section."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from portico.api.models import ApiToken
from portico.api.services import hash_secret
from tests.api.conftest import make_token
from tests.conftest import PERSONAS
from tests.portal.conftest import page, user
from tests.portal.test_profile import DETAILS
from tests.portal.test_tokens import api_status, assert_kept_nowhere, in_days, make

ME = "/console/profile/"


def test_the_page_shows_my_details_and_tokens(client_for: Callable[[str], Client]) -> None:
    me = PERSONAS["csr"].individual
    html = page(client_for("csr").get(ME))
    assert f'name="first_name" value="{me.first_name}"' in html
    assert '<h2 id="api-tokens-heading">API tokens</h2>' in html
    assert 'action="/console/profile/tokens/"' in html
    assert html.count("<h1") == 1
    assert '<a class="profile-link" href="/console/profile/" aria-current="page">' in html


def test_the_header_links_staff_to_the_console_profile(
    client_for: Callable[[str], Client],
) -> None:
    html = page(client_for("supervisor").get("/console/"))
    assert '<a class="profile-link" href="/console/profile/">My profile</a>' in html


def test_saving_changes_my_details(client_for: Callable[[str], Client]) -> None:
    response = client_for("csr").post(ME, DETAILS)
    assert response.status_code == 302
    assert response["Location"] == ME
    me = PERSONAS["csr"].individual
    assert (me.last_name, me.job_title, me.mobile) == (
        "Grant-Smith",
        "Head of operations",
        "07700 900123",
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("first_name", ""), ("phone", "call reception"), ("mobile", "123")],
)
def test_mistakes_are_the_same_as_in_the_portal(
    client_for: Callable[[str], Client], field: str, value: str
) -> None:
    before = PERSONAS["csr"].individual
    console = client_for("csr").post(ME, {**DETAILS, field: value})
    portal = client_for("customer").post("/portal/profile/", {**DETAILS, field: value})
    assert console.status_code == portal.status_code == 400

    def errors(response: object) -> list[str]:
        found = re.search(
            rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', page(response)
        )
        assert found is not None
        return re.findall(r"<li>(.*?)</li>", found.group(1))

    assert errors(console) == errors(portal) != []
    after = PERSONAS["csr"].individual
    assert (after.first_name, after.phone, after.mobile) == (
        before.first_name,
        before.phone,
        before.mobile,
    )


def test_make_use_and_revoke_a_token(client_for: Callable[[str], Client]) -> None:
    client = client_for("csr")
    secret = make(client, "/console/profile/tokens/")
    assert api_status(secret) == 200
    assert_kept_nowhere(client, secret, ME)

    token = ApiToken.objects.get(owner=user("csr"))
    response = client.post(f"/console/profile/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert response["Location"] == f"{ME}#api-tokens"
    assert api_status(secret) == 401


def test_a_mistake_in_a_new_token_is_shown(client_for: Callable[[str], Client]) -> None:
    response = client_for("csr").post(
        "/console/profile/tokens/", {"token-name": "ci", "token-expires_at": in_days(366)}
    )
    assert response.status_code == 400
    assert "A token lives at most a year" in page(response)
    assert not ApiToken.objects.exists()


def test_another_persons_token_is_not_found(client_for: Callable[[str], Client]) -> None:
    theirs = make_token(user("customer"))
    token = ApiToken.objects.get(key_hash=hash_secret(theirs))
    response = client_for("supervisor").post(f"/console/profile/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    assert api_status(theirs) == 200


def test_customers_may_not_use_the_console_pages(client_for: Callable[[str], Client]) -> None:
    client = client_for("customer")
    assert client.get(ME).status_code == 403
    response = client.post(
        "/console/profile/tokens/", {"token-name": "ci", "token-expires_at": in_days(10)}
    )
    assert response.status_code == 403
