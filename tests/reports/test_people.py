"""The People roll-up (issue 24): what each member of staff did on a day, counted from
their own actions."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from portico.audit.models import Event
from portico.reports import rollups
from portico.reports.models import PersonDay
from portico.service import actions
from portico.service.models import Application, Status, Transaction
from tests.console.test_lists import individual, user

pytestmark = pytest.mark.usefixtures("demo_people")


def logged(actor: str, customer: str, title: str) -> Transaction:
    return actions.create_transaction(
        actor=user(actor),
        application=Application.objects.get(code="enquiry"),
        title=title,
        requester=individual(customer),
    )


def move(t: Transaction, code: str, actor: str) -> None:
    status = Status.objects.get(application=t.application, code=code)
    actions.change_status(actor=user(actor), transaction=t, status=status, resolution="Done.")


def test_a_day_of_two_people() -> None:
    first = logged("csr", "customer", "First")
    second = logged("csr", "colleague", "Second")
    actions.add_note(actor=user("csr"), transaction=first, body="Called.", visibility="shared")
    move(first, "in-progress", "csr")
    move(first, "resolved", "csr")
    third = logged("technician", "other_customer", "Third")
    actions.add_note(
        actor=user("technician"), transaction=third, body="On site.", visibility="internal"
    )
    today = timezone.localdate()
    rollups.build(today, today)

    fiona = PersonDay.objects.filter(individual=individual("csr"), day=today)
    # Fiona: everything she recorded on the two she logged; one close; two customers.
    mine = Event.objects.filter(actor=user("csr"), subject_id__in=[first.pk, second.pk])
    assert mine.count() >= 5  # two logged, a note, two moves (and what those recorded)
    assert sum(row.actions for row in fiona) == mine.count()
    assert sum(row.closes for row in fiona) == 1
    assert sum(row.customers for row in fiona) == 2
    tom = PersonDay.objects.get(individual=individual("technician"), day=today)
    assert (tom.closes, tom.customers) == (0, 1)
    assert (
        tom.actions == Event.objects.filter(actor=user("technician"), subject_id=third.pk).count()
    )
    # Nobody's day before.
    assert not PersonDay.objects.filter(day=today - datetime.timedelta(days=1)).exists()


def test_the_people_page(client_for: Callable[[str], Client]) -> None:
    first = logged("csr", "customer", "First")
    move(first, "in-progress", "csr")
    move(first, "resolved", "csr")
    today = timezone.localdate()
    rollups.build(today, today)
    html = client_for("administrator").get("/console/reports/people/").content.decode()
    assert individual("csr").name in html
    assert "<svg" in html
    assert client_for("csr").get("/console/reports/people/").status_code == 403
