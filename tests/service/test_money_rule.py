"""The one rule for a transaction's value and cost (issue 24), shared by the console's
form and the API: at least 0, at most 2 decimals and 12 digits before the point."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from portico.service import rules


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("0", "0.00"),
        ("1250.5", "1250.50"),
        (" 80 ", "80.00"),
        (80, "80.00"),
        (12.5, "12.50"),
        (0.1, "0.10"),  # the float's shortest spelling, not 0.1000000000000000055…
        (Decimal("3.10"), "3.10"),
        ("1.000", "1.00"),  # trailing zeros are no extra precision
        ("999999999999.99", "999999999999.99"),  # 12 digits before the point
    ],
)
def test_amounts_taken(sent: object, stored: str) -> None:
    assert rules.clean_money("value", sent) == Decimal(stored)


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        ("-1", "The value cannot be negative."),
        (-0.01, "The value cannot be negative."),
        ("1.005", "The value has at most 2 digits after the decimal point."),
        ("1000000000000", "The value has at most 12 digits before the decimal point."),
        ("1e13", "The value has at most 12 digits before the decimal point."),
        ("12,50", "The value must be an amount such as 1250.50."),
        ("ten", "The value must be an amount such as 1250.50."),
        ("NaN", "The value must be an amount such as 1250.50."),
        ("Infinity", "The value must be an amount such as 1250.50."),
        (True, "The value must be an amount such as 1250.50."),
        ([1], "The value must be an amount such as 1250.50."),
        ("", "Give the value as an amount; 0 for none."),
    ],
)
def test_amounts_refused_with_a_reason(sent: object, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        rules.clean_money("value", sent)
    assert refused.value.messages == [message]


def test_the_cost_is_named_in_its_message() -> None:
    with pytest.raises(ValidationError) as refused:
        rules.clean_money("cost", "-5")
    assert refused.value.messages == ["The cost cannot be negative."]
