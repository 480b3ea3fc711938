"""Satisfaction figures (issue 23), on a handful of answers counted by hand."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from portico import access
from portico.service.models import Transaction
from portico.surveys import figures
from portico.surveys import services as surveys
from tests.automations.test_defaults import customer_request, deliver, move
from tests.console.test_lists import individual, user

pytestmark = pytest.mark.usefixtures("demo_people")

Worker = Callable[[], int]


def answered(worker: Worker, title: str, rating: int) -> Transaction:
    issue = customer_request(title)
    move(issue, "in-progress")
    move(issue, "resolved", resolution="Done.")
    deliver(worker)
    surveys.answer(person=individual("customer"), transaction=issue, rating=rating)
    return issue


def test_figures_per_resolver_application_and_product(worker: Worker, settings: Any) -> None:
    # Three answers: two not satisfied, one satisfied, all resolved by the CSR, who is
    # assigned none of them.
    settings.PORTICO_SATISFACTION_QUIET_DAYS = 0
    for title, rating in (("One", 1), ("Two", 2), ("Three", 1)):
        answered(worker, title, rating)
    now = timezone.now()
    period: dict[str, Any] = {
        "transactions": access.visible_transactions(user("supervisor")),
        "since": now - datetime.timedelta(days=1),
        "until": now + datetime.timedelta(minutes=1),
    }
    csr = individual("csr")
    [by_resolver] = figures.figures("resolver", **period)
    assert (by_resolver.label, by_resolver.answered, by_resolver.not_satisfied) == (
        csr.name,
        3,
        2,
    )
    assert by_resolver.share == 33.3
    [by_product] = figures.figures("product", **period)
    assert (by_product.label, by_product.answered) == ("ClearFlow dosing pump", 3)
    [by_application] = figures.figures("application", **period)
    assert by_application.satisfied == 1
    assert figures.totals(**period).answered == 3
    # The supervisor, assigned the not-satisfied follow-ups, is not counted as assignee.
    assert figures.figures("assignee", **period) == [
        figures.Figure(key=None, label=figures.NONE_LABEL, answered=3, satisfied=1)
    ]
    # Outside the period: nothing.
    before = {**period, "until": now - datetime.timedelta(hours=1)}
    assert figures.figures("team", **before) == []


def test_figures_count_only_what_the_reader_may_see(worker: Worker) -> None:
    answered(worker, "Mine", 1)
    now = timezone.now()
    seen_by_customer = figures.totals(
        transactions=access.visible_transactions(user("customer")),
        since=now - datetime.timedelta(days=1),
        until=now + datetime.timedelta(minutes=1),
    )
    assert seen_by_customer.answered == 1
    seen_by_partner = figures.totals(
        transactions=access.visible_transactions(user("partner")),
        since=now - datetime.timedelta(days=1),
        until=now + datetime.timedelta(minutes=1),
    )
    assert seen_by_partner.answered == 0
