"""Reading the roll-ups for a report (issue 24): a period's figures per group of one
dimension, the backlog at its end, and the days for a trend.

Only DayFigure rows are read, never the transactions: a 90-day report by team reads
90 days × teams rows, a two-year one 730 × teams. Counts are added up by the database;
duration histograms are added up here, since percentiles do not add.

`teams` is what the reader may see (access.report_teams): None for every team, else the
set of team keys whose rows are added up. A row of another team is never read.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet, Sum

from portico.knowledge.models import Search
from portico.parties.models import Individual, Organization
from portico.reports import histogram
from portico.reports.models import (
    COUNTS,
    HISTOGRAMS,
    BuiltDay,
    DayBacklog,
    DayFigure,
    Dimension,
    MonthFigure,
    PersonDay,
    PortalDay,
    PortalUser,
)
from portico.service.models import Application, Channel, Choice, Priority

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


def _sources(
    dimension: str, period: Period, teams: frozenset[str] | None
) -> list[QuerySet[DayFigure] | QuerySet[MonthFigure]]:
    """The rows that add up to `period`: the calendar months it covers whole from
    MonthFigure, the days at its ends from DayFigure."""
    months: list[datetime.date] = []
    month = period.since.replace(day=1)
    if month < period.since:
        month = _next_month(month)
    while _next_month(month) - datetime.timedelta(days=1) <= period.until:
        months.append(month)
        month = _next_month(month)
    if not months:
        return [_rows(dimension, period, teams)]
    whole = MonthFigure.objects.filter(dimension=dimension, month__in=months)
    if teams is not None:
        whole = whole.filter(team__in=teams)
    ends = DayFigure.objects.filter(dimension=dimension).filter(
        Q(day__gte=period.since, day__lt=months[0])
        | Q(day__gte=_next_month(months[-1]), day__lte=period.until)
    )
    if teams is not None:
        ends = ends.filter(team__in=teams)
    return [ends, whole]


def _next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def figures(
    dimension: str,
    period: Period,
    *,
    teams: frozenset[str] | None,
    keys: Collection[str] | None = None,
) -> list[Row]:
    """Each group's figures over `period` (or those of `keys` only), most opened first;
    the backlog is the one at the end of the period's last built day."""
    return _figures(dimension, period, teams=teams, keys=keys)[0]


def top_figures(
    dimension: str, period: Period, *, teams: frozenset[str] | None, limit: int
) -> tuple[list[Row], int]:
    """The `limit` groups most opened in `period`, and how many groups there are in all:
    a page lists the busiest organisations, not five thousand of them (the export has
    every one)."""
    return _figures(dimension, period, teams=teams, limit=limit)


def _figures(
    dimension: str,
    period: Period,
    *,
    teams: frozenset[str] | None,
    limit: int | None = None,
    keys: Collection[str] | None = None,
) -> tuple[list[Row], int]:
    sources = _sources(dimension, period, teams)
    if keys is not None:
        sources = [rows.filter(key__in=list(keys)) for rows in sources]
    found: dict[str, Row] = {}
    sums = {f"sum_{name}": Sum(name) for name in COUNTS}
    for rows in sources:
        for summed in rows.values("key").annotate(**sums).order_by():
            values: dict[str, Any] = dict(summed)
            row = found.setdefault(values["key"], Row(key=values["key"]))
            for name in COUNTS:
                setattr(row, name, getattr(row, name) + (values[f"sum_{name}"] or 0))
    for key, backlog, age in _backlog(dimension, period, teams):
        if keys is not None and key not in keys:
            continue
        row = found.setdefault(key, Row(key=key))
        row.backlog, row.backlog_age_seconds = backlog, age
    groups = len(found)
    ordered = sorted(found.values(), key=lambda r: (-r.opened, -r.backlog, r.key))
    if limit is not None:
        ordered = ordered[:limit]
    # Percentiles do not add up: the histograms are added here, and only those of the
    # rows shown and of days that had a response or a resolve (most rows have neither).
    for rows in sources:
        timed = rows.filter(Q(responded__gt=0) | Q(resolved__gt=0))
        if limit is not None and groups > limit:
            timed = timed.filter(key__in=[row.key for row in ordered])
        for key, *hists in timed.values_list("key", *HISTOGRAMS).order_by():
            row = found[key]
            for name, part in zip(HISTOGRAMS, hists, strict=True):
                histogram.add(getattr(row, name), part)
    labels = label_of(dimension, [row.key for row in ordered])
    for row in ordered:
        row.label = labels.get(row.key, NONE_LABEL) if row.key else NONE_LABEL
    return sorted(ordered, key=lambda r: (-r.opened, r.label)), groups


def _backlog(
    dimension: str, period: Period, teams: frozenset[str] | None
) -> list[tuple[str, int, int]]:
    """Each group's backlog at the end of the period's last built day: (key, open, the
    sum of their ages in seconds)."""
    last = BuiltDay.objects.filter(day__gte=period.since, day__lte=period.until).aggregate(
        last=Max("day")
    )["last"]
    if last is None:
        return []
    rows = DayBacklog.objects.filter(dimension=dimension, day=last)
    if teams is not None:
        rows = rows.filter(team__in=teams)
    return list(
        rows.values("key")
        .annotate(b=Sum("backlog"), a=Sum("age_seconds"))
        .values_list("key", "b", "a")
        .order_by()
    )


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
    flow = {
        day: (opened or 0, resolved or 0)
        for day, opened, resolved in _rows(Dimension.ALL, period, teams)
        .values("day")
        .annotate(o=Sum("opened"), r=Sum("resolved"))
        .values_list("day", "o", "r")
        .order_by()
    }
    backlog = DayBacklog.objects.filter(
        dimension=Dimension.ALL, day__gte=period.since, day__lte=period.until
    )
    if teams is not None:
        backlog = backlog.filter(team__in=teams)
    open_at = dict(
        backlog.values("day").annotate(b=Sum("backlog")).values_list("day", "b").order_by()
    )
    every = (period.since + datetime.timedelta(days=i) for i in range(period.days))
    return [Day(d, *flow.get(d, (0, 0)), open_at.get(d, 0)) for d in every]


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


def knowledge_gaps(period: Period, *, limit: int | None = 15) -> list[tuple[str, int]]:
    """The searches of the period that found nothing, most asked first: what the
    knowledge base is missing. (Search rows, not a roll-up: the empty ones are few, and
    read through their own index.) The page shows the first `limit`; an export all."""
    zone = ZoneInfo(settings.TIME_ZONE)
    since = datetime.datetime.combine(period.since, datetime.time(), tzinfo=zone)
    until = datetime.datetime.combine(
        period.until + datetime.timedelta(days=1), datetime.time(), tzinfo=zone
    )
    found = (
        Search.objects.filter(results=0, created_at__gte=since, created_at__lt=until)
        .values("query")
        .annotate(n=Count("pk"))
        .order_by("-n", "query")
        .values_list("query", "n")
    )
    return list(found if limit is None else found[:limit])
