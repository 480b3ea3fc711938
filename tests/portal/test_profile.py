"""A person's own contact details from the portal, judged by the same service (and so the
same rules) the console uses."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from portico.audit.models import Event
from tests.portal.conftest import individual, page

DETAILS = {
    "first_name": "Ewan",
    "last_name": "Grant-Smith",
    "job_title": "Head of operations",
    "phone": "+44 1224 496 221",
    "mobile": "07700 900123",
}


def test_the_page_shows_my_details(client_for: Callable[[str], Client]) -> None:
    html = page(client_for("customer").get("/portal/profile/"))
    assert 'name="first_name" value="Ewan"' in html
    assert 'name="phone" value="+44 1224 496 221"' in html
    assert "ewan.grant@harbourfoods.example" in html
    assert 'name="email"' not in html  # not editable here


def test_saving_changes_my_details(client_for: Callable[[str], Client]) -> None:
    client = client_for("customer")
    response = client.post("/portal/profile/", DETAILS)
    assert response.status_code == 302
    assert response["Location"] == "/portal/profile/"
    me = individual("customer")
    assert (me.last_name, me.job_title, me.mobile) == (
        "Grant-Smith",
        "Head of operations",
        "07700 900123",
    )
    event = Event.objects.get(action="individual.updated")
    assert event.data["last_name"] == {"before": "Grant", "after": "Grant-Smith"}
    assert "Your contact details are saved." in page(client.get("/portal/profile/"))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_name", "", "The first name is required."),
        ("last_name", "x" * 81, "The last name is at most 80 characters."),
        ("phone", "call reception", "may hold only digits"),
        ("mobile", "123", "needs 6 to 20 digits; it has 3"),
    ],
)
def test_mistakes_are_shown_against_the_field_and_nothing_changes(
    client_for: Callable[[str], Client], field: str, value: str, message: str
) -> None:
    response = client_for("customer").post("/portal/profile/", {**DETAILS, field: value})
    assert response.status_code == 400
    html = page(response)
    assert message in html
    assert f'<ul class="errorlist" id="id_{field}_error">' in html
    assert re.search(rf'aria-invalid="true" aria-describedby="[^"]*id_{field}_error"', html)
    assert f'name="{field}" value="{value}"' in html or not value  # what was typed is kept
    assert individual("customer").last_name == "Grant"
    assert not Event.objects.filter(action="individual.updated").exists()


def test_a_forged_email_or_organisation_is_ignored(client_for: Callable[[str], Client]) -> None:
    me = individual("customer")
    client_for("customer").post(
        "/portal/profile/",
        {**DETAILS, "email": "evil@example.com", "organization": "999", "user_group": "1"},
    )
    after = individual("customer")
    assert after.email == me.email
    assert after.organization_id == me.organization_id
    assert after.user_group_id == me.user_group_id


def test_partners_and_employees_have_the_same_page(client_for: Callable[[str], Client]) -> None:
    response = client_for("employee").post(
        "/employees/profile/", {**DETAILS, "first_name": "Lucy", "last_name": "Chen"}
    )
    assert response.status_code == 302
    assert individual("employee").job_title == "Head of operations"
    assert client_for("partner").get("/partners/profile/").status_code == 200
