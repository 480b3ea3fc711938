"""Reports e-mailed on a schedule (issue 24): the worker writes the recipient's own
figures to the outbox, when due and once; someone who lost the Reports zone gets
nothing."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from portico.notify.models import Delivery
from portico.parties.models import Organization
from portico.reports import mailing
from portico.reports.models import DayFigure, Dimension, Schedule
from tests.console.test_lists import individual

pytestmark = pytest.mark.usefixtures("demo_people")

LONDON = ZoneInfo("Europe/London")
MONDAY = datetime.datetime(2026, 11, 30, 7, 0, tzinfo=LONDON)


def test_the_weekly_report_goes_on_monday_morning_with_the_readers_teams_only() -> None:
    morag = individual("supervisor")
    mine = Organization.objects.filter(supervisor=morag).first()
    other = Organization.objects.filter(kind="team").exclude(supervisor=morag).first()
    assert mine is not None
    assert other is not None
    for team, opened in ((mine, 4), (other, 50)):
        DayFigure.objects.create(
            day=datetime.date(2026, 11, 27),
            dimension=Dimension.TEAM,
            team=str(team.pk),
            key=str(team.pk),
            opened=opened,
        )
    # Made on a Thursday: first sent the next Monday at 07:00.
    made_at = datetime.datetime(2026, 11, 26, 15, 0, tzinfo=LONDON)
    assert mailing.first_time(Schedule.Every.WEEK, now=made_at) == MONDAY
    Schedule.objects.create(
        individual=morag, every=Schedule.Every.WEEK, next_at=mailing.first_time("week", now=made_at)
    )

    assert mailing.send_due(now=MONDAY - datetime.timedelta(minutes=1)) == 0
    assert mailing.send_due(now=MONDAY) == 1
    assert mailing.send_due(now=MONDAY + datetime.timedelta(minutes=15)) == 0  # once
    [sent] = Delivery.objects.filter(kind=mailing.KIND)
    assert sent.address == morag.email
    assert sent.subject == "Service report, 23 Nov to 29 Nov 2026"
    assert f"{mine.name} | 4 |" in sent.body
    assert other.name not in sent.body
    assert Schedule.objects.get().next_at == MONDAY + datetime.timedelta(days=7)


def test_nothing_for_someone_without_the_reports_zone() -> None:
    fiona = individual("csr")  # a CSR: no Reports zone
    Schedule.objects.create(individual=fiona, every=Schedule.Every.DAY, next_at=MONDAY)
    assert mailing.send_due(now=MONDAY) == 0
    assert not Delivery.objects.filter(kind=mailing.KIND).exists()
    assert Schedule.objects.get().active is False


def test_a_supervisor_asks_for_the_report_by_e_mail(client_for: Callable[[str], Client]) -> None:
    client = client_for("supervisor")
    back = "/console/reports/?by=product"
    sent = client.post(
        "/console/reports/schedules/",
        {"report": "service", "by": "product", "every": "week", "back": back},
    )
    assert sent.status_code == 302
    assert sent["Location"] == back
    client.post(
        "/console/reports/schedules/",
        {"report": "service", "by": "product", "every": "week", "back": back},
    )
    [made] = Schedule.objects.all()
    assert (made.individual, made.by, made.every) == (individual("supervisor"), "product", "week")
    # Not a report the pages offer, or someone without the zone: nothing made.
    client.post("/console/reports/schedules/", {"report": "secrets", "every": "week"})
    refused = client_for("csr").post(
        "/console/reports/schedules/", {"report": "service", "every": "day"}
    )
    assert refused.status_code == 403
    assert Schedule.objects.count() == 1
