"""A transaction's value and cost through the API (issue 24): the staff read and set
them under the console's rule and words; a customer's answer has no such keys, and a
customer sending them is refused and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client

from portico.audit.models import Event
from portico.service import actions
from portico.service.models import Application, Transaction
from tests.api.conftest import user_of

JSON = "application/json"


@pytest.fixture
def issue(demo_data: None) -> Transaction:
    return actions.create_transaction(
        actor=user_of("customer"),
        application=Application.objects.get(code="service-issue"),
        title="Pump alarm E42 on line 3",
        profile={"issue-type": "fault", "product": "clearflow-dosing-pump"},
    )


def _money(t: Transaction) -> tuple[Decimal, Decimal]:
    t.refresh_from_db()
    return t.value, t.cost


def test_the_staff_read_and_set_value_and_cost(
    api_for: Callable[[str], Client], issue: Transaction
) -> None:
    csr = api_for("csr")
    url = f"/api/v1/transactions/{issue.number}/"
    assert (csr.get(url).json()["value"], csr.get(url).json()["cost"]) == ("0.00", "0.00")

    changed = csr.patch(url, {"value": "1250.5", "cost": 80}, content_type=JSON)
    assert changed.status_code == 200, changed.content
    assert (changed.json()["value"], changed.json()["cost"]) == ("1250.50", "80.00")
    assert _money(issue) == (Decimal("1250.50"), Decimal("80.00"))
    [event] = Event.objects.filter(action="transaction.profile_changed", subject_id=str(issue.pk))
    assert event.data == {
        "value": {"before": "0.00", "after": "1250.50"},
        "cost": {"before": "0.00", "after": "80.00"},
    }
    assert event.channel == "api"


@pytest.mark.parametrize(
    ("sent", "field", "message"),
    [
        ({"value": -1}, "value", "The value cannot be negative."),
        ({"cost": "0.125"}, "cost", "The cost has at most 2 digits after the decimal point."),
        (
            {"value": 1e12},
            "value",
            "The value has at most 12 digits before the decimal point.",
        ),
        ({"value": "ten"}, "value", "The value must be an amount such as 1250.50."),
    ],
)
def test_a_bad_amount_is_refused_in_the_consoles_words_and_nothing_changes(
    api_for: Callable[[str], Client],
    issue: Transaction,
    sent: dict[str, object],
    field: str,
    message: str,
) -> None:
    url = f"/api/v1/transactions/{issue.number}/"
    # With a title that alone would be accepted: all of it or none.
    refused = api_for("csr").patch(url, {"title": "Renamed", **sent}, content_type=JSON)
    assert refused.status_code == 400
    assert refused.json()["errors"] == {field: [message]}
    issue.refresh_from_db()
    assert issue.title == "Pump alarm E42 on line 3"
    assert _money(issue) == (Decimal("0.00"), Decimal("0.00"))


def test_a_customer_neither_sees_nor_sets_them(
    api_for: Callable[[str], Client], issue: Transaction
) -> None:
    Transaction.objects.filter(pk=issue.pk).update(value=Decimal("98765.43"))
    customer = api_for("customer")
    url = f"/api/v1/transactions/{issue.number}/"
    shown = customer.get(url)
    assert shown.status_code == 200
    assert "value" not in shown.json()
    assert "cost" not in shown.json()
    assert "98765.43" not in shown.content.decode()
    listed = customer.get("/api/v1/transactions/?status=all").content.decode()
    assert "98765.43" not in listed
    refused = customer.patch(url, {"cost": "1.00"}, content_type=JSON)
    assert refused.status_code == 403
    assert _money(issue) == (Decimal("98765.43"), Decimal("0.00"))
