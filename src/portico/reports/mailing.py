"""Reports e-mailed on a schedule (issue 24). The worker's `reports.mail` job writes one
message to the outbox for each schedule due: the report's table over the period before
(the day, the week or the month), counted over the teams the recipient may see at that
moment, as text and as an HTML table, with the link to the page."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction as db
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from portico import access
from portico.notify.models import Delivery
from portico.parties.models import Individual
from portico.reports import export, queries
from portico.reports.models import Dimension, Schedule

KIND = "report"
MORNING = datetime.time(7, 0)
PERIOD_DAYS: dict[str, int] = {Schedule.Every.DAY: 1, Schedule.Every.WEEK: 7}


def first_time(every: str, *, now: datetime.datetime | None = None) -> datetime.datetime:
    """When a new schedule first sends: its next morning (a Monday's, or the 1st's)."""
    return _next(every, after=now or timezone.now())


def _next(every: str, *, after: datetime.datetime) -> datetime.datetime:
    zone = ZoneInfo(settings.TIME_ZONE)
    day = after.astimezone(zone).date() + datetime.timedelta(days=1)
    if every == Schedule.Every.WEEK:
        day += datetime.timedelta(days=(7 - day.weekday()) % 7)
    elif every == Schedule.Every.MONTH:
        day = (
            (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
            if day.day != 1
            else day
        )
    return datetime.datetime.combine(day, MORNING, tzinfo=zone)


def period_for(schedule: Schedule, moment: datetime.datetime) -> queries.Period:
    """The days a message sent at `moment` reports: yesterday, the 7 days to yesterday,
    or the month before."""
    yesterday = moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date() - datetime.timedelta(days=1)
    if schedule.every == Schedule.Every.MONTH:
        return queries.Period(yesterday.replace(day=1), yesterday)
    return queries.Period.last(PERIOD_DAYS[schedule.every], today=yesterday)


def table_for(
    schedule: Schedule, period: queries.Period, teams: frozenset[str] | None
) -> export.Table:
    if schedule.report == Schedule.Report.PEOPLE:
        return export.people_table(queries.people(period, teams=teams))
    if schedule.report == Schedule.Report.PRODUCTS:
        return export.service_table(
            "Product", queries.figures(Dimension.PRODUCT, period, teams=teams)
        )
    if schedule.report == Schedule.Report.MONEY:
        by = schedule.by if schedule.by in queries.MONEY_DIMENSIONS else Dimension.PRODUCT
        return export.money_table(
            Dimension(by).label,
            queries.money(by, period, teams=teams),
            queries.money_total(period, teams=teams),
        )
    return export.service_table(
        Dimension(schedule.by).label, queries.figures(schedule.by, period, teams=teams)
    )


def send_due(*, now: datetime.datetime | None = None) -> int:
    """Write the message of every schedule due; returns how many were written."""
    now = now or timezone.now()
    written = 0
    due = Schedule.objects.filter(active=True, next_at__lte=now).select_related("individual__user")
    for schedule in due[:200]:
        with db.atomic():
            claimed = Schedule.objects.filter(
                pk=schedule.pk, next_at=schedule.next_at, active=True
            ).update(next_at=_next(schedule.every, after=now), last_sent_at=now)
            if not claimed:
                continue  # another worker took it
            person = schedule.individual
            if not _may_receive(person):
                Schedule.objects.filter(pk=schedule.pk).update(active=False)
                continue
            period = period_for(schedule, now)
            table = table_for(schedule, period, access.report_teams(person.user))
            _write(schedule, person, period, table)
            written += 1
    return written


def _may_receive(person: Individual) -> bool:
    user = person.user
    return bool(person.active and user is not None and user.is_active) and access.may_see_reports(
        user
    )


def _write(
    schedule: Schedule, person: Individual, period: queries.Period, table: export.Table
) -> None:
    header, rows = table
    url = settings.PORTICO_SITE_URL + reverse(f"reports:{schedule.report}")
    title = (
        f"{schedule.get_report_display()} report, {period.since:%-d %b} to {period.until:%-d %b %Y}"
    )
    context = {"title": title, "header": header, "rows": rows, "url": url, "period": period}
    Delivery.objects.create(
        channel=Delivery.Channel.EMAIL,
        kind=KIND,
        address=person.email,
        subject=title,
        body=_text(title, header, rows, url),
        html=render_to_string("reports/mail.html", context),
    )


def _text(title: str, header: Sequence[str], rows: Sequence[Sequence[object]], url: str) -> str:
    def shown(value: object) -> str:
        return "" if value is None else str(value)

    lines = [title, "", " | ".join(header)]
    lines += [" | ".join(shown(v) for v in row) for row in rows] or ["(nothing in this period)"]
    return "\n".join([*lines, "", f"The report with its charts: {url}", ""])
