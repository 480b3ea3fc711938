"""A transaction's value and cost on the console's transaction page (issue 24): shown
to the staff, set by those who may change its profile, judged by the rule the API
shares, recorded in the history; nobody outside the staff sees or sets them."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client

from portico.audit import display
from portico.audit.models import Event
from portico.parties.models import User
from portico.service import actions
from portico.service.models import Application, Grant, Permission, Transaction
from tests.conftest import Persona


@pytest.fixture
def issue(personas: dict[str, Persona]) -> Transaction:
    customer = User.objects.get(email=personas["customer"].email)
    return actions.create_transaction(
        actor=customer,
        application=Application.objects.get(code="service-issue"),
        title="Pump alarm E42 on line 3",
        profile={"issue-type": "fault", "product": "clearflow-dosing-pump"},
    )


def _money(t: Transaction) -> tuple[Decimal, Decimal]:
    t.refresh_from_db()
    return t.value, t.cost


def _changes(t: Transaction) -> list[dict[str, object]]:
    return [
        e.data
        for e in Event.objects.filter(
            action="transaction.profile_changed", subject_id=str(t.pk)
        ).order_by("pk")
    ]


def test_a_csr_sets_the_value_and_cost_and_the_history_says_so(
    client_for: Callable[[str], Client], issue: Transaction
) -> None:
    csr = client_for("csr")
    page = csr.get(f"/console/transactions/{issue.number}/").content.decode()
    assert "<dt>Value</dt><dd>0.00</dd>" in page
    assert 'name="value"' in page
    assert 'name="cost"' in page

    sent = csr.post(
        f"/console/transactions/{issue.number}/money/", {"value": "1250.5", "cost": "80"}
    )
    assert sent.status_code == 302
    assert _money(issue) == (Decimal("1250.50"), Decimal("80.00"))
    assert _changes(issue) == [
        {
            "value": {"before": "0.00", "after": "1250.50"},
            "cost": {"before": "0.00", "after": "80.00"},
        }
    ]
    [event] = Event.objects.filter(action="transaction.profile_changed", subject_id=str(issue.pk))
    # PostgreSQL's jsonb keeps no key order: the two parts, in either.
    assert set(display.describe(event).split("; ")) == {
        "Value: 0.00 → 1250.50",
        "Cost: 0.00 → 80.00",
    }
    page = csr.get(f"/console/transactions/{issue.number}/").content.decode()
    assert "<dt>Value</dt><dd>1,250.50</dd>" in page
    assert "Value: 0.00 → 1250.50" in page  # in the history

    # The same amounts again change nothing and record nothing.
    csr.post(f"/console/transactions/{issue.number}/money/", {"value": "1250.50", "cost": "80"})
    assert len(_changes(issue)) == 1


@pytest.mark.parametrize(
    ("value", "cost", "message"),
    [
        ("-5", "10", "The value cannot be negative."),
        ("10", "1.005", "The cost has at most 2 digits after the decimal point."),
        ("1000000000000", "0", "The value has at most 12 digits before the decimal point."),
        ("12,50", "0", "The value must be an amount such as 1250.50."),
        ("", "0", "Give the value as an amount; 0 for none."),
    ],
)
def test_a_bad_amount_is_refused_with_its_reason_and_nothing_changes(
    client_for: Callable[[str], Client], issue: Transaction, value: str, cost: str, message: str
) -> None:
    refused = client_for("csr").post(
        f"/console/transactions/{issue.number}/money/", {"value": value, "cost": cost}
    )
    assert refused.status_code == 400
    assert message in refused.content.decode()
    assert _money(issue) == (Decimal("0.00"), Decimal("0.00"))
    assert _changes(issue) == []


def test_staff_with_read_only_see_but_may_not_set(
    client_for: Callable[[str], Client], issue: Transaction, personas: dict[str, Persona]
) -> None:
    Transaction.objects.filter(pk=issue.pk).update(value=Decimal("42.00"))
    tech = User.objects.get(email=personas["technician"].email)
    Grant.objects.create(
        transaction=issue,
        individual=tech.individual,
        permission=Permission.objects.get(code="read"),
    )
    client = client_for("technician")
    page = client.get(f"/console/transactions/{issue.number}/").content.decode()
    assert "<dt>Value</dt><dd>42.00</dd>" in page
    assert 'name="value"' not in page
    refused = client.post(
        f"/console/transactions/{issue.number}/money/", {"value": "1", "cost": "1"}
    )
    assert refused.status_code == 403
    assert _money(issue) == (Decimal("42.00"), Decimal("0.00"))


def test_a_customer_neither_sees_nor_sets_them(
    client_for: Callable[[str], Client], issue: Transaction
) -> None:
    Transaction.objects.filter(pk=issue.pk).update(value=Decimal("98765.43"))
    customer = client_for("customer")
    portal = customer.get(f"/portal/t/{issue.number}/")
    assert portal.status_code == 200
    assert "98765.43" not in portal.content.decode()
    assert "98,765.43" not in portal.content.decode()
    refused = customer.post(
        f"/console/transactions/{issue.number}/money/", {"value": "1", "cost": "1"}
    )
    assert refused.status_code == 403
    assert _money(issue) == (Decimal("98765.43"), Decimal("0.00"))
