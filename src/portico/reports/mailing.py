"""Reports e-mailed on a schedule (issue 24). The worker's `reports.mail` job writes one
message to the outbox for each schedule due: the report's tables over the period before
(the day, the week or the month), counted over the teams the recipient may see at that
moment, as text and as HTML tables, with the report's export attached (a workbook, or a
CSV file per table: the files the page's download links give) and the link to the page."""

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
from portico.notify.models import Delivery, DeliveryFile
from portico.operations.replica import on_replica
from portico.parties.models import Individual
from portico.reports import export, queries
from portico.reports.models import Schedule

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


def sheets_for(
    schedule: Schedule, period: queries.Period, teams: frozenset[str] | None
) -> list[export.Sheet]:
    """The tables the report's page and export show, for the recipient's teams."""
    return export.sheets_for(schedule.report, period, teams=teams, by=schedule.by)


def files_for(
    schedule: Schedule, period: queries.Period, sheets: Sequence[export.Sheet]
) -> list[tuple[str, bytes, str]]:
    """The export that goes with the message, as (name, bytes, content type): one
    workbook, or one CSV file per table (the same files the page's links download)."""
    grouped = (Schedule.Report.SERVICE, Schedule.Report.MONEY)
    by = schedule.by if schedule.report in grouped else ""
    if schedule.attach == Schedule.Attach.CSV:
        several = len(sheets) > 1
        return [
            (
                export.file_name(
                    schedule.report, period, "csv", by=by, table=sheet.key if several else ""
                ),
                export.to_csv(sheet.table),
                export.CONTENT_TYPES["csv"],
            )
            for sheet in sheets
        ]
    return [
        (
            export.file_name(schedule.report, period, "xlsx", by=by),
            export.workbook(sheets),
            export.CONTENT_TYPES["xlsx"],
        )
    ]


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
            # Whom the message is for, and what they may see, from the primary; the figures
            # from the replica, if there is one (portico.operations.replica).
            teams = access.report_teams(person.user)
            with on_replica():
                sheets = sheets_for(schedule, period, teams)
            _write(schedule, person, period, sheets)
            written += 1
    return written


def _may_receive(person: Individual) -> bool:
    user = person.user
    return bool(person.active and user is not None and user.is_active) and access.may_see_reports(
        user
    )


def _write(
    schedule: Schedule, person: Individual, period: queries.Period, sheets: list[export.Sheet]
) -> None:
    url = settings.PORTICO_SITE_URL + reverse(f"reports:{schedule.report}")
    title = (
        f"{schedule.get_report_display()} report, {period.since:%-d %b} to {period.until:%-d %b %Y}"
    )
    tables = [(sheet.title, *sheet.table) for sheet in sheets]
    context = {"title": title, "tables": tables, "url": url, "period": period}
    delivery = Delivery.objects.create(
        channel=Delivery.Channel.EMAIL,
        kind=KIND,
        address=person.email,
        subject=title,
        body=_text(title, sheets, url),
        html=render_to_string("reports/mail.html", context),
    )
    DeliveryFile.objects.bulk_create(
        DeliveryFile(delivery=delivery, name=name, data=data, content_type=content_type)
        for name, data, content_type in files_for(schedule, period, sheets)
    )


def _text(title: str, sheets: Sequence[export.Sheet], url: str) -> str:
    def shown(value: object) -> str:
        return "" if value is None else str(value)

    lines = [title]
    for sheet in sheets:
        header, rows = sheet.table
        if len(sheets) > 1:
            lines += ["", sheet.title]
        lines += ["", " | ".join(header)]
        lines += [" | ".join(shown(v) for v in row) for row in rows] or ["(nothing in this period)"]
    return "\n".join([*lines, "", f"The report with its charts: {url}", ""])
