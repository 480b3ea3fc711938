"""Value and cost per group, from the roll-ups (issue 24)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from portico.reports.models import (
    Dimension,
)
from portico.reports.queries.core import (
    NONE_LABEL,
    Period,
    _sources,
    label_of,
)

# Seed 002: "dollar value, cost of call". A transaction's value and cost are counted on
# the day it was opened (rollups.py), so a period's money is that of the transactions
# opened in it, and its averages are per transaction opened.

MONEY_DIMENSIONS = (Dimension.PRODUCT, Dimension.AREA, Dimension.ORGANIZATION)
CENT = Decimal("0.01")


@dataclass
class MoneyRow:
    """One group's money over a period."""

    key: str
    label: str
    transactions: int
    value: Decimal
    cost: Decimal

    @property
    def margin(self) -> Decimal:
        return self.value - self.cost

    @property
    def average_value(self) -> Decimal | None:
        return _per(self.value, self.transactions)

    @property
    def average_cost(self) -> Decimal | None:
        return _per(self.cost, self.transactions)


def _per(amount: Decimal, count: int) -> Decimal | None:
    # To the cent, halves up, as an amount is written on an invoice.
    return (amount / count).quantize(CENT, rounding=ROUND_HALF_UP) if count else None


def money(
    dimension: str,
    period: Period,
    *,
    teams: frozenset[str] | None,
    keys: Collection[str] | None = None,
) -> list[MoneyRow]:
    """Each group's transactions opened, value and cost over `period`, the most valuable
    first (Dimension.ALL: one row, the reader's whole desk); only the groups `keys` names
    when given. Three sums per group, read from the roll-ups alone: the months the period
    covers whole and the days at its ends (`_sources`)."""
    found: dict[str, MoneyRow] = {}
    for rows in _sources(dimension, period, teams):
        if keys is not None:
            rows = rows.filter(key__in=list(keys))
        for key, opened, value, cost in (
            rows.values("key")
            .annotate(o=Sum("opened"), v=Sum("value"), c=Sum("cost"))
            .values_list("key", "o", "v", "c")
            .order_by()
        ):
            row = found.setdefault(key, MoneyRow(key, "", 0, Decimal(0), Decimal(0)))
            row.transactions += opened or 0
            row.value += value or Decimal(0)
            row.cost += cost or Decimal(0)
    labels = label_of(dimension, found)
    for row in found.values():
        # Rounded once added up (SQLite's sums of decimals can carry float noise).
        row.value, row.cost = row.value.quantize(CENT), row.cost.quantize(CENT)
        row.label = labels.get(row.key, NONE_LABEL) if row.key else NONE_LABEL
    return sorted(found.values(), key=lambda r: (-r.value, -r.transactions, r.label))


def money_total(period: Period, *, teams: frozenset[str] | None) -> MoneyRow:
    """The reader's whole desk over `period`."""
    rows = money(Dimension.ALL, period, teams=teams)
    return MoneyRow(
        key="",
        label="All",
        transactions=sum(r.transactions for r in rows),
        value=sum((r.value for r in rows), Decimal(0)),
        cost=sum((r.cost for r in rows), Decimal(0)),
    )
