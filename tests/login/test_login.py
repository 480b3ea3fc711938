import re
from collections.abc import Callable

import pytest
from django.core import mail
from django.test import Client

from portico.parties.models import User
from tests.conftest import PASSWORD, PERSONAS, Persona


@pytest.mark.parametrize("key", sorted(PERSONAS))
def test_each_person_lands_on_their_own_home(personas: dict[str, Persona], key: str) -> None:
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": personas[key].email, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == personas[key].expected_home
    assert response.status_code == 200


def test_email_is_matched_whatever_its_case(personas: dict[str, Persona]) -> None:
    response = Client().post(
        "/accounts/login/", {"login": personas["csr"].email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 302


def test_wrong_password_says_so_and_changes_nothing(personas: dict[str, Persona]) -> None:
    user = personas["customer"].individual.user
    assert user is not None
    before = User.objects.values().get(pk=user.pk)
    client = Client()
    response = client.post("/accounts/login/", {"login": user.email, "password": "nope"})
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in (
        response.content.decode()
    )
    assert User.objects.values().get(pk=user.pk) == before
    assert client.get("/portal/").status_code == 302  # still not logged in


def test_repeated_failures_are_throttled(personas: dict[str, Persona]) -> None:
    email = personas["customer"].email
    client = Client()
    for _ in range(5):
        client.post("/accounts/login/", {"login": email, "password": "wrong"})
    # The right password no longer helps until the window passes.
    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get("/portal/").status_code == 302


def test_signing_up_is_closed(db: None) -> None:
    response = Client().post(
        "/accounts/signup/",
        {"email": "stranger@example.com", "password1": "x9!longpass", "password2": "x9!longpass"},
    )
    assert not User.objects.filter(email="stranger@example.com").exists()
    assert response.status_code == 200
    assert "Sign Up Closed" in response.content.decode()


def test_password_reset_by_email(personas: dict[str, Persona]) -> None:
    email = personas["colleague"].email
    client = Client()
    response = client.post("/accounts/password/reset/", {"email": email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [email]
    link = re.search(
        r"http://testserver(/accounts/password/reset/key/\S+)", str(mail.outbox[0].body)
    )
    assert link is not None
    form = client.get(link.group(1), follow=True)
    response = client.post(
        form.redirect_chain[-1][0],
        {"password1": "a-new-long-passphrase", "password2": "a-new-long-passphrase"},
    )
    assert response.status_code == 302
    assert (
        Client()
        .post("/accounts/login/", {"login": email, "password": "a-new-long-passphrase"})
        .status_code
        == 302
    )
    # The link is spent.
    again = client.get(link.group(1), follow=True)
    assert "Bad Token" in again.content.decode()


def test_unknown_address_gets_the_same_reset_answer(personas: dict[str, Persona]) -> None:
    known = Client().post("/accounts/password/reset/", {"email": personas["csr"].email})
    unknown = Client().post("/accounts/password/reset/", {"email": "nobody@nowhere.example"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_log_out_ends_the_session(client_for: Callable[[str], Client]) -> None:
    client = client_for("csr")
    assert client.get("/console/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/console/").status_code == 302


@pytest.mark.parametrize(
    ("key", "profile"), [("csr", "/console/profile/"), ("customer", "/portal/profile/")]
)
def test_the_profile_leads_to_two_factor_set_up(
    client_for: Callable[[str], Client], key: str, profile: str
) -> None:
    client = client_for(key)
    page = client.get(profile).content.decode()
    assert 'href="/accounts/2fa/"' in page
    assert 'href="/accounts/password/change/"' in page
    assert client.get("/accounts/2fa/").status_code == 200
