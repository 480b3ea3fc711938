"""The daily roll-ups (issue 24): figures worked out by hand for three transactions over
three days, and the roll-ups against the same figures recomputed from the raw rows of a
random month."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from portico.parties.models import Organization
from portico.reports import histogram, queries, rollups
from portico.reports.models import BuiltDay, DayBacklog, DayFigure, Dimension, MonthFigure
from portico.service import actions
from portico.service.models import Application, Transaction
from tests.console.test_lists import user

pytestmark = pytest.mark.usefixtures("demo_people")

LONDON = ZoneInfo("Europe/London")


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime.datetime:
    # London is on GMT in November: local time is UTC.
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=LONDON)


def made(**moments: object) -> Transaction:
    t = actions.create_transaction(
        actor=user("csr"),
        application=Application.objects.get(code="enquiry"),
        title="Hand-built",
        requester=None,
        organization=None,
    )
    Transaction.objects.filter(pk=t.pk).update(**moments)
    t.refresh_from_db()
    return t


def figure(day: int, dimension: str = Dimension.ALL, key: str = "") -> DayFigure:
    return figure_of(datetime.date(2026, 11, day), dimension, key)


def figure_of(day: datetime.date, dimension: str = Dimension.ALL, key: str = "") -> DayFigure:
    """The day's figure for the whole desk: every team's row of the group added up."""
    rows = list(DayFigure.objects.filter(day=day, dimension=dimension, key=key))
    assert len({row.team for row in rows}) == len(rows)
    total = rows[0]
    for row in rows[1:]:
        for name in (
            "opened",
            "responded",
            "resolved",
            "response_due",
            "response_on_time",
            "resolution_due",
            "resolution_on_time",
            "value",
            "cost",
        ):
            setattr(total, name, getattr(total, name) + getattr(row, name))
        for name in (
            "response_business",
            "response_clock",
            "resolution_business",
            "resolution_clock",
        ):
            histogram.add(getattr(total, name), getattr(row, name))
    return total


def open_at(
    day: int | datetime.date, dimension: str = Dimension.ALL, key: str = ""
) -> tuple[int, int]:
    """The backlog at the day's end, every team's added up: (open, their ages in seconds)."""
    when = datetime.date(2026, 11, day) if isinstance(day, int) else day
    rows = DayBacklog.objects.filter(day=when, dimension=dimension, key=key)
    return sum(r.backlog for r in rows), sum(r.age_seconds for r in rows)


def test_three_transactions_over_three_days() -> None:
    # Wednesday 4 and Thursday 5 November 2026 are working days, 09:00-17:30.
    one = made(
        created_at=at(4, 10),
        first_response_at=at(4, 10, 30),
        response_due_at=at(4, 11),
        resolved_at=at(5, 10),
        resolution_due_at=at(4, 12),
        value=Decimal("100.00"),
        cost=Decimal("40.00"),
    )
    made(
        created_at=at(4, 16),
        first_response_at=at(5, 9, 30),
        response_due_at=at(4, 17),
        resolved_at=None,
        resolution_due_at=None,
        value=Decimal("20.00"),
        cost=Decimal("5.50"),
    )
    made(created_at=at(3, 12), first_response_at=None, resolved_at=None)

    rollups.build(datetime.date(2026, 11, 3), datetime.date(2026, 11, 5))

    tuesday, wednesday, thursday = figure(3), figure(4), figure(5)
    assert (tuesday.opened, tuesday.responded, tuesday.resolved) == (1, 0, 0)
    # Open at midnight: the third, 12 hours old.
    assert open_at(3) == (1, 12 * 3600)

    assert (wednesday.opened, wednesday.responded, wednesday.resolved) == (2, 1, 0)
    assert (wednesday.response_due, wednesday.response_on_time) == (1, 1)
    assert (wednesday.value, wednesday.cost) == (Decimal("120.00"), Decimal("45.50"))
    # All three open at midnight: 14 + 8 + 36 hours old.
    assert open_at(4) == (3, 58 * 3600)

    assert (thursday.opened, thursday.responded, thursday.resolved) == (0, 1, 1)
    # The second's response came at 09:30 the next day, due 17:00 the day before.
    assert (thursday.response_due, thursday.response_on_time) == (1, 0)
    # The first was resolved at 10:00 on Thursday, due 12:00 on Wednesday.
    assert (thursday.resolution_due, thursday.resolution_on_time) == (1, 0)
    # Two left open at midnight: 32 and 60 hours old.
    assert open_at(5) == (2, 92 * 3600)

    # Durations: the first's response 30 minutes (business and clock); the second's 90
    # business minutes on Wednesday and 30 on Thursday, 17 h 30 min on the clock; the
    # first's resolution 450 + 60 business minutes, 24 hours on the clock.
    responses = dict(wednesday.response_business)
    histogram.add(responses, thursday.response_business)
    assert histogram.percentile(responses, 50) == pytest.approx(30, rel=0.025)
    assert histogram.percentile(responses, 100) == pytest.approx(120, rel=0.025)
    assert histogram.percentile(thursday.response_clock, 50) == pytest.approx(1050, rel=0.025)
    assert histogram.percentile(thursday.resolution_business, 50) == pytest.approx(510, rel=0.025)
    assert histogram.percentile(thursday.resolution_clock, 50) == pytest.approx(1440, rel=0.025)

    # By team: the team it was given to when recorded.
    assert one.team_id is not None
    assert figure(4, Dimension.TEAM, str(one.team_id)).opened == 2
    built = BuiltDay.objects.filter(
        day__gte=datetime.date(2026, 11, 3), day__lte=datetime.date(2026, 11, 5)
    )
    assert built.count() == 3


def test_building_again_gives_the_same_rows() -> None:
    made(created_at=at(4, 10), first_response_at=at(4, 11), resolved_at=at(4, 15))
    first, last = datetime.date(2026, 11, 4), datetime.date(2026, 11, 4)
    written = rollups.build(first, last)
    before = sorted(DayFigure.objects.values_list("dimension", "key", "opened", "resolved"))
    assert rollups.build(first, last) == written
    assert sorted(DayFigure.objects.values_list("dimension", "key", "opened", "resolved")) == before


def test_the_rollups_equal_the_raw_rows_of_a_random_month() -> None:
    rng = random.Random(24)
    start = datetime.datetime(2026, 10, 1, tzinfo=LONDON)
    teams = list(Organization.objects.filter(kind="team").values_list("pk", flat=True))
    assert len(teams) >= 2
    rows = []
    for _ in range(60):
        created = start + datetime.timedelta(minutes=rng.randrange(0, 28 * 24 * 60))
        responded = created + datetime.timedelta(minutes=rng.randrange(1, 3000))
        resolved = (
            responded + datetime.timedelta(minutes=rng.randrange(1, 20000))
            if rng.random() < 0.7
            else None
        )
        rows.append(
            made(
                created_at=created,
                first_response_at=responded if rng.random() < 0.9 else None,
                resolved_at=resolved,
                response_due_at=created + datetime.timedelta(hours=rng.choice([1, 4, 8])),
                resolution_due_at=None,
                team_id=rng.choice(teams),
            )
        )
    first, last = datetime.date(2026, 10, 1), datetime.date(2026, 11, 10)
    rollups.build(first, last)

    # The same figures straight from the rows, day by day, for the whole desk.
    ends = {
        first + datetime.timedelta(days=i): datetime.datetime.combine(
            first + datetime.timedelta(days=i + 1), datetime.time(), tzinfo=LONDON
        )
        for i in range((last - first).days + 1)
    }

    def day_of(moment: datetime.datetime | None) -> datetime.date | None:
        return None if moment is None else moment.astimezone(LONDON).date()

    for day, end in ends.items():
        got = (
            figure_of(day)
            if DayFigure.objects.filter(day=day, dimension=Dimension.ALL).exists()
            else None
        )
        n_open, open_age = open_at(day)
        n_opened = sum(day_of(t.created_at) == day for t in rows)
        n_resolved = sum(day_of(t.resolved_at) == day for t in rows)
        responses = [t for t in rows if day_of(t.first_response_at) == day]
        on_time = sum(
            t.first_response_at <= t.response_due_at  # type: ignore[operator]
            for t in responses
        )
        backlog = [
            t
            for t in rows
            if t.created_at < end and (t.resolved_at is None or t.resolved_at >= end)
        ]
        age = sum((end - t.created_at).total_seconds() for t in backlog)
        assert n_open == len(backlog), day
        # Each team's row rounds its sum to the second.
        assert abs(open_age - age) <= len(teams), day
        if got is None:
            assert n_opened == n_resolved == len(responses) == 0, day
            continue
        assert (got.opened, got.resolved, got.responded) == (n_opened, n_resolved, len(responses))
        assert (got.response_due, got.response_on_time) == (len(responses), on_time)

    # Percentiles over the whole period, from the histograms, within 2.5 % (or a minute).
    summed: histogram.Histogram = {}
    for row in DayFigure.objects.filter(dimension=Dimension.ALL):
        histogram.add(summed, row.response_clock)
    raw = sorted(
        (t.first_response_at - t.created_at).total_seconds() / 60
        for t in rows
        if t.first_response_at is not None
    )
    for q in (50, 90):
        exact = raw[max(1, -(-q * len(raw) // 100)) - 1]
        estimate = histogram.percentile(summed, q)
        assert estimate is not None
        assert abs(estimate - exact) <= max(1, 0.025 * exact), q


def test_closed_in_the_range_after_a_resolve_before_it() -> None:
    # Resolved on the 2nd, closed on the 4th: the 4th counts a close and no backlog.
    made(
        created_at=at(1, 10),
        first_response_at=at(1, 11),
        resolved_at=at(2, 10),
        closed_at=at(4, 10),
    )
    rollups.build(datetime.date(2026, 11, 4), datetime.date(2026, 11, 4))
    wednesday = figure(4)
    assert (wednesday.closed, wednesday.resolved) == (1, 0)
    assert open_at(4) == (0, 0)


def test_a_period_over_whole_months_reads_the_months_and_adds_up_the_same() -> None:
    # Across October, the whole of November and into December (London: GMT from 25 Oct).
    made(created_at=at(30, 10, month=10), first_response_at=at(30, 11, month=10))
    made(
        created_at=at(10, 10),
        first_response_at=at(10, 10, 20),
        resolved_at=at(12, 10),
    )
    made(created_at=at(20, 9), first_response_at=at(20, 10), resolved_at=at(1, 12, month=12))
    made(created_at=at(2, 10, month=12))
    rollups.build(datetime.date(2026, 10, 28), datetime.date(2026, 12, 3))

    [november] = MonthFigure.objects.filter(
        dimension=Dimension.ALL, month=datetime.date(2026, 11, 1)
    )
    # By hand: two opened in November, two first responses (20 and 60 minutes), one
    # resolved (the one of the 10th; the 20th's was resolved in December).
    assert (november.opened, november.responded, november.resolved) == (2, 2, 1)
    assert histogram.count(november.response_clock) == 2

    period = queries.Period(datetime.date(2026, 10, 28), datetime.date(2026, 12, 3))
    [row] = queries.figures(Dimension.ALL, period, teams=None)
    # The ends' days and November's month: four opened, three responded, two resolved.
    assert (row.opened, row.responded, row.resolved) == (4, 3, 2)
    # The median of 60, 20 and 60 minutes of first response.
    assert row.median("response_clock") == pytest.approx(60, rel=0.025)
    assert histogram.count(row.resolution_clock) == 2
