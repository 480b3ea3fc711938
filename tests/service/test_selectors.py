"""`selectors.fill_lookups`: every row of a page gets its application, status and
priority, and what the request has read already is not read again."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portico import access
from portico.parties.models import User
from portico.service import selectors
from portico.service.models import Application, Priority, Status, Transaction
from tests.conftest import PERSONAS
from tests.queries import tables_read


@pytest.fixture
def rows(demo_data: None) -> list[Transaction]:
    transactions = list(Transaction.objects.order_by("id"))
    # The demo data spans applications, so the rights' shortcut and its fallback both run.
    assert len({t.application_id for t in transactions}) >= 4
    return transactions


def _assert_filled(rows: list[Transaction]) -> None:
    applications = {a.pk: a.code for a in Application.objects.all()}
    statuses = {s.pk: s.code for s in Status.objects.all()}
    priorities = {p.pk: p.code for p in Priority.objects.all()}
    with CaptureQueriesContext(connection) as context:
        for t in rows:
            assert t.application.code == applications[t.application_id]
            assert t.status.code == statuses[t.status_id]
            if t.priority_id is not None:
                assert t.priority is not None
                assert t.priority.code == priorities[t.priority_id]
    assert context.captured_queries == []


def test_staff_rows_take_their_applications_from_the_rights(rows: list[Transaction]) -> None:
    csr = PERSONAS["csr"].individual.user
    access.application_rights(csr)  # read once per request, as the page's access checks do
    with CaptureQueriesContext(connection) as context:
        selectors.fill_lookups(rows, user=csr)
    # Statuses and priorities are set-up, kept per process (access.setup) once read.
    assert sorted(tables_read(context)) == ['"service_priority"', '"service_status"']
    _assert_filled(rows)


def test_statuses_and_priorities_are_read_once_per_process(rows: list[Transaction]) -> None:
    csr = PERSONAS["csr"].individual.user
    access.application_rights(csr)
    selectors.fill_lookups(rows[:1], user=csr)  # an earlier request
    again = list(Transaction.objects.order_by("id"))
    with CaptureQueriesContext(connection) as context:
        selectors.fill_lookups(again[:3], again[3:], user=csr)
    assert context.captured_queries == []
    _assert_filled(again)
    # Each request has its own copies: what one does to a row reaches no other.
    assert again[0].status is not rows[0].status


def test_a_status_the_process_has_not_kept_is_read(rows: list[Transaction]) -> None:
    csr = PERSONAS["csr"].individual.user
    access.application_rights(csr)
    selectors.fill_lookups(rows[:1], user=csr)
    # Made without the signal that forgets the kept copy, as by another process.
    template = Status.objects.get(pk=rows[0].status_id)
    (made,) = Status.objects.bulk_create(
        [
            Status(
                application_id=template.application_id,
                code="elsewhere",
                name="Elsewhere",
                category=template.category,
                position=999,
            )
        ]
    )
    Transaction.objects.filter(pk=rows[0].pk).update(status_id=made.pk)
    row = Transaction.objects.get(pk=rows[0].pk)
    with CaptureQueriesContext(connection) as context:
        selectors.fill_lookups([row], user=csr)
    assert tables_read(context) == ['"service_status"']
    assert row.status.name == "Elsewhere"


def test_rows_outside_the_rights_are_still_filled(rows: list[Transaction]) -> None:
    # An employee's group has rights on two applications; rows of the others (which the
    # person could not see on a page, but a caller may pass) are read as before.
    employee = User.objects.filter(individual__user_group__name="Employees").first()
    assert employee is not None
    rights = access.application_rights(employee)
    assert 0 < len(rights) < len({t.application_id for t in rows})
    with CaptureQueriesContext(connection) as context:
        selectors.fill_lookups(rows, user=employee)
    assert sorted(tables_read(context)) == [
        '"service_application"',
        '"service_priority"',
        '"service_status"',
    ]
    _assert_filled(rows)


def test_a_person_without_rights_has_every_lookup_read(rows: list[Transaction]) -> None:
    with CaptureQueriesContext(connection) as context:
        selectors.fill_lookups(rows, user=None)
    assert len(context.captured_queries) == 3
    _assert_filled(rows)
