"""Reports e-mailed on a schedule (issue 24): the worker writes the recipient's own
figures to the outbox, when due and once; someone who lost the Reports zone gets
nothing."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from openpyxl import load_workbook

from portico.notify import delivery as deliverer
from portico.notify.models import Delivery
from portico.parties.models import Organization
from portico.reports import mailing
from portico.reports.models import DayFigure, Dimension, PersonDay, Schedule
from portico.service.models import Choice
from tests.console.test_lists import individual
from tests.mail.conftest import SmtpServer
from tests.reports.test_exports import teams

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


def test_every_report_goes_by_mail_with_its_export_for_the_readers_teams(
    smtp_server: SmtpServer,
) -> None:
    morag = individual("supervisor")
    fiona = individual("csr")
    mine, other = teams()
    pump = Choice.objects.filter(classification__code="product").first()
    assert pump is not None
    Choice.objects.filter(pk=pump.pk).update(label="Dosing pump")
    week = datetime.date(2026, 11, 25)  # in the week before MONDAY
    for team, n in ((mine, 4), (other, 50)):
        for dimension, key in (
            (Dimension.TEAM, str(team.pk)),
            (Dimension.PRODUCT, str(pump.pk)),
            (Dimension.CHANNEL, "web"),
        ):
            DayFigure.objects.create(
                day=week, dimension=dimension, team=str(team.pk), key=key, opened=n
            )
        PersonDay.objects.create(
            day=week, individual=fiona, team=str(team.pk), actions=n, closes=1, customers=2
        )
    made = {
        report: Schedule.objects.create(
            individual=morag,
            report=report,
            every=Schedule.Every.WEEK,
            attach=attach,
            next_at=MONDAY,
        )
        for report, attach in (
            ("service", "xlsx"),
            ("people", "csv"),
            ("products", "xlsx"),
            ("portal", "csv"),
        )
    }
    assert mailing.send_due(now=MONDAY) == 4
    assert deliverer.sweep().sent == 4

    got = {r.message["Subject"]: r.message for r in smtp_server.to(morag.email)}
    assert len(got) == 4
    files = {
        subject: {
            str(part.get_filename()): part.get_content() for part in message.iter_attachments()
        }
        for subject, message in got.items()
    }
    days = "2026-11-23-to-2026-11-29"
    # Service, as a workbook: Morag's team with its 4, not the other team's 50.
    service = files["Service report, 23 Nov to 29 Nov 2026"]
    assert list(service) == [f"service-by-team-{days}.xlsx"]
    rows = workbook_rows(service[f"service-by-team-{days}.xlsx"])["Service by team"]
    assert [r[:2] for r in rows[1:]] == [[mine.name, 4]]
    # People, as CSV: Fiona's 4 actions in Morag's team over 7 days, nothing the week
    # before; 1 close and 2 customers (4/7, 1/7 and 2/7 a day).
    people = files["People report, 23 Nov to 29 Nov 2026"]
    assert list(people) == [f"people-{days}.csv"]
    assert csv_rows(people[f"people-{days}.csv"])[1:] == [
        [fiona.name, "4", "0", "0.57", "1", "0", "0.14", "2", "0", "0.29", "0", ""],
        ["Total", "4", "0", "0.57", "1", "0", "0.14", "2", "0", "0.29", "0", ""],
    ]
    products = files["Products report, 23 Nov to 29 Nov 2026"]
    rows = workbook_rows(products[f"products-{days}.xlsx"])["Products"]
    assert [r[:4] for r in rows[1:]] == [["Dosing pump", 4, 0, 100.0], ["Total", 4, 0, 100.0]]
    # The Portal report, as CSV: a file per table.
    portal = files["Portal and self-service report, 23 Nov to 29 Nov 2026"]
    assert sorted(portal) == sorted(
        f"portal-{table}-{days}.csv" for table in ("channels", "users", "searches", "figures")
    )
    assert csv_rows(portal[f"portal-channels-{days}.csv"])[1][:4] == ["2026-11", "4", "4", "100.0"]
    # The message shows the tables too; none names the other team.
    for message in got.values():
        text = message.get_body(preferencelist=("plain",))
        assert text is not None
        assert other.name not in str(text.get_content())
    assert all(
        s.next_at > MONDAY for s in Schedule.objects.filter(pk__in=[m.pk for m in made.values()])
    )


def test_a_schedule_for_the_portal_report_with_csv_files(
    client_for: Callable[[str], Client],
) -> None:
    client = client_for("supervisor")
    asked = {
        "report": "portal",
        "every": "month",
        "attach": "csv",
        "back": "/console/reports/portal/",
    }
    assert client.post("/console/reports/schedules/", asked).status_code == 302
    [made] = Schedule.objects.all()
    assert (made.report, made.every, made.attach) == ("portal", "month", "csv")
    # Asked again for a workbook: the same schedule, now with a workbook.
    client.post("/console/reports/schedules/", {**asked, "attach": "xlsx"})
    [again] = Schedule.objects.all()
    assert (again.pk, again.attach) == (made.pk, "xlsx")
    # A file the reports do not make: nothing changes.
    client.post("/console/reports/schedules/", {**asked, "attach": "pdf"})
    assert Schedule.objects.get().attach == "xlsx"


def csv_rows(content: object) -> list[list[str]]:
    text = content.decode() if isinstance(content, bytes) else str(content)
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def workbook_rows(content: object) -> dict[str, list[list[object]]]:
    assert isinstance(content, bytes)
    book = load_workbook(io.BytesIO(content))
    return {s.title: [[c.value for c in r] for r in s.iter_rows()] for s in book.worksheets}
