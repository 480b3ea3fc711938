"""A report's groups beside the same groups over the period before (issue 24)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from portico.reports import histogram
from portico.reports.models import (
    COUNTS,
    HISTOGRAMS,
    Dimension,
)
from portico.reports.queries.core import (
    Period,
    PersonRow,
    Row,
    figures,
    people,
)


@dataclass(frozen=True)
class Compared[T: (Row, PersonRow)]:
    """A report's groups over a period beside the same groups over the period before, and
    the totals of both. A group with figures in only one of the two periods is listed
    with zeros in the other (a product that had calls and now has none is news too)."""

    rows: list[tuple[T, T]]
    total: T
    total_before: T


def _paired[T: (Row, PersonRow)](
    now: list[T], before: list[T], empty: Callable[[T], T]
) -> list[tuple[T, T]]:
    then = {row.key: row for row in before}
    pairs = [(row, then.pop(row.key) if row.key in then else empty(row)) for row in now]
    # Those quiet now come last, busiest before first (`before` is sorted so).
    return pairs + [(empty(row), row) for row in then.values()]


def merged(rows: Iterable[Row], *, label: str = "Total") -> Row:
    """Groups' figures added into one: counts summed, histograms merged (so the total's
    median is the median of every duration, not a median of medians)."""
    out = Row(key="", label=label)
    for row in rows:
        for name in COUNTS:
            setattr(out, name, getattr(out, name) + getattr(row, name))
        out.backlog += row.backlog
        out.backlog_age_seconds += row.backlog_age_seconds
        for name in HISTOGRAMS:
            histogram.add(getattr(out, name), getattr(row, name))
    return out


def products_compared(period: Period, *, teams: frozenset[str] | None) -> Compared[Row]:
    """Each product's figures (and "(none)") over `period` and the period before."""
    now = figures(Dimension.PRODUCT, period, teams=teams)
    before = figures(Dimension.PRODUCT, period.previous(), teams=teams)
    return Compared(
        _paired(now, before, lambda row: Row(key=row.key, label=row.label)),
        merged(now),
        merged(before),
    )


def _person_total(rows: Iterable[PersonRow], days: int) -> PersonRow:
    total = PersonRow(key="", label="Total", actions=0, closes=0, customers=0, answered=0,
                      satisfied=0, days=days)  # fmt: skip
    for row in rows:
        total.actions += row.actions
        total.closes += row.closes
        total.customers += row.customers
        total.answered += row.answered
        total.satisfied += row.satisfied
    return total


def people_compared(period: Period, *, teams: frozenset[str] | None) -> Compared[PersonRow]:
    """Each member of staff over `period` and the period before. The total adds up the
    column: a customer two people served on a day counts for each of them."""
    now = people(period, teams=teams)
    before = people(period.previous(), teams=teams)

    def idle(row: PersonRow) -> PersonRow:
        return PersonRow(row.key, row.label, 0, 0, 0, 0, 0, days=period.days)

    return Compared(
        _paired(now, before, idle),
        _person_total(now, period.days),
        _person_total(before, period.days),
    )
