"""The service-level promise: which calendar the clock runs on, the due times a
priority gives from a moment, and how both are told to the customer.

`services` sets a transaction's due times with `due_times`; the portal tells a person
the hours and "we will respond by …" with the same functions, so what the page promises
is what the transaction will hold (issue 19: the hours customers read differed from the
calendar)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from portico.access import setup
from portico.service import selectors
from portico.service.calendar import BusinessHours, add_business_minutes, closed_days, describe
from portico.service.models import BusinessCalendar, Closure, Priority

# How far ahead the portal warns of a closure ("closed on Monday 25 December").
CLOSURE_NOTICE_DAYS = 14


def default_calendar() -> BusinessCalendar:
    calendar = BusinessCalendar.objects.filter(is_default=True).first()
    if calendar is None:
        calendar = BusinessCalendar.objects.create(name="Office hours", is_default=True)
    return calendar


def _default_calendar_hours() -> tuple[int, BusinessHours]:
    calendar = default_calendar()
    return calendar.pk, calendar.hours()


def default_hours() -> BusinessHours:
    """The default calendar's hours, kept per process (`access.setup`): every portal
    page tells them and every new transaction is timed by them, two queries each."""
    return setup.remembered("default_calendar", None, _default_calendar_hours)[1]


def default_priority() -> Priority | None:
    """The priority of a transaction logged without one: the least urgent, so that
    "not sure" is judged by a person rather than promised as an emergency."""
    every = selectors.priorities()
    return every[-1] if every else None


@dataclass(frozen=True)
class DueTimes:
    respond_by: datetime.datetime | None
    resolve_by: datetime.datetime | None


def due_times(
    priority: Priority | None,
    *,
    start: datetime.datetime,
    hours: BusinessHours,
    paused_minutes: int = 0,
) -> DueTimes:
    """The response and resolution due times of `priority` counted from `start` over
    business `hours`, pushed on by the business minutes spent waiting on the customer
    (seed 000: P1 30 min, P2 1 h, P3 4 h, P4 8 h; resolution targets are optional)."""
    if priority is None:
        return DueTimes(respond_by=None, resolve_by=None)
    respond_by = add_business_minutes(start, priority.response_minutes + paused_minutes, hours)
    resolve_by = (
        add_business_minutes(start, priority.resolution_minutes + paused_minutes, hours)
        if priority.resolution_minutes is not None
        else None
    )
    return DueTimes(respond_by=respond_by, resolve_by=resolve_by)


@dataclass(frozen=True)
class SupportHours:
    text: str  # "Monday–Friday 09:00–17:30 (UK time), except public holidays"
    closures: list[tuple[datetime.date, str]]  # closed working days coming soon


def support_hours(*, now: datetime.datetime | None = None) -> SupportHours:
    """The default calendar's hours in words, and the working days it is closed in the
    next fortnight (with the holiday's name, or the closure's own reason)."""
    calendar_id, hours = setup.remembered("default_calendar", None, _default_calendar_hours)
    today = (now or timezone.now()).astimezone(hours.zone).date()
    closures = closed_days(hours, today, CLOSURE_NOTICE_DAYS)
    unnamed = [d for d, name in closures if not name]
    if unnamed:  # only when a closure of the desk's own is near: one more query
        reasons = dict(
            Closure.objects.filter(calendar_id=calendar_id, date__in=unnamed).values_list(
                "date", "reason"
            )
        )
        closures = [(d, name or reasons.get(d, "")) for d, name in closures]
    return SupportHours(text=describe(hours), closures=closures)


@dataclass(frozen=True)
class Promise:
    priority: Priority
    due: DueTimes


def promises(*, now: datetime.datetime | None = None) -> list[Promise]:
    """For each priority, most urgent first, the due times a transaction logged at
    `now` would get: what `create_transaction` will store for it."""
    start = now or timezone.now()
    hours = default_hours()
    return [
        Promise(priority=priority, due=due_times(priority, start=start, hours=hours))
        for priority in selectors.priorities()
    ]
