"""Business-hours arithmetic for SLA due times: worked examples on a Glasgow service
desk, daylight-saving changes, and properties checked by hypothesis."""

from __future__ import annotations

import time as clock
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portico.service.calendar import (
    BusinessHours,
    add_business_minutes,
    business_minutes_between,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS = frozenset(range(5))

P1, P2, P3, P4 = 30, 60, 4 * 60, 8 * 60

GLASGOW = BusinessHours(
    time_zone="Europe/London",
    opens=time(9, 0),
    closes=time(17, 30),
    workdays=WEEKDAYS,
    country="GB",
    subdivision="SCT",
)
LONDON_OFFICE = BusinessHours(
    time_zone="Europe/London",
    opens=time(9, 0),
    closes=time(17, 30),
    workdays=WEEKDAYS,
    country="GB",
    subdivision="ENG",
)
# Open every night across the hour at which the UK's clocks change (01:00 UTC), so
# the window itself is an hour shorter in March and an hour longer in October.
NIGHT_SHIFT = BusinessHours(
    time_zone="Europe/London",
    opens=time(0, 30),
    closes=time(3, 30),
    workdays=frozenset(range(7)),
    country="",
    subdivision="",
)
NEW_YORK_DESK = BusinessHours(
    time_zone="America/New_York",
    opens=time(8, 0),
    closes=time(20, 0),
    workdays=frozenset(range(6)),
    country="US",
    subdivision="NY",
)
CALENDARS = [GLASGOW, LONDON_OFFICE, NIGHT_SHIFT, NEW_YORK_DESK]


def london(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=LONDON)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# Worked examples ---------------------------------------------------------------------


def test_p1_logged_late_on_friday_is_due_early_on_monday() -> None:
    friday = london(2026, 2, 6, 17, 15)
    due = add_business_minutes(friday, P1, GLASGOW)
    assert due == london(2026, 2, 9, 9, 15)
    assert due.tzinfo is UTC
    assert business_minutes_between(friday, due, GLASGOW) == P1


def test_weekend_start_counts_from_monday_opening() -> None:
    saturday = london(2026, 2, 7, 10, 0)
    assert add_business_minutes(saturday, P2, GLASGOW) == london(2026, 2, 9, 10, 0)
    assert business_minutes_between(saturday, london(2026, 2, 9, 10, 0), GLASGOW) == P2


def test_p4_spans_two_days() -> None:
    tuesday = london(2026, 2, 3, 14, 0)
    # 3h30 on Tuesday, then 4h30 from Wednesday's opening.
    assert add_business_minutes(tuesday, P4, GLASGOW) == london(2026, 2, 4, 13, 30)
    assert add_business_minutes(tuesday, P3, GLASGOW) == london(2026, 2, 4, 9, 30)


def test_st_andrews_day_is_a_holiday_in_scotland_only() -> None:
    st_andrews = date(2026, 11, 30)
    assert st_andrews.weekday() == 0
    assert not GLASGOW.is_business_day(st_andrews)
    assert LONDON_OFFICE.is_business_day(st_andrews)

    friday = london(2026, 11, 27, 17, 0)
    assert add_business_minutes(friday, P2, GLASGOW) == london(2026, 12, 1, 9, 30)
    assert add_business_minutes(friday, P2, LONDON_OFFICE) == london(2026, 11, 30, 9, 30)


def test_second_of_january_is_a_holiday_in_scotland_not_england() -> None:
    second = date(2026, 1, 2)
    assert second.weekday() == 4
    assert not GLASGOW.is_business_day(second)
    assert LONDON_OFFICE.is_business_day(second)
    assert not LONDON_OFFICE.is_business_day(date(2026, 1, 1))

    hogmanay = london(2025, 12, 31, 17, 0)
    # Both skip New Year's Day; only Scotland skips the 2nd and so the weekend too.
    assert add_business_minutes(hogmanay, P2, GLASGOW) == london(2026, 1, 5, 9, 30)
    assert add_business_minutes(hogmanay, P2, LONDON_OFFICE) == london(2026, 1, 2, 9, 30)


def test_extra_holidays_close_the_desk() -> None:
    closed_christmas_eve = BusinessHours(
        time_zone="Europe/London",
        opens=time(9, 0),
        closes=time(17, 30),
        workdays=WEEKDAYS,
        country="GB",
        subdivision="SCT",
        extra_holidays=frozenset({date(2026, 12, 24)}),
    )
    assert GLASGOW.is_business_day(date(2026, 12, 24))
    assert not closed_christmas_eve.is_business_day(date(2026, 12, 24))

    wednesday = london(2026, 12, 23, 17, 0)
    assert add_business_minutes(wednesday, P2, GLASGOW) == london(2026, 12, 24, 9, 30)
    # Christmas Eve closed, Christmas Day (Friday), the weekend, then Boxing Day
    # observed on Monday 28th: Tuesday is the next working day.
    assert add_business_minutes(wednesday, P2, closed_christmas_eve) == london(2026, 12, 29, 9, 30)


def test_no_country_means_no_public_holidays() -> None:
    plain = BusinessHours(
        time_zone="Europe/London",
        opens=time(9, 0),
        closes=time(17, 30),
        workdays=WEEKDAYS,
        country="",
        subdivision="",
    )
    assert plain.is_business_day(date(2026, 12, 25))


def test_spring_forward_weekend_in_utc() -> None:
    # Clocks go forward on Sunday 29 March 2026: Friday is GMT, Monday is BST.
    friday = london(2026, 3, 27, 17, 15)
    due = add_business_minutes(friday, P1, GLASGOW)
    assert due == utc(2026, 3, 30, 8, 15)
    assert due == london(2026, 3, 30, 9, 15)
    assert business_minutes_between(friday, due, GLASGOW) == P1


def test_fall_back_weekend_in_utc() -> None:
    # Clocks go back on Sunday 25 October 2026: Friday is BST, Monday is GMT.
    friday = london(2026, 10, 23, 17, 15)
    due = add_business_minutes(friday, P1, GLASGOW)
    assert due == utc(2026, 10, 26, 9, 15)
    assert due == london(2026, 10, 26, 9, 15)
    assert business_minutes_between(friday, due, GLASGOW) == P1


def test_window_spanning_a_clock_change_counts_real_minutes() -> None:
    def night(d: date) -> int:
        return business_minutes_between(
            london(d.year, d.month, d.day, 0, 0), london(d.year, d.month, d.day, 12, 0), NIGHT_SHIFT
        )

    assert night(date(2026, 3, 28)) == 180
    assert night(date(2026, 3, 29)) == 120
    assert night(date(2026, 10, 25)) == 240
    # 00:30 GMT plus two real hours is 03:30 BST on the morning the clocks go forward.
    assert add_business_minutes(london(2026, 3, 29, 0, 30), 120, NIGHT_SHIFT) == utc(
        2026, 3, 29, 2, 30
    )


def test_zero_minutes_moves_to_the_next_business_moment() -> None:
    inside = london(2026, 2, 6, 11, 0, 30)
    assert add_business_minutes(inside, 0, GLASGOW) == inside
    assert add_business_minutes(inside, 0, GLASGOW).tzinfo is UTC
    at_closing = london(2026, 2, 6, 17, 30)
    assert add_business_minutes(at_closing, 0, GLASGOW) == london(2026, 2, 9, 9, 0)
    before_opening = london(2026, 2, 6, 7, 0)
    assert add_business_minutes(before_opening, 0, GLASGOW) == london(2026, 2, 6, 9, 0)


def test_using_up_the_day_lands_at_closing_time() -> None:
    friday = london(2026, 2, 6, 17, 0)
    assert add_business_minutes(friday, P1, GLASGOW) == london(2026, 2, 6, 17, 30)
    assert add_business_minutes(friday, P1 + 1, GLASGOW) == london(2026, 2, 9, 9, 1)


def test_start_in_another_zone() -> None:
    # 12:15 in New York on a winter Friday is 17:15 in Glasgow.
    friday = datetime(2026, 2, 6, 12, 15, tzinfo=NEW_YORK)
    assert add_business_minutes(friday, P1, GLASGOW) == london(2026, 2, 9, 9, 15)


def test_between_is_zero_for_empty_or_reversed_intervals() -> None:
    a = london(2026, 2, 6, 10, 0)
    assert business_minutes_between(a, a, GLASGOW) == 0
    assert business_minutes_between(a, a - timedelta(hours=3), GLASGOW) == 0
    assert business_minutes_between(a, a + timedelta(seconds=59), GLASGOW) == 0
    assert (
        business_minutes_between(london(2026, 2, 7, 0, 0), london(2026, 2, 8, 23, 0), GLASGOW) == 0
    )


def test_large_values_are_exact() -> None:
    plain = BusinessHours(
        time_zone="Europe/London",
        opens=time(9, 0),
        closes=time(17, 30),
        workdays=WEEKDAYS,
        country="",
        subdivision="",
    )
    # 60,000 minutes is 117 full 8h30 days (23 weeks and two days) and 5h30 more.
    monday = london(2026, 1, 5, 9, 0)
    assert add_business_minutes(monday, 60_000, plain) == london(2026, 6, 17, 14, 30)


def test_large_values_finish_fast() -> None:
    start = london(2026, 2, 6, 17, 15)
    began = clock.perf_counter()
    for minutes in (60_000, 100_000, 1_000_000):
        due = add_business_minutes(start, minutes, GLASGOW)
        assert business_minutes_between(start, due, GLASGOW) == minutes
    assert clock.perf_counter() - began < 2.0


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_business_minutes(london(2026, 2, 6, 10, 0), -1, GLASGOW)
    with pytest.raises(ValueError, match="aware"):
        add_business_minutes(datetime(2026, 2, 6, 10, 0), 1, GLASGOW)  # noqa: DTZ001
    with pytest.raises(ValueError, match="aware"):
        business_minutes_between(london(2026, 2, 6), datetime(2026, 2, 7), GLASGOW)  # noqa: DTZ001
    with pytest.raises(ValueError, match="closes"):
        BusinessHours("Europe/London", time(17), time(9), WEEKDAYS, "GB", "")
    with pytest.raises(ValueError, match="workdays"):
        BusinessHours("Europe/London", time(9), time(17), frozenset(), "GB", "")
    with pytest.raises(ValueError, match="workdays"):
        BusinessHours("Europe/London", time(9), time(17), frozenset({7}), "GB", "")
    with pytest.raises(ValueError, match="naive"):
        BusinessHours("Europe/London", time(9, tzinfo=UTC), time(17), WEEKDAYS, "GB", "")
    with pytest.raises(LookupError):
        BusinessHours("Europe/Atlantis", time(9), time(17), WEEKDAYS, "GB", "")


# Properties --------------------------------------------------------------------------

# Covers both 2026 clock changes in London and New York, and the Christmas holidays.
_BASE = datetime(2025, 12, 1, tzinfo=UTC)
_SPAN_MINUTES = 500 * 24 * 60

calendars = st.sampled_from(CALENDARS)
# Clock changes in London and New York, Christmas and St Andrew's Day: uniform draws
# over 500 days would seldom land near them.
_LANDMARKS = [
    datetime(2026, 3, 8, 7, tzinfo=UTC),
    datetime(2026, 3, 29, 1, tzinfo=UTC),
    datetime(2026, 10, 25, 1, tzinfo=UTC),
    datetime(2026, 11, 1, 6, tzinfo=UTC),
    datetime(2026, 11, 30, tzinfo=UTC),
    datetime(2026, 12, 25, tzinfo=UTC),
]
_NEARBY = 4 * 24 * 60
minute_aligned = st.one_of(
    st.integers(0, _SPAN_MINUTES).map(lambda m: _BASE + timedelta(minutes=m)),
    st.tuples(st.sampled_from(_LANDMARKS), st.integers(-_NEARBY, _NEARBY)).map(
        lambda t: t[0] + timedelta(minutes=t[1])
    ),
)
any_moment = st.tuples(minute_aligned, st.integers(0, 59_999_999)).map(
    lambda t: t[0] + timedelta(microseconds=t[1])
)
# Given in a zone other than UTC, to show the answer does not depend on it.
presented = st.sampled_from([UTC, LONDON, NEW_YORK, ZoneInfo("Asia/Kolkata")])
durations = st.integers(0, 6_000)

_PROPERTY = settings(max_examples=200, deadline=None)


def _open(moment: datetime, hours: BusinessHours) -> bool:
    local = moment.astimezone(ZoneInfo(hours.time_zone))
    return hours.is_business_day(local.date()) and hours.opens <= local.time() < hours.closes


def _at_closing(moment: datetime, hours: BusinessHours) -> bool:
    local = moment.astimezone(ZoneInfo(hours.time_zone))
    return (
        hours.is_business_day(local.date()) and local.timetz().replace(tzinfo=None) == hours.closes
    )


@_PROPERTY
@given(calendars, any_moment, presented, durations)
def test_round_trip(hours: BusinessHours, start: datetime, zone: ZoneInfo, n: int) -> None:
    start = start.astimezone(zone)
    due = add_business_minutes(start, n, hours)
    assert due.tzinfo is UTC
    assert due >= start
    # Holds wherever `start` is: time before the next opening counts for nothing.
    assert business_minutes_between(start, due, hours) == n
    opening = add_business_minutes(start, 0, hours)
    assert business_minutes_between(opening, due, hours) == n
    assert add_business_minutes(opening, n, hours) == due


@_PROPERTY
@given(calendars, any_moment, durations, durations)
def test_monotonic_in_minutes(hours: BusinessHours, start: datetime, a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert add_business_minutes(start, low, hours) <= add_business_minutes(start, high, hours)
    if low < high:
        assert add_business_minutes(start, low, hours) < add_business_minutes(start, high, hours)


@_PROPERTY
@given(calendars, any_moment, any_moment, durations)
def test_monotonic_in_start(hours: BusinessHours, a: datetime, b: datetime, n: int) -> None:
    early, late = sorted((a, b))
    assert add_business_minutes(early, n, hours) <= add_business_minutes(late, n, hours)


@_PROPERTY
@given(calendars, any_moment, durations)
def test_result_is_open_or_exactly_closing(hours: BusinessHours, start: datetime, n: int) -> None:
    due = add_business_minutes(start, n, hours)
    if n == 0:
        # The next business moment: never a closing time, which is outside hours.
        assert _open(due, hours)
    else:
        assert _open(due, hours) or _at_closing(due, hours)


@_PROPERTY
@given(calendars, minute_aligned, minute_aligned, minute_aligned)
def test_between_is_additive(hours: BusinessHours, a: datetime, b: datetime, c: datetime) -> None:
    a, b, c = sorted((a, b, c))
    whole = business_minutes_between(a, c, hours)
    assert whole == business_minutes_between(a, b, hours) + business_minutes_between(b, c, hours)


@_PROPERTY
@given(calendars, any_moment, any_moment, any_moment)
def test_between_is_additive_up_to_a_split_minute(
    hours: BusinessHours, a: datetime, b: datetime, c: datetime
) -> None:
    # Off whole minutes, each part drops its own fraction of a minute.
    a, b, c = sorted((a, b, c))
    whole = business_minutes_between(a, c, hours)
    parts = business_minutes_between(a, b, hours) + business_minutes_between(b, c, hours)
    assert whole - parts in (0, 1)


@settings(max_examples=40, deadline=None)
@given(calendars, minute_aligned, st.integers(0, 1_500))
def test_agrees_with_counting_minute_by_minute(
    hours: BusinessHours, start: datetime, n: int
) -> None:
    # An independent, slow oracle: walk forward a minute at a time, asking the wall
    # clock whether the desk is open.
    moment, counted = start, 0
    while not _open(moment, hours):
        moment += timedelta(minutes=1)
    while counted < n:
        if _open(moment, hours):
            counted += 1
        moment += timedelta(minutes=1)
    # The walk leaves `moment` just past the n-th minute counted, which is where the
    # due time is, even when that is a closing time.
    assert add_business_minutes(start, n, hours) == moment
