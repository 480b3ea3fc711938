"""Business-hours arithmetic for service-level due times.

A transaction's priority sets how soon the service desk must respond: P1 within
30 minutes, P2 within 1 hour, P3 within 4 hours and P4 within 8 hours. Those targets
are counted in *business* time, not elapsed time: only the minutes in which the desk
is open count, so a P1 logged ten minutes before Friday's close is due shortly after
Monday's opening. The desk's calendar is a weekly pattern of working days with daily
opening hours, in the desk's own time zone, less the public holidays of its country
and region (from the `holidays` package) and any extra closure days of its own.

Everything here is pure arithmetic on aware datetimes: no models, no database. Results
are returned in UTC, which is what the database stores.

Conventions, chosen so that `add_business_minutes` and `business_minutes_between` are
exact inverses:

* Each business day is open over the half-open interval [opens, closes) of local wall-
  clock time. An instant exactly at closing time is therefore *outside* hours: counting
  from it begins at the next opening.
* A due time that uses up the last minute of a day is that day's closing time, not the
  next opening: "due by 17:30 Friday" is what a person would say, and it keeps the
  result as early as the arithmetic allows.
* Business minutes are real elapsed minutes. Opening and closing times are read on the
  local wall clock, so the desk opens at 09:00 local time on either side of a daylight-
  saving change; a window that itself spans a change (say a night shift from 00:30 to
  03:30 on the last Sunday of March in London) is an hour shorter or longer that day.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "BusinessHours",
    "add_business_minutes",
    "business_minutes_between",
    "closed_days",
    "describe",
]

_MINUTE = timedelta(minutes=1)
_DAY = timedelta(days=1)


@functools.lru_cache(maxsize=512)
def _public_holiday_names(country: str, subdivision: str, year: int) -> dict[date, str]:
    """The public holidays falling in `year`, with their names, cached because every
    new transaction asks and building a country's calendar is comparatively slow."""
    if not country:
        return {}
    # A holiday observed in a neighbouring year (New Year's Day moved back to 31
    # December, say) may be listed under the year it commemorates; asking for the years
    # either side and filtering by date catches it wherever the package files it.
    found = holidays.country_holidays(
        country, subdiv=subdivision or None, years=range(year - 1, year + 2)
    )
    return {d: str(name) for d, name in found.items() if d.year == year}


@functools.lru_cache(maxsize=512)
def _public_holidays(country: str, subdivision: str, year: int) -> frozenset[date]:
    return frozenset(_public_holiday_names(country, subdivision, year))


@dataclass(frozen=True)
class BusinessHours:
    """A service desk's opening hours: `opens` to `closes` local time in `time_zone`
    on each of `workdays` (Monday=0 ... Sunday=6), except public holidays of `country`
    (and `subdivision`, if given) and `extra_holidays`."""

    time_zone: str
    opens: time
    closes: time
    workdays: frozenset[int]
    country: str
    subdivision: str
    extra_holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        # Wall-clock times only: the zone comes from `time_zone`, and an offset here
        # would silently disagree with it across daylight-saving changes.
        if self.opens.tzinfo is not None or self.closes.tzinfo is not None:
            raise ValueError("opens and closes must be naive wall-clock times")
        if self.closes <= self.opens:
            raise ValueError("closes must be later on the same day than opens")
        if not self.workdays:
            # With no working day a due time would never arrive; fail loudly rather
            # than loop for ever.
            raise ValueError("workdays must not be empty")
        if not self.workdays <= frozenset(range(7)):
            raise ValueError("workdays are weekday numbers, Monday=0 to Sunday=6")
        ZoneInfo(self.time_zone)  # raises ZoneInfoNotFoundError for an unknown zone

    @property
    def zone(self) -> ZoneInfo:
        # ZoneInfo caches instances by key, so this is cheap after the first call.
        return ZoneInfo(self.time_zone)

    def is_business_day(self, d: date) -> bool:
        return (
            d.weekday() in self.workdays
            and d not in self.extra_holidays
            and d not in _public_holidays(self.country, self.subdivision, d.year)
        )


def _window(hours: BusinessHours, d: date) -> tuple[datetime, datetime]:
    """Day `d`'s opening and closing instants in UTC."""
    zone = hours.zone
    opening = datetime.combine(d, hours.opens, tzinfo=zone).astimezone(UTC)
    closing = datetime.combine(d, hours.closes, tzinfo=zone).astimezone(UTC)
    return opening, closing


def _windows_from(hours: BusinessHours, at: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Business windows, in order, from the one that contains or follows `at`."""
    # Begin a day early: a window's local date and `at`'s local date can differ near
    # midnight once daylight-saving shifts are involved, and an extra day costs nothing.
    d = at.astimezone(hours.zone).date() - _DAY
    while True:
        if hours.is_business_day(d):
            opening, closing = _window(hours, d)
            # Both ends falling in a daylight-saving gap can put "closing" at or before
            # "opening" in real time; such a day simply has no open minutes.
            if closing > opening and closing > at:
                yield opening, closing
        d += _DAY


def _as_utc(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
    return moment.astimezone(UTC)


def add_business_minutes(start: datetime, minutes: int, hours: BusinessHours) -> datetime:
    """The UTC instant at which `minutes` business minutes have elapsed after `start`.

    Counting begins at `start` if the desk is open then, otherwise at the next opening;
    with `minutes` == 0 that starting point is the answer. A result that uses up a
    day's last minute is that day's closing time.
    """
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    at = _as_utc(start, "start")
    remaining = minutes * _MINUTE
    # One step per business day, so even months of minutes take a few hundred steps.
    for opening, closing in _windows_from(hours, at):
        begin = max(opening, at)
        available = closing - begin
        if remaining <= available:
            return begin + remaining
        remaining -= available
    raise AssertionError("unreachable: business windows never run out")  # pragma: no cover


def business_minutes_between(start: datetime, end: datetime, hours: BusinessHours) -> int:
    """Whole business minutes in [start, end); 0 if `end` is not after `start`.

    Partial minutes are dropped only once, from the total, so for any `start` and
    n >= 0, business_minutes_between(start, add_business_minutes(start, n, h), h) == n.
    """
    lower = _as_utc(start, "start")
    upper = _as_utc(end, "end")
    if upper <= lower:
        return 0
    total = timedelta(0)
    for opening, closing in _windows_from(hours, lower):
        if opening >= upper:
            break
        total += min(closing, upper) - max(opening, lower)
    return total // _MINUTE


# --- telling people the hours -------------------------------------------------------------

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# What a customer calls the zone; any other zone is named by its key.
_ZONE_NAMES = {"Europe/London": "UK time"}


def _days(workdays: frozenset[int]) -> str:
    ordered = sorted(workdays)
    if len(ordered) == 7:
        return "Every day"
    if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{_DAY_NAMES[ordered[0]]}–{_DAY_NAMES[ordered[-1]]}"
    names = [_DAY_NAMES[d] for d in ordered]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def describe(hours: BusinessHours) -> str:
    """The hours in words, as the customer is told them: "Monday–Friday 09:00–17:30
    (UK time), except public holidays". Written from the calendar the SLA clock runs
    on, so what a customer reads is what their due times are counted in."""
    zone = _ZONE_NAMES.get(hours.time_zone, f"{hours.time_zone} time")
    text = f"{_days(hours.workdays)} {hours.opens:%H:%M}–{hours.closes:%H:%M} ({zone})"
    if hours.country:
        text += ", except public holidays"
    return text


def closed_days(hours: BusinessHours, start: date, days: int) -> list[tuple[date, str]]:
    """The days in [start, start + days) that would be working days but are closed,
    each with the public holiday's name, or "" for a closure of the desk's own."""
    found = []
    for offset in range(days):
        d = start + offset * _DAY
        if d.weekday() not in hours.workdays or hours.is_business_day(d):
            continue
        names = _public_holiday_names(hours.country, hours.subdivision, d.year)
        found.append((d, names.get(d, "")))
    return found
