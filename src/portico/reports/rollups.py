"""Building the daily roll-ups (portico.reports.models) from the raw rows (issue 24).

`build(first, last)` recomputes the figures of those days from the transactions, their
grants and profile values, and the satisfaction answers, and replaces the days' rows in
one database transaction: building a day twice gives the same rows, and a reader never
sees a day half built. The worker rebuilds the recent days (`reports.rollups` in
tasks.py); `portico prepare --demo` builds the demo's history.

A long range is built a month at a time, so memory stays bounded by a month's
transactions and the backlog of the time.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.db import transaction as db
from django.db.models import Q, Sum
from django.utils import timezone

from portico.access import AUTOMATION_EMAIL
from portico.parties.models import Individual, Portal
from portico.reports import activity, histogram
from portico.reports.days import Days
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
    StaleDay,
)
from portico.service import sla
from portico.service.calendar import BusinessHours, business_minutes_between
from portico.service.filters import AREA, PRODUCT
from portico.service.models import (
    Grant,
    Permission,
    ProfileValue,
    Transaction,
)
from portico.surveys.models import Answer

CHUNK_DAYS = 31
# Stale days rebuilt per run of the worker's job (a month of days: one chunk's work).
STALE_DAYS_PER_RUN = 31
COMPLAINT = "complaint"
_FIELDS = (
    "pk",
    "created_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "response_due_at",
    "resolution_due_at",
    "sla_paused_minutes",
    "team_id",
    "recorded_by_id",
    "application_id",
    "application__code",
    "priority_id",
    "organization_id",
    "channel",
    "value",
    "cost",
)


@dataclass
class _Figure:
    opened: int = 0
    complaints: int = 0
    resolved: int = 0
    closed: int = 0
    responded: int = 0
    response_due: int = 0
    response_on_time: int = 0
    resolution_due: int = 0
    resolution_on_time: int = 0
    response_business: histogram.Histogram = field(default_factory=dict)
    response_clock: histogram.Histogram = field(default_factory=dict)
    resolution_business: histogram.Histogram = field(default_factory=dict)
    resolution_clock: histogram.Histogram = field(default_factory=dict)
    value: Decimal = Decimal("0")
    cost: Decimal = Decimal("0")
    answered: int = 0
    satisfied: int = 0

    def row(self, day: datetime.date, dimension: str, team: str, key: str) -> tuple[Any, ...]:
        """The row's values in the order of `_FIGURE_COLUMNS`."""
        return (
            day.isoformat(),
            dimension,
            team,
            key,
            self.opened,
            self.complaints,
            self.resolved,
            self.closed,
            self.responded,
            self.response_due,
            self.response_on_time,
            self.resolution_due,
            self.resolution_on_time,
            json.dumps(self.response_business),
            json.dumps(self.response_clock),
            json.dumps(self.resolution_business),
            json.dumps(self.resolution_clock),
            self.value,
            self.cost,
            self.answered,
            self.satisfied,
        )


_FIGURE_COLUMNS = (
    "day",
    "dimension",
    "team",
    "key",
    "opened",
    "complaints",
    "resolved",
    "closed",
    "responded",
    "response_due",
    "response_on_time",
    "resolution_due",
    "resolution_on_time",
    "response_business",
    "response_clock",
    "resolution_business",
    "resolution_clock",
    "value",
    "cost",
    "answered",
    "satisfied",
)
_BACKLOG_COLUMNS = ("day", "dimension", "team", "key", "backlog", "age_seconds")


def _insert(
    model: type[models.Model], columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """Insert plain tuples: a two-year build writes millions of rows at scale, and making a
    model instance of each (bulk_create) cost four times the figures' own arithmetic."""
    if not rows:
        return
    connection = db.get_connection()
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    fields = {f.name: f.column for f in model._meta.concrete_fields}
    names = ", ".join(quote(fields[c]) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 - the model's own names
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


def _put(into: histogram.Histogram, bucket: str) -> None:
    into[bucket] = into.get(bucket, 0) + 1


def _keys(
    row: dict[str, Any], assignees: list[int], profile: dict[str, int], staff: frozenset[int]
) -> Iterator[tuple[str, str, str]]:
    """The (dimension, team, key) groups a transaction counts in."""

    def text(value: object) -> str:
        return "" if value is None else str(value)

    team = text(row["team_id"])
    yield Dimension.ALL, team, ""
    yield Dimension.TEAM, team, team
    people: list[int | None] = [*assignees] or [None]
    for person in people:
        yield Dimension.TECHNICIAN, team, text(person)
    # A request a customer logged on the portal, or one that came by e-mail, had no
    # CSR: it counts under "(none)", not under the customer.
    recorded = row["recorded_by_id"]
    yield Dimension.CSR, team, text(recorded if recorded in staff else None)
    yield Dimension.APPLICATION, team, text(row["application_id"])
    yield Dimension.PRIORITY, team, text(row["priority_id"])
    yield Dimension.PRODUCT, team, text(profile.get(PRODUCT))
    yield Dimension.AREA, team, text(profile.get(AREA))
    yield Dimension.ORGANIZATION, team, text(row["organization_id"])
    yield Dimension.CHANNEL, team, text(row["channel"])


def _lookups(ids: list[int]) -> tuple[dict[int, list[int]], dict[int, dict[str, int]]]:
    """The transactions' assignees (Assigned to for action) and product and area."""
    task = list(Permission.objects.filter(on_task_list=True).values_list("pk", flat=True))
    assignees: dict[int, list[int]] = defaultdict(list)
    profiles: dict[int, dict[str, int]] = defaultdict(dict)
    for start in range(0, len(ids), 5000):
        part = ids[start : start + 5000]
        for t, person in (
            Grant.objects.filter(
                transaction_id__in=part, permission_id__in=task, individual__isnull=False
            )
            .values_list("transaction_id", "individual_id")
            .order_by("transaction_id", "individual_id")
            .distinct()
        ):
            assignees[t].append(person)
        for t, code, choice in ProfileValue.objects.filter(
            transaction_id__in=part,
            classification__code__in=(PRODUCT, AREA),
            choice__isnull=False,
        ).values_list("transaction_id", "classification__code", "choice_id"):
            profiles[t][code] = choice
    return assignees, profiles


def _assigned_when_asked(
    answers: list[tuple[int, datetime.datetime | None, bool | None, datetime.datetime]],
) -> Callable[[int, datetime.datetime], list[int]]:
    """Who each answered transaction was Assigned to for action when its question was
    asked (a few answers a day: one query for them all)."""
    task = list(Permission.objects.filter(on_task_list=True).values_list("pk", flat=True))
    grants: dict[int, list[tuple[int, datetime.datetime]]] = defaultdict(list)
    for t, person, granted_at in Grant.objects.filter(
        transaction_id__in=sorted({t for t, _, _, _ in answers}),
        permission_id__in=task,
        individual__isnull=False,
    ).values_list("transaction_id", "individual_id", "granted_at"):
        grants[t].append((person, granted_at))

    def asked_of(transaction_id: int, asked_at: datetime.datetime) -> list[int]:
        return sorted({p for p, at in grants[transaction_id] if at <= asked_at})

    return asked_of


def staff_of_console() -> dict[int, int]:
    """Members of a console group (not the rules' person), user id to individual id: the
    people whose work the People report counts, and who may be a transaction's CSR."""
    return dict(
        Individual.objects.filter(user__isnull=False, user_group__portal=Portal.CONSOLE)
        .exclude(email=AUTOMATION_EMAIL)
        .values_list("user_id", "pk")
    )


def _build_chunk(
    days: Days, hours: BusinessHours, staff: frozenset[int]
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The chunk's DayFigure rows and DayBacklog rows, as tuples of their columns."""
    start, end = days.start, days.end
    rows = list(
        Transaction.objects.filter(
            (Q(created_at__lt=end) & (Q(resolved_at__isnull=True) | Q(resolved_at__gte=start)))
            | Q(first_response_at__gte=start, first_response_at__lt=end)
            | Q(closed_at__gte=start, closed_at__lt=end)
        )
        .order_by()
        .values(*_FIELDS)
    )
    answers = list(
        Answer.objects.filter(answered_at__gte=start, answered_at__lt=end).values_list(
            "transaction_id", "answered_at", "satisfied", "asked_at"
        )
    )
    known = {row["pk"] for row in rows}
    missing = sorted({t for t, _, _, _ in answers} - known)
    rows += list(Transaction.objects.filter(pk__in=missing).order_by().values(*_FIELDS))
    by_id = {row["pk"]: row for row in rows}
    assignees, profiles = _lookups(sorted(by_id))

    n = len(days.days)
    figures: dict[tuple[int, str, str, str], _Figure] = defaultdict(_Figure)
    # Backlog by difference arrays: +1 on the first open day, -1 after the last.
    backlog: dict[tuple[str, str, str], list[float]] = {}
    created_sum: dict[tuple[str, str, str], list[float]] = {}

    for row in rows:
        keys = list(_keys(row, assignees.get(row["pk"], []), profiles.get(row["pk"], {}), staff))
        created: datetime.datetime = row["created_at"]
        responded: datetime.datetime | None = row["first_response_at"]
        resolved: datetime.datetime | None = row["resolved_at"]
        i = days.index(created)
        if i is not None:
            for key in keys:
                f = figures[(i, *key)]
                f.opened += 1
                f.complaints += row["application__code"] == COMPLAINT
                f.value += row["value"]
                f.cost += row["cost"]
        i = days.index(responded)
        if i is not None and responded is not None:
            # A transaction counts in some ten groups: its buckets are worked out once.
            business = str(histogram.bucket(business_minutes_between(created, responded, hours)))
            clock = str(histogram.bucket((responded - created).total_seconds() / 60))
            due = row["response_due_at"]
            for key in keys:
                f = figures[(i, *key)]
                f.responded += 1
                _put(f.response_business, business)
                _put(f.response_clock, clock)
                if due is not None:
                    f.response_due += 1
                    f.response_on_time += responded <= due
        i = days.index(resolved)
        if i is not None and resolved is not None:
            paused: int = row["sla_paused_minutes"]
            business = str(
                histogram.bucket(
                    max(0, business_minutes_between(created, resolved, hours) - paused)
                )
            )
            clock = str(histogram.bucket((resolved - created).total_seconds() / 60))
            due = row["resolution_due_at"]
            for key in keys:
                f = figures[(i, *key)]
                f.resolved += 1
                _put(f.resolution_business, business)
                _put(f.resolution_clock, clock)
                if due is not None:
                    f.resolution_due += 1
                    f.resolution_on_time += resolved <= due
        i = days.index(row["closed_at"])
        if i is not None:
            for key in keys:
                figures[(i, *key)].closed += 1
        if created < days.end:
            open_days = days.open_days(created, resolved)
            if open_days:
                stamp = created.timestamp()
                for key in keys:
                    counts = backlog.setdefault(key, [0.0] * (n + 1))
                    stamps = created_sum.setdefault(key, [0.0] * (n + 1))
                    counts[open_days.start] += 1
                    counts[open_days.stop] -= 1
                    stamps[open_days.start] += stamp
                    stamps[open_days.stop] -= stamp

    asked_of = _assigned_when_asked(answers)
    for transaction_id, answered_at, satisfied, asked_at in answers:
        i = days.index(answered_at)
        assert i is not None
        row = by_id[transaction_id]
        # An answer is about the work of those assigned when the question was asked: a
        # supervisor assigned the not-satisfied follow-up is not its technician.
        people = asked_of(transaction_id, asked_at)
        for key in _keys(row, people, profiles.get(transaction_id, {}), staff):
            f = figures[(i, *key)]
            f.answered += 1
            f.satisfied += bool(satisfied)

    open_rows: list[tuple[Any, ...]] = []
    for key, counts in backlog.items():
        open_now, stamps_now = 0.0, 0.0
        stamps = created_sum[key]
        for i in range(n):
            open_now += counts[i]
            stamps_now += stamps[i]
            if open_now:
                age = open_now * days.edges[i + 1].timestamp() - stamps_now
                open_rows.append((days.days[i].isoformat(), *key, round(open_now), round(age)))

    return [
        f.row(days.days[i], dimension, team, key)
        for (i, dimension, team, key), f in figures.items()
    ], open_rows


def build(
    first: datetime.date, last: datetime.date, *, now: datetime.datetime | None = None
) -> int:
    """Rebuild the figures of the days `first` to `last` (inclusive); returns the rows
    written."""
    if last < first:
        return 0
    built_at = now or timezone.now()
    hours = sla.default_calendar().hours()
    staff_users = staff_of_console()
    staff = frozenset(staff_users.values())
    written = 0
    for chunk in _chunks(first, last):
        days = Days(*chunk)
        # The marks of changes made before this read are answered by it (StaleDay).
        reading_from = timezone.now()
        rows, open_rows = _build_chunk(days, hours, staff)
        people = activity.people_days(days, staff_users)
        portal_days, portal_users = activity.portal_days(days)
        with db.atomic():
            _one_builder_at_a_time()
            PortalDay.objects.filter(day__gte=chunk[0], day__lte=chunk[1]).delete()
            PortalDay.objects.bulk_create(portal_days, batch_size=2000)
            # Users are per month and only ever added: a month's log-ins stay counted
            # when a later chunk rebuilds some of its days.
            PortalUser.objects.bulk_create(portal_users, batch_size=2000, ignore_conflicts=True)
            DayFigure.objects.filter(day__gte=chunk[0], day__lte=chunk[1]).delete()
            _insert(DayFigure, _FIGURE_COLUMNS, rows)
            DayBacklog.objects.filter(day__gte=chunk[0], day__lte=chunk[1]).delete()
            _insert(DayBacklog, _BACKLOG_COLUMNS, open_rows)
            PersonDay.objects.filter(day__gte=chunk[0], day__lte=chunk[1]).delete()
            PersonDay.objects.bulk_create(people, batch_size=2000)
            BuiltDay.objects.filter(day__gte=chunk[0], day__lte=chunk[1]).delete()
            BuiltDay.objects.bulk_create(BuiltDay(day=d, built_at=built_at) for d in days.days)
            StaleDay.objects.filter(
                day__gte=chunk[0], day__lte=chunk[1], marked_at__lt=reading_from
            ).delete()
        written += len(rows)
    _build_months(first, last)
    return written


_MONTH_COLUMNS = ("month", "dimension", "team", "key", *COUNTS, *HISTOGRAMS)


def _build_months(first: datetime.date, last: datetime.date) -> None:
    """Add up again the months the days `first` to `last` fall in (MonthFigure)."""
    month = first.replace(day=1)
    while month <= last:
        following = (month + datetime.timedelta(days=32)).replace(day=1)
        days = DayFigure.objects.filter(day__gte=month, day__lt=following)
        found: dict[tuple[str, str, str], dict[str, Any]] = {}
        for summed in (
            days.values("dimension", "team", "key")
            .annotate(**{name: Sum(name) for name in COUNTS})
            .order_by()
        ):
            values: dict[str, Any] = dict(summed)
            group = (values.pop("dimension"), values.pop("team"), values.pop("key"))
            found[group] = values | {name: {} for name in HISTOGRAMS}
        for dimension, team, key, *parts in (
            days.filter(Q(responded__gt=0) | Q(resolved__gt=0))
            .values_list("dimension", "team", "key", *HISTOGRAMS)
            .order_by()
        ):
            into = found[(dimension, team, key)]
            for name, part in zip(HISTOGRAMS, parts, strict=True):
                histogram.add(into[name], part)
        rows = [
            (
                month.isoformat(),
                *group,
                *(figures[name] for name in COUNTS),
                *(json.dumps(figures[name]) for name in HISTOGRAMS),
            )
            for group, figures in found.items()
        ]
        with db.atomic():
            _one_builder_at_a_time()
            MonthFigure.objects.filter(month=month).delete()
            _insert(MonthFigure, _MONTH_COLUMNS, rows)
        month = following


def build_stale(
    *, before: datetime.date, limit: int = STALE_DAYS_PER_RUN, now: datetime.datetime | None = None
) -> int:
    """Rebuild the days before `before` that a change has marked stale (StaleDay), the
    oldest `limit` of them, consecutive days together; returns the rows written. Bounded,
    so that one change to a long-open request (or a large import) is caught up over a
    few runs rather than holding the worker for one long one."""
    days = list(
        StaleDay.objects.filter(day__lt=before)
        .order_by("day")
        .values_list("day", flat=True)[:limit]
    )
    written = 0
    for first, last in _runs(days):
        written += build(first, last, now=now)
    return written


def _runs(days: list[datetime.date]) -> Iterator[tuple[datetime.date, datetime.date]]:
    """Sorted days as runs of consecutive days: (first, last) of each."""
    if not days:
        return
    first = last = days[0]
    for day in days[1:]:
        if day != last + datetime.timedelta(days=1):
            yield first, last
            first = day
        last = day
    yield first, last


# Two builders of the same days (the worker's job and a `prepare --demo`, or a rebuild
# by hand) would each delete the other's rows unseen and insert theirs twice: on
# PostgreSQL they queue on this lock, held to the end of the transaction. (SQLite
# serialises writing transactions already.)
_BUILD_LOCK = 0x7265706F  # "repo"


def _one_builder_at_a_time() -> None:
    connection = db.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_BUILD_LOCK])


def _chunks(
    first: datetime.date, last: datetime.date
) -> Iterable[tuple[datetime.date, datetime.date]]:
    while first <= last:
        end = min(last, first + datetime.timedelta(days=CHUNK_DAYS - 1))
        yield first, end
        first = end + datetime.timedelta(days=1)
