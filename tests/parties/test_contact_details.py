"""update_contact_details: the rules for a person's name, job title and phone numbers
(seed 003: the same mandatory fields and formatting rules wherever they are changed),
who may change whose, and the audit trail of each change."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portico.audit.models import Event
from portico.parties.forms import ContactDetailsForm
from portico.parties.models import Individual, User
from portico.parties.services import deactivate_individual, update_contact_details
from tests.conftest import PERSONAS


@pytest.fixture
def people(demo_people: None) -> None:
    """The demo people (tests/conftest.py)."""


def user(key: str) -> User:
    person = PERSONAS[key].individual.user
    assert person is not None
    return person


def individual(key: str) -> Individual:
    return PERSONAS[key].individual


def details(**changes: str) -> dict[str, str]:
    return {
        "first_name": "Ewan",
        "last_name": "Grant",
        "job_title": "Operations manager",
        "phone": "+44 1224 496 221",
        "mobile": "",
        **changes,
    }


def update(actor: str, whom: str, **changes: str) -> Individual:
    return update_contact_details(
        actor=user(actor), individual=individual(whom), **details(**changes)
    )


def events() -> list[Event]:
    return list(Event.objects.filter(action="individual.updated").order_by("id"))


def test_a_person_changes_their_own_details(people: None) -> None:
    changed = update("customer", "customer", mobile="07700 900123", job_title="Head of ops")
    stored = individual("customer")
    assert (stored.mobile, stored.job_title) == ("07700 900123", "Head of ops")
    assert changed.mobile == "07700 900123"
    [event] = events()
    assert event.actor == user("customer")
    assert event.subject_id == str(stored.pk)
    assert event.data == {
        "job_title": {"before": "Operations manager", "after": "Head of ops"},
        "mobile": {"before": "", "after": "07700 900123"},
    }


def test_nothing_changed_writes_nothing(people: None) -> None:
    update("customer", "customer")
    assert events() == []


def test_spaces_are_tidied(people: None) -> None:
    update("customer", "customer", first_name="  Ewan  James ", phone=" +44  1224 496 221 ")
    stored = individual("customer")
    assert stored.first_name == "Ewan James"
    assert stored.phone == "+44 1224 496 221"


def test_staff_may_change_anyones_details(people: None) -> None:
    update("csr", "customer", first_name="Ewen")
    assert individual("customer").first_name == "Ewen"
    assert events()[0].actor == user("csr")


@pytest.mark.parametrize(("actor", "whom"), [("colleague", "customer"), ("partner", "employee")])
def test_nobody_else_may(people: None, actor: str, whom: str) -> None:
    with pytest.raises(PermissionDenied):
        update(actor, whom, first_name="Hacked")
    assert individual(whom).first_name != "Hacked"
    assert events() == []


def test_a_person_who_left_may_change_nothing(people: None) -> None:
    deactivate_individual(individual=individual("customer"), actor=None)
    with pytest.raises(PermissionDenied):
        update_contact_details(
            actor=user("customer"), individual=individual("customer"), **details(mobile="0770090")
        )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"first_name": ""}, "first_name", "The first name is required."),
        ({"last_name": "   "}, "last_name", "The last name is required."),
        ({"first_name": "E" * 81}, "first_name", "The first name is at most 80 characters."),
        ({"last_name": "Gr\u202eant"}, "last_name", "characters that cannot be shown"),
        ({"job_title": "j" * 121}, "job_title", "The job title is at most 120 characters."),
        ({"phone": "0141 CALL NOW"}, "phone", "may hold only digits"),
        ({"phone": "44+ 141 496 0100"}, "phone", "may hold only digits"),
        ({"mobile": "12345"}, "mobile", "needs 6 to 20 digits; it has 5"),
        ({"mobile": "1" * 21}, "mobile", "needs 6 to 20 digits; it has 21"),
        ({"phone": "1 " * 20 + "1"}, "phone", "The phone number is at most 40 characters."),
    ],
)
def test_mistakes_name_the_field_and_change_nothing(
    people: None, changes: dict[str, str], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        update("customer", "customer", **changes)
    assert list(caught.value.message_dict) == [field]
    assert message in caught.value.message_dict[field][0]
    stored = individual("customer")
    assert (stored.first_name, stored.last_name, stored.job_title, stored.phone) == (
        "Ewan",
        "Grant",
        "Operations manager",
        "+44 1224 496 221",
    )
    assert events() == []


def test_every_mistake_is_reported_at_once(people: None) -> None:
    with pytest.raises(ValidationError) as caught:
        update("customer", "customer", first_name="", last_name="", phone="x", mobile="1")
    assert sorted(caught.value.message_dict) == ["first_name", "last_name", "mobile", "phone"]


@pytest.mark.parametrize(
    "number",
    ["+44 141 496 0100", "0141 496 0100", "(0141) 496-0100", "+1 (555) 010-9999", "123456"],
)
def test_plausible_numbers_are_accepted(people: None, number: str) -> None:
    update("customer", "customer", phone=number, mobile=number)
    assert individual("customer").phone == number


def test_the_shared_form_carries_the_arguments(people: None) -> None:
    form = ContactDetailsForm.for_individual(individual("customer"), details(first_name="Ewen"))
    assert form.is_valid()
    arguments: dict[str, Any] = form.service_arguments()
    assert arguments == details(first_name="Ewen")
    update_contact_details(actor=user("customer"), individual=individual("customer"), **arguments)
    assert individual("customer").first_name == "Ewen"
    unbound = ContactDetailsForm.for_individual(individual("customer"))
    assert unbound["first_name"].value() == "Ewen"
