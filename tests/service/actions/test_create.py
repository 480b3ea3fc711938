"""Logging a transaction: a bad profile is refused and nothing is kept, customers log
for themselves only, and a new transaction gets its application's default grants."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portico import access
from portico.parties.models import Organization
from portico.service import actions
from portico.service.models import Grant, Transaction
from tests.service.actions.conftest import (
    ISSUE,
    application,
    counts,
    individual,
    log_issue,
    refused,
    user,
)


@pytest.mark.parametrize(
    ("profile", "field", "words"),
    [
        pytest.param(
            {"issue-type": "volcano", "product": "clearflow-dosing-pump"},
            "issue-type",
            ("volcano", "Issue type"),
            id="unknown-choice",
        ),
        pytest.param(
            {**ISSUE, "colour": "red"},
            "colour",
            ("Service issue", "colour"),
            id="unknown-classification",
        ),
        pytest.param(
            {"issue-type": "fault"}, "product", ("Product", "required"), id="missing-mandatory"
        ),
        pytest.param(
            {**ISSUE, "units": "a dozen"}, "units", ("Units affected", "number"), id="not-a-number"
        ),
    ],
)
def test_a_bad_profile_is_refused_on_creation(
    people: None, profile: dict[str, str], field: str, words: tuple[str, ...]
) -> None:
    with refused(field, *words):
        actions.create_transaction(
            actor=user("csr"),
            application=application("service-issue"),
            title="Pump alarm",
            requester=individual("customer"),
            profile=profile,
        )


# --- customers log for themselves -------------------------------------------------------


def test_what_a_customer_may_not_set_is_set_for_them(people: None) -> None:
    created = actions.create_transaction(
        actor=user("customer"),
        application=application("service-issue"),
        title="Pump alarm E42",
        requester=individual("other_customer"),
        organization=individual("other_customer").organization,
        team=Organization.objects.get(name="Field Service"),
        profile=ISSUE,
    )

    stored = Transaction.objects.select_related("requester", "organization", "team").get(
        pk=created.pk
    )
    assert stored.requester == individual("customer")
    assert stored.recorded_by == individual("customer")
    assert stored.organization is not None
    assert stored.organization.name == "Harbour Foods plc"
    assert stored.team is not None
    assert stored.team.name == "Service Desk"  # the application's own team
    # Helen Baird (another customer) neither sees it nor holds any grant on it.
    assert not access.can(user("other_customer"), "view", stored)
    assert not stored.grants.filter(individual=individual("other_customer")).exists()


def test_a_customer_may_not_create_a_sales_opportunity(people: None) -> None:
    before = counts()
    with pytest.raises(PermissionDenied, match="Sales opportunity"):
        actions.create_transaction(
            actor=user("customer"),
            application=application("sales-opportunity"),
            title="We want to buy",
        )
    assert counts() == before
    # A partner may: the right belongs to the group.
    actions.create_transaction(
        actor=user("partner"),
        application=application("sales-opportunity"),
        title="Tayside retrofit",
    )
    assert Transaction.objects.count() == before["transactions"] + 1


# --- default grants ---------------------------------------------------------------------


def test_a_portal_service_issue_gets_the_standard_grants(people: None) -> None:
    logged = log_issue("customer")

    grants = {
        (str(g.principal), g.permission.name)
        for g in Grant.objects.filter(transaction=logged).select_related(
            "individual", "organization", "permission"
        )
    }
    assert grants == {
        ("Harbour Foods plc", "Read only"),
        ("Ewan Grant", "Update worknotes"),
        ("Service Desk", "Full access"),
    }
    # What that means for the people: the colleague reads, the customer writes notes,
    # the service desk does anything, another organisation sees nothing.
    assert access.can(user("colleague"), "view", logged)
    assert not access.can(user("colleague"), "add_shared_note", logged)
    assert access.can(user("customer"), "add_shared_note", logged)
    assert not access.can(user("customer"), "edit_profile", logged)
    assert access.can(user("csr"), "manage_grants", logged)
    assert not access.can(user("other_customer"), "view", logged)


def test_a_request_by_email_leaves_its_mandatory_classifications_to_the_staff(
    people: None,
) -> None:
    # An e-mail brings no Profile (portico.mail): the portal's form asks for these.
    with pytest.raises(ValidationError):
        actions.create_transaction(
            actor=user("customer"), application=application("service-issue"), title="Pump"
        )
    logged = actions.create_transaction(
        actor=user("customer"),
        application=application("service-issue"),
        title="Pump",
        channel="email",
        classify_later=True,
    )
    assert actions.profile_of(logged) == {}
