"""Zone decisions, from one table: which demo person's group opens which zone."""

import pytest

from portico import access
from portico.parties.models import User
from portico.parties.services import deactivate_individual
from tests.conftest import Persona

STAFF = {access.CONSOLE, access.SERVICE, access.KNOWLEDGE}
# persona -> zones it must open, zones it must not.
ZONES = {
    "csr": (STAFF, {access.SYSTEMS_ADMIN, access.REPORTS, access.CUSTOMER_PORTAL}),
    "technician": (STAFF, {access.SYSTEMS_ADMIN, access.CUSTOMER_PORTAL}),
    "supervisor": (STAFF | {access.REPORTS}, {access.SYSTEMS_ADMIN}),
    "administrator": (STAFF | {access.REPORTS, access.SYSTEMS_ADMIN}, {access.CUSTOMER_PORTAL}),
    "customer": (
        {access.CUSTOMER_PORTAL, access.KNOWLEDGE},
        {access.CONSOLE, access.SYSTEMS_ADMIN, access.PARTNER_PORTAL},
    ),
    "partner": ({access.PARTNER_PORTAL}, {access.CONSOLE, access.CUSTOMER_PORTAL}),
    "employee": ({access.EMPLOYEE_PORTAL}, {access.CONSOLE, access.SYSTEMS_ADMIN}),
}


@pytest.mark.parametrize("key", sorted(ZONES))
def test_zones_come_from_the_user_group(personas: dict[str, Persona], key: str) -> None:
    user = personas[key].individual.user
    opens, closed = ZONES[key]
    assert opens <= access.zones_of(user)
    assert not closed & access.zones_of(user)


@pytest.mark.parametrize("key", sorted(ZONES))
def test_home_is_the_groups_portal(personas: dict[str, Persona], key: str) -> None:
    assert access.home_url(personas[key].individual.user) == personas[key].expected_home


def test_changing_a_groups_zones_changes_access(personas: dict[str, Persona]) -> None:
    customer = personas["customer"].individual
    customer.user_group.zones.filter(code=access.CUSTOMER_PORTAL).delete()
    user = User.objects.get(individual=customer)  # fresh: zones are read once per request
    assert not access.may_enter(user, access.CUSTOMER_PORTAL)
    assert access.home_url(user) == "/no-sections/"


def test_a_person_who_left_opens_nothing(personas: dict[str, Persona]) -> None:
    individual = personas["administrator"].individual
    deactivate_individual(individual=individual, actor=None)
    user = User.objects.get(individual=individual)
    assert access.zones_of(user) == frozenset()
    assert not access.may_log_in(user)


def test_anonymous_opens_nothing(db: None) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert access.zones_of(AnonymousUser()) == frozenset()
    assert access.home_url(AnonymousUser()) == "/accounts/login/"


def test_a_page_decides_each_persons_capabilities_once(personas: dict[str, Persona]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portico.service.models import Grant, Transaction

    customer = personas["customer"].individual
    user = User.objects.get(individual=customer)
    transaction = Transaction.objects.filter(requester=customer).first()
    assert transaction is not None
    with access.deciding_once():
        with CaptureQueriesContext(connection) as queries:
            assert access.can(user, "view", transaction)
            assert "add_shared_note" in access.allowed_actions(user, transaction)
            assert access.can(user, "view", transaction)
        assert sum('"service_grant"' in q["sql"] for q in queries.captured_queries) == 1
        Grant.objects.filter(transaction=transaction).delete()
        # Decided once for the page: what changes inside the block is not seen there.
        assert access.can(user, "view", transaction)
    assert not access.can(user, "view", transaction)


@pytest.mark.parametrize("key", sorted(ZONES))
def test_the_admin_templates_see_admins_only(personas: dict[str, Persona], key: str) -> None:
    # User.is_staff (read by Django's admin templates) asks the auth backend, which asks
    # access.may_administer: the two never disagree.
    user = User.objects.get(individual=personas[key].individual)
    assert user.is_staff == access.may_administer(user) == (key == "administrator")


def test_the_console_offers_as_contact_and_assignee_exactly_whom_the_service_accepts(
    personas: dict[str, Persona],
) -> None:
    from portico.parties.models import Individual
    from portico.service.models import Transaction

    customer = personas["customer"].individual
    transaction = Transaction.objects.filter(requester=customer).first()
    assert transaction is not None
    assert transaction.organization_id is not None
    offered = set(access.possible_contacts(transaction))
    assert customer in offered
    everyone = Individual.objects.select_related("user_group")
    for person in everyone:
        if person.active:
            assert (person in offered) == access.may_be_contact(transaction, person)
    assert not access.may_be_contact(transaction, personas["other_customer"].individual)
    assert personas["colleague"].individual in offered
    assignable = set(access.assignable_individuals())
    assert personas["technician"].individual in assignable
    for person in everyone.filter(active=True):
        assert (person in assignable) == access.may_be_assigned(person)
    assert not access.may_be_assigned(customer)
