"""The satisfaction answers per group, from the roll-ups (issues 23 and 24)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Sum

from portico.reports.models import (
    Dimension,
    PersonDay,
)
from portico.reports.queries.core import (
    NONE_LABEL,
    Period,
    _rows,
    _share,
    label_of,
)


@dataclass(frozen=True)
class Satisfaction:
    """One group's satisfaction answers over a period."""

    key: str
    label: str
    answered: int
    satisfied: int

    @property
    def not_satisfied(self) -> int:
        return self.answered - self.satisfied

    @property
    def share(self) -> float | None:
        """Per cent of the answers that were satisfied; None with no answers."""
        return _share(self.satisfied, self.answered)


# The Satisfaction page's groupings that are roll-up dimensions ("resolver" is not: it
# is read from PersonDay).
_SATISFACTION_DIMENSIONS = {
    "assignee": Dimension.TECHNICIAN,
    "team": Dimension.TEAM,
    "application": Dimension.APPLICATION,
    "product": Dimension.PRODUCT,
    "organization": Dimension.ORGANIZATION,
}


def satisfaction(group: str, period: Period, *, teams: frozenset[str] | None) -> list[Satisfaction]:
    """The satisfaction answers given in `period` per group, most answers first. `group`
    is "resolver" (who moved it to resolved: the People roll-up) or one of the roll-up
    dimensions ("assignee" is the technician). An answer counts once in each group it
    falls in: a transaction with two assignees counts for each. By resolver, answers no
    member of staff resolved (a rule did) are the "(none)" row, so every grouping adds
    up to the period's total."""
    counted: dict[str, tuple[int, int]]
    if group == "resolver":
        rows = PersonDay.objects.filter(
            day__gte=period.since, day__lte=period.until, answered__gt=0
        )
        if teams is not None:
            rows = rows.filter(team__in=teams)
        counted = {
            str(person): (n, good)
            for person, n, good in rows.values("individual_id")
            .annotate(n=Sum("answered"), good=Sum("satisfied"))
            .values_list("individual_id", "n", "good")
            .order_by()
        }
        everyone = satisfaction_total(period, teams=teams)
        rest = (
            everyone.answered - sum(n for n, _ in counted.values()),
            everyone.satisfied - sum(good for _, good in counted.values()),
        )
        if rest[0] > 0:
            counted[""] = rest
        labels = label_of(Dimension.CSR, counted)
    elif group in _SATISFACTION_DIMENSIONS:
        dimension = _SATISFACTION_DIMENSIONS[group]
        counted = {
            key: (n, good)
            for key, n, good in _rows(dimension, period, teams)
            .filter(answered__gt=0)
            .values("key")
            .annotate(n=Sum("answered"), good=Sum("satisfied"))
            .values_list("key", "n", "good")
            .order_by()
        }
        labels = label_of(dimension, counted)
    else:
        raise ValueError(f"no satisfaction figures by {group!r}")
    found = [
        Satisfaction(key, labels.get(key, NONE_LABEL) if key else NONE_LABEL, n, good)
        for key, (n, good) in counted.items()
    ]
    return sorted(found, key=lambda s: (-s.answered, s.label))


def satisfaction_total(period: Period, *, teams: frozenset[str] | None) -> Satisfaction:
    """All the answers given in `period` about the reader's teams' transactions."""
    sums = _rows(Dimension.ALL, period, teams).aggregate(n=Sum("answered"), good=Sum("satisfied"))
    return Satisfaction("", "All", sums["n"] or 0, sums["good"] or 0)
