"""Fixtures the console's list, home, export and notification tests share."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from portico.service import actions
from portico.service.models import Status, Transaction
from tests.console.test_lists import ISSUE, create, individual, user


@pytest.fixture
def people(demo_people: None) -> None:
    """The demo people (tests/conftest.py)."""


@pytest.fixture
def catalogue(people: None) -> dict[str, Transaction]:
    """Five transactions that differ in every filtered respect: application, status,
    priority, team, product, area, organisation, assignee and due time."""
    a = create(
        "Pump alarm E42",
        priority="P1",
        profile={**ISSUE, "area": "north-east"},
    )
    actions.assign(actor=user("supervisor"), transaction=a, assignees=[individual("technician")])
    b = create(
        "Controller clock drifts",
        requester="Helen",
        profile={"issue-type": "configuration", "product": "aquasense-controller", "area": "west"},
    )
    c = create(
        "Filter unit arrived damaged",
        application="complaint",
        requester="Sandeep",
        priority="P2",
        profile={"category": "delivery", "product": "clearflow-filter-unit"},
    )
    actions.change_status(
        actor=user("csr"),
        transaction=c,
        status=Status.objects.get(application=c.application, code="resolved"),
        resolution="Replacement sent.",
    )
    d = create("Price of a gateway", application="enquiry", requester="Alan", priority="P4")
    e = create(
        "Retrofit of 12 pumping stations",
        application="sales-opportunity",
        requester="Niamh",
        actor="supervisor",
        priority=None,
        profile={"product": "aquasense-controller"},
    )
    now = timezone.now()
    Transaction.objects.filter(pk=a.pk).update(due_at=now + datetime.timedelta(days=2))
    Transaction.objects.filter(pk=b.pk).update(due_at=now - datetime.timedelta(days=2))
    Transaction.objects.filter(pk=d.pk).update(due_at=now + datetime.timedelta(days=10))
    return {"a": a, "b": b, "c": c, "d": d, "e": e}
