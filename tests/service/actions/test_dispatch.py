"""Dispatch: assigned transactions are on each assignee's task list, and only the staff
are assigned."""

from __future__ import annotations

from portico.parties.models import Individual
from portico.service import actions, selectors
from portico.service.models import Priority
from tests.service.actions.conftest import (
    ISSUE,
    application,
    individual,
    log_issue,
    refused,
    status,
    user,
)


def test_assigned_transactions_are_on_each_assignees_task_list(people: None) -> None:
    minor = actions.create_transaction(
        actor=user("csr"),
        application=application("service-issue"),
        title="Controller clock drifts",
        requester=individual("colleague"),
        priority=Priority.objects.get(code="P3"),
        profile=ISSUE,
    )
    urgent = actions.create_transaction(
        actor=user("csr"),
        application=application("service-issue"),
        title="Dosing pump stopped",
        requester=individual("customer"),
        priority=Priority.objects.get(code="P1"),
        profile=ISSUE,
    )
    technicians = [individual("technician"), Individual.objects.get(first_name="Aisha")]
    for logged in (minor, urgent):
        actions.assign(actor=user("supervisor"), transaction=logged, assignees=technicians)
    aisha = technicians[1].user
    assert aisha is not None

    # The P1 logged second is due first.
    for person in (user("technician"), aisha):
        assert list(selectors.task_list(person)) == [urgent, minor]
    assert list(selectors.task_list(user("csr"))) == []  # seen, but not assigned

    actions.change_status(
        actor=user("technician"),
        transaction=urgent,
        status=status(urgent, "resolved"),
        resolution="Replaced the flow sensor.",
    )
    for person in (user("technician"), aisha):
        assert list(selectors.task_list(person)) == [minor]


def test_only_staff_are_assigned(people: None) -> None:
    logged = log_issue()
    with refused("assignees", "Kirsty Muir", "staff", transaction=logged):
        actions.assign(
            actor=user("supervisor"), transaction=logged, assignees=[individual("colleague")]
        )
