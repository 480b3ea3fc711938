"""Reading the roll-ups for a report (issue 24): a period's figures per group of one
dimension, the period before for comparison, and the days for a trend.

Only DayFigure rows are read, never the transactions: a 90-day report by team reads
90 days × teams rows, a two-year one 730 × teams. Counts are added up by the database;
duration histograms are added up here, since percentiles do not add.

`teams` is what the reader may see (access.report_teams): None for every team, else the
set of team keys whose rows are added up. A row of another team is never read.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, QuerySet, Sum

from portico.parties.models import Individual, Organization
from portico.reports import histogram
from portico.reports.models import DayFigure, Dimension, PersonDay, PortalDay, PortalUser
from portico.service.models import Application, Channel, Choice, Priority

COUNTS = (
    "opened",
    "complaints",
    "resolved",
    "closed",
    "responded",
    "response_due",
    "response_on_time",
    "resolution_due",
    "resolution_on_time",
    "value",
    "cost",
    "answered",
    "satisfied",
)
HISTOGRAMS = ("response_business", "response_clock", "resolution_business", "resolution_clock")
NONE_LABEL = "(none)"


@dataclass(frozen=True)
class Period:
    """From `since` to `until`, both days included."""

    since: datetime.date
    until: datetime.date

    def __post_init__(self) -> None:
        if self.until < self.since:
            raise ValueError("a period ends on or after its first day")

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    def previous(self) -> Period:
        """The period of the same length just before."""
        until = self.since - datetime.timedelta(days=1)
        return Period(until - datetime.timedelta(days=self.days - 1), until)

    @classmethod
    def last(cls, days: int, *, today: datetime.date) -> Period:
        return cls(today - datetime.timedelta(days=days - 1), today)


@dataclass
class Row:
    """One group's figures over a period."""

    key: str
    label: str = ""
    opened: int = 0
    complaints: int = 0
    resolved: int = 0
    closed: int = 0
    responded: int = 0
    response_due: int = 0
    response_on_time: int = 0
    resolution_due: int = 0
    resolution_on_time: int = 0
    value: Decimal = Decimal("0")
    cost: Decimal = Decimal("0")
    answered: int = 0
    satisfied: int = 0
    backlog: int = 0
    backlog_age_seconds: int = 0
    response_business: histogram.Histogram = field(default_factory=dict)
    response_clock: histogram.Histogram = field(default_factory=dict)
    resolution_business: histogram.Histogram = field(default_factory=dict)
    resolution_clock: histogram.Histogram = field(default_factory=dict)

    def median(self, name: str) -> float | None:
        return histogram.percentile(getattr(self, name), 50)

    def p90(self, name: str) -> float | None:
        return histogram.percentile(getattr(self, name), 90)

    @property
    def response_on_time_share(self) -> float | None:
        return _share(self.response_on_time, self.response_due)

    @property
    def resolution_on_time_share(self) -> float | None:
        return _share(self.resolution_on_time, self.resolution_due)

    @property
    def satisfied_share(self) -> float | None:
        return _share(self.satisfied, self.answered)

    @property
    def backlog_mean_age_days(self) -> float | None:
        return self.backlog_age_seconds / 86400 / self.backlog if self.backlog else None


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _rows(dimension: str, period: Period, teams: frozenset[str] | None) -> QuerySet[DayFigure]:
    rows = DayFigure.objects.filter(
        dimension=dimension, day__gte=period.since, day__lte=period.until
    )
    return rows if teams is None else rows.filter(team__in=teams)


def figures(dimension: str, period: Period, *, teams: frozenset[str] | None) -> list[Row]:
    """Each group's figures over `period`, most opened first; the backlog is the one at
    the end of the period's last built day."""
    rows = _rows(dimension, period, teams)
    found: dict[str, Row] = {}
    sums = {f"sum_{name}": Sum(name) for name in COUNTS}
    for summed in rows.values("key").annotate(**sums).order_by():
        values: dict[str, Any] = dict(summed)
        row = found.setdefault(values["key"], Row(key=values["key"]))
        for name in COUNTS:
            setattr(row, name, values[f"sum_{name}"] or 0)
    for key, *hists in rows.values_list("key", *HISTOGRAMS).order_by():
        row = found[key]
        for name, part in zip(HISTOGRAMS, hists, strict=True):
            histogram.add(getattr(row, name), part)
    last = rows.aggregate(last=Max("day"))["last"]
    if last is not None:
        for key, backlog, age in (
            rows.filter(day=last)
            .values("key")
            .annotate(b=Sum("backlog"), a=Sum("backlog_age_seconds"))
            .values_list("key", "b", "a")
            .order_by()
        ):
            found[key].backlog, found[key].backlog_age_seconds = backlog, age
    labels = label_of(dimension, found)
    for row in found.values():
        row.label = labels.get(row.key, NONE_LABEL) if row.key else NONE_LABEL
    return sorted(found.values(), key=lambda r: (-r.opened, r.label))


def total(period: Period, *, teams: frozenset[str] | None) -> Row:
    """The whole desk (or the reader's teams) over `period`."""
    [row] = figures(Dimension.ALL, period, teams=teams) or [Row(key="")]
    row.label = "All"
    return row


@dataclass(frozen=True)
class Day:
    day: datetime.date
    opened: int
    resolved: int
    backlog: int


def days(period: Period, *, teams: frozenset[str] | None) -> list[Day]:
    """Opened, resolved and the backlog for each day of `period` (0 on days with none)."""
    found = {
        day: Day(day, opened or 0, resolved or 0, backlog or 0)
        for day, opened, resolved, backlog in _rows(Dimension.ALL, period, teams)
        .values("day")
        .annotate(o=Sum("opened"), r=Sum("resolved"), b=Sum("backlog"))
        .values_list("day", "o", "r", "b")
        .order_by()
    }
    every = (period.since + datetime.timedelta(days=i) for i in range(period.days))
    return [found.get(d, Day(d, 0, 0, 0)) for d in every]


def label_of(dimension: str, keys: Iterable[str]) -> dict[str, str]:
    """The names of a dimension's groups, by key."""
    ids = [int(k) for k in keys if k.isdigit()]
    pairs: Iterable[tuple[object, str]]
    match dimension:
        case Dimension.TEAM | Dimension.ORGANIZATION:
            pairs = Organization.objects.filter(pk__in=ids).values_list("pk", "name")
        case Dimension.TECHNICIAN | Dimension.CSR:
            pairs = (
                (pk, f"{first} {last}")
                for pk, first, last in Individual.objects.filter(pk__in=ids).values_list(
                    "pk", "first_name", "last_name"
                )
            )
        case Dimension.APPLICATION:
            pairs = Application.objects.filter(pk__in=ids).values_list("pk", "name")
        case Dimension.PRIORITY:
            pairs = Priority.objects.filter(pk__in=ids).values_list("pk", "name")
        case Dimension.PRODUCT | Dimension.AREA:
            pairs = Choice.objects.filter(pk__in=ids).values_list("pk", "label")
        case Dimension.CHANNEL:
            pairs = [(code, str(label)) for code, label in Channel.choices]
        case _:
            pairs = []
    return {str(pk): name for pk, name in pairs}


@dataclass
class PersonRow:
    """One member of staff over a period."""

    key: str
    label: str
    actions: int
    closes: int
    customers: int
    answered: int
    satisfied: int
    days: int

    @property
    def actions_per_day(self) -> float:
        return self.actions / self.days

    @property
    def closes_per_day(self) -> float:
        return self.closes / self.days

    @property
    def customers_per_day(self) -> float:
        return self.customers / self.days

    @property
    def satisfied_share(self) -> float | None:
        return _share(self.satisfied, self.answered)


def people(period: Period, *, teams: frozenset[str] | None) -> list[PersonRow]:
    """Each member of staff's actions, closes, customers served (a customer counts once a
    day) and satisfaction answers over `period`, and per day of it; most actions first."""
    rows = PersonDay.objects.filter(day__gte=period.since, day__lte=period.until)
    if teams is not None:
        rows = rows.filter(team__in=teams)
    summed = (
        rows.values("individual_id")
        .annotate(
            a=Sum("actions"),
            c=Sum("closes"),
            s=Sum("customers"),
            n=Sum("answered"),
            g=Sum("satisfied"),
        )
        .order_by()
    )
    found = {str(r["individual_id"]): r for r in summed}
    labels = label_of(Dimension.CSR, found)
    result = [
        PersonRow(
            key=key,
            label=labels.get(key, NONE_LABEL),
            actions=r["a"] or 0,
            closes=r["c"] or 0,
            customers=r["s"] or 0,
            answered=r["n"] or 0,
            satisfied=r["g"] or 0,
            days=period.days,
        )
        for key, r in found.items()
    ]
    return sorted(result, key=lambda p: (-p.actions, p.label))


@dataclass(frozen=True)
class MonthShare:
    month: datetime.date
    total: int
    by_channel: dict[str, int]

    def share(self, channel: str) -> float | None:
        return _share(self.by_channel.get(channel, 0), self.total)


def channels_by_month(period: Period, *, teams: frozenset[str] | None) -> list[MonthShare]:
    """Transactions opened through each channel, per month of `period` (seed 001: "11%
    of issues were logged via the Portal… 40% within a year")."""
    months: dict[datetime.date, dict[str, int]] = {}
    for day, key, opened in (
        _rows(Dimension.CHANNEL, period, teams)
        .values("day", "key")
        .annotate(n=Sum("opened"))
        .values_list("day", "key", "n")
        .order_by()
    ):
        month = months.setdefault(day.replace(day=1), {})
        month[key] = month.get(key, 0) + (opened or 0)
    return [
        MonthShare(month, sum(counts.values()), counts) for month, counts in sorted(months.items())
    ]


@dataclass(frozen=True)
class SelfService:
    logins: int
    searches: int
    empty_searches: int
    deflections: int

    @property
    def empty_share(self) -> float | None:
        return _share(self.empty_searches, self.searches)


def self_service(period: Period) -> SelfService:
    """The portals' log-ins, searches, searches that found nothing and deflections over
    `period` (the whole desk: a search belongs to no team)."""
    sums = PortalDay.objects.filter(day__gte=period.since, day__lte=period.until).aggregate(
        logins=Sum("logins"),
        searches=Sum("searches"),
        empty=Sum("empty_searches"),
        deflections=Sum("deflections"),
    )
    return SelfService(
        sums["logins"] or 0, sums["searches"] or 0, sums["empty"] or 0, sums["deflections"] or 0
    )


def active_portal_users(period: Period) -> list[tuple[str, list[int]]]:
    """Per organisation: how many of its people logged in to a portal in each month of
    `period`, the organisations with most users in the last month first."""
    months = _months(period)
    counts: dict[str, list[int]] = {}
    for month, organization, n in (
        PortalUser.objects.filter(month__gte=months[0], month__lte=months[-1])
        .values("month", "organization")
        .annotate(n=Count("pk"))
        .values_list("month", "organization", "n")
        .order_by()
    ):
        counts.setdefault(organization, [0] * len(months))[months.index(month)] = n
    labels = label_of(Dimension.ORGANIZATION, counts)
    named = [(labels.get(key, NONE_LABEL), row) for key, row in counts.items()]
    return sorted(named, key=lambda r: (-r[1][-1], r[0]))


def _months(period: Period) -> list[datetime.date]:
    month, months = period.since.replace(day=1), []
    while month <= period.until:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def months_of(period: Period) -> list[datetime.date]:
    return _months(period)


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
