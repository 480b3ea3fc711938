"""Every report downloads as CSV and Excel (issue 24): the People, Products and Portal
pages' tables, for the page's period and the reader's teams, with the figures worked out
by hand from small hand-made roll-ups; and the page shows each row beside the period
before, with a total line."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from openpyxl import load_workbook

from portico import access
from portico.knowledge.models import Search
from portico.parties.models import Organization
from portico.reports import histogram
from portico.reports.models import DayFigure, Dimension, PersonDay, PortalDay, PortalUser
from portico.service.models import Choice
from tests.console.test_lists import individual, user

pytestmark = pytest.mark.usefixtures("demo_people")

# Ten days, and the ten before them (22 to 31 October).
PERIOD = "since=2026-11-01&until=2026-11-10"
NOV = datetime.date(2026, 11, 1)
OCT = datetime.date(2026, 10, 1)


def on(month: datetime.date, day: int) -> datetime.date:
    return month.replace(day=day)


def teams() -> tuple[Organization, Organization]:
    """A team Morag (the supervisor) reads, and one she does not."""
    hers = access.report_teams(user("supervisor")) or frozenset()
    mine = Organization.objects.filter(pk__in=[int(k) for k in hers]).order_by("name").first()
    other = Organization.objects.filter(kind="team").exclude(pk__in=[int(k) for k in hers]).first()
    assert mine is not None
    assert other is not None
    return mine, other


def csv_rows(response: object) -> list[list[str]]:
    content = response.content  # type: ignore[attr-defined]
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def sheets(response: object) -> dict[str, list[list[object]]]:
    book = load_workbook(io.BytesIO(response.content))  # type: ignore[attr-defined]
    return {
        sheet.title: [[c.value for c in row] for row in sheet.iter_rows()]
        for sheet in book.worksheets
    }


# --- People ------------------------------------------------------------------------------


def people_days() -> tuple[Organization, Organization]:
    mine, other = teams()

    def put(day: datetime.date, who: str, team: Organization, **figures: int) -> None:
        PersonDay.objects.create(day=day, individual=individual(who), team=str(team.pk), **figures)

    put(on(NOV, 2), "csr", mine, actions=6, closes=2, customers=3, answered=2, satisfied=1)
    put(on(NOV, 5), "csr", mine, actions=4, closes=1, customers=2)
    put(on(NOV, 5), "csr", other, actions=100, closes=50, customers=40)  # not Morag's
    put(on(NOV, 3), "technician", mine, actions=5, closes=3, customers=1, answered=1, satisfied=1)
    # The period before.
    put(on(OCT, 25), "technician", mine, actions=8, closes=4, customers=2)
    put(on(OCT, 31), "csr", mine, actions=3, customers=1)
    put(on(OCT, 30), "administrator", mine, actions=2, closes=1, customers=1)
    # Outside both.
    put(on(OCT, 21), "csr", mine, actions=99)
    put(on(NOV, 11), "csr", mine, actions=77)
    return mine, other


def test_the_people_export_is_the_pages_table_for_the_readers_teams(
    client_for: Callable[[str], Client],
) -> None:
    people_days()
    fiona, tom, alasdair = (individual(k).name for k in ("csr", "technician", "administrator"))
    client = client_for("supervisor")

    got = client.get(f"/console/reports/people/export.csv?{PERIOD}")
    assert got.status_code == 200
    assert got["Content-Disposition"] == (
        'attachment; filename="people-2026-11-01-to-2026-11-10.csv"'
    )
    header, *rows = csv_rows(got)
    assert header[:3] == ["Person", "Actions", "Actions, period before"]
    # Over 10 days: Fiona 6+4 actions (3 before), 2+1 closes (0 before), 3+2 customers
    # (1 before), 1 of 2 answers satisfied; Tom 5 (8 before), 3 (4), 1 (2), 1 of 1;
    # Alasdair only before. The other team's 100 actions are not Morag's to count.
    assert rows == [
        [fiona, "10", "3", "1.0", "3", "0", "0.3", "5", "1", "0.5", "2", "50.0"],
        [tom, "5", "8", "0.5", "3", "4", "0.3", "1", "2", "0.1", "1", "100.0"],
        [alasdair, "0", "2", "0.0", "0", "1", "0.0", "0", "1", "0.0", "0", ""],
        ["Total", "15", "13", "1.5", "6", "5", "0.6", "6", "4", "0.6", "3", "66.7"],
    ]

    book = sheets(client.get(f"/console/reports/people/export.xlsx?{PERIOD}"))
    assert list(book) == ["People"]
    assert book["People"][1] == [fiona, 10, 3, 1.0, 3, 0, 0.3, 5, 1, 0.5, 2, 50.0]
    assert book["People"][-1][:3] == ["Total", 15, 13]

    # The page shows the same, each count beside the one before, and the total line.
    html = client.get(f"/console/reports/people/?{PERIOD}").content.decode()
    assert '<td>10 <span class="meta">was 3</span></td>' in html
    assert '<td>15 <span class="meta">was 13</span></td>' in html
    assert "people/export.csv?since=2026-11-01" in html

    # The administrator reads every team: Fiona's other-team day counts.
    everyone = csv_rows(
        client_for("administrator").get(f"/console/reports/people/export.csv?{PERIOD}")
    )
    assert everyone[1][:2] == [fiona, "110"]
    assert everyone[-1][:3] == ["Total", "115", "13"]


# --- Products ----------------------------------------------------------------------------


def products() -> tuple[Choice, Choice, Choice]:
    found = list(Choice.objects.filter(classification__code="product").order_by("pk")[:3])
    assert len(found) == 3
    for choice, label in zip(found, ("Dosing pump", "Boiler", "Chiller"), strict=True):
        Choice.objects.filter(pk=choice.pk).update(label=label)
    return found[0], found[1], found[2]


def product_days() -> tuple[Choice, Choice, Choice]:
    mine, other = teams()
    pump, boiler, chiller = products()

    def put(
        day: datetime.date, product: Choice | None, team: Organization, **figures: object
    ) -> None:
        DayFigure.objects.create(
            day=day,
            dimension=Dimension.PRODUCT,
            team=str(team.pk),
            key=str(product.pk) if product else "",
            **figures,
        )

    hours = histogram.of
    put(on(NOV, 2), pump, mine, opened=6, complaints=2, resolved=3,
        resolution_business=hours([120, 240, 600]),
        resolution_clock=hours([130, 250, 700]))  # fmt: skip
    put(on(NOV, 4), boiler, mine, opened=2, resolved=1, resolution_business=hours([60]))
    put(on(NOV, 4), None, mine, opened=2)
    put(on(NOV, 3), pump, other, opened=30, complaints=9)  # not Morag's
    # The period before.
    put(on(OCT, 28), pump, mine, opened=3, complaints=1, resolved=1,
        resolution_business=hours([300]))  # fmt: skip
    put(on(OCT, 29), chiller, mine, opened=4)
    # The desk has had data since August: the flag's 12 weeks before are all history.
    DayFigure.objects.create(
        day=datetime.date(2026, 8, 1), dimension=Dimension.ALL, team=str(mine.pk), key="", opened=1
    )
    return pump, boiler, chiller


def test_the_products_export_is_the_pages_table_for_the_readers_teams(
    client_for: Callable[[str], Client],
) -> None:
    product_days()
    client = client_for("supervisor")
    got = client.get(f"/console/reports/products/export.csv?{PERIOD}")
    assert got.status_code == 200
    assert 'filename="products-2026-11-01-to-2026-11-10.csv"' in got["Content-Disposition"]
    header, *rows = csv_rows(got)
    assert header[:4] == ["Product", "Calls", "Calls, period before", "Share of calls (%)"]
    # Morag's 10 calls: the pump 6 (3 before), no product 2, the boiler 2, the chiller
    # none now (4 before); the other team's 30 pump calls are not counted.
    assert [r[:6] for r in rows] == [
        ["Dosing pump", "6", "3", "60.0", "2", "1"],
        ["(none)", "2", "0", "20.0", "0", "0"],
        ["Boiler", "2", "0", "20.0", "0", "0"],
        ["Chiller", "0", "4", "0.0", "0", "0"],
        ["Total", "10", "7", "100.0", "2", "1"],
    ]
    pump, none, boiler, chiller, total = rows
    # Time to solution: the pump's median of 2, 4 and 10 hours is 4 (clock: 250 min),
    # before 5; the whole: the median of 1, 2, 4, 10 hours by nearest rank is 2, before 5.
    # Histogram buckets keep a percentile within 2.5 %.
    assert float(pump[6]) == pytest.approx(4, rel=0.03)
    assert float(pump[7]) == pytest.approx(250 / 60, rel=0.03)
    assert float(pump[8]) == pytest.approx(5, rel=0.03)
    assert float(boiler[6]) == pytest.approx(1, rel=0.03)
    assert [boiler[8], chiller[6], none[6]] == ["", "", ""]
    assert float(total[6]) == pytest.approx(2, rel=0.03)
    assert float(total[8]) == pytest.approx(5, rel=0.03)
    # The flag's evidence (the whole desk's incidents, as on the page) for the 7 days to
    # 10 November against the 12 weeks before: the pump had 6+30+3 = 39 in the week to
    # 3 November, none since (a usual week 39/12 = 3.25); the boiler 2 now and none
    # before: p = (1/13)², under 5 incidents, so not flagged.
    assert pump[9:12] == ["0", "3.25", "no"]
    assert float(pump[12]) == 1.0
    assert boiler[9:12] == ["2", "0.0", "no"]
    assert float(boiler[12]) == pytest.approx((1 / 13) ** 2)
    assert chiller[9:12] == ["0", "0.33", "no"]
    assert none[9:] == total[9:] == ["", "", "", ""]

    book = sheets(client.get(f"/console/reports/products/export.xlsx?{PERIOD}"))
    assert [r[:4] for r in book["Products"][1:]] == [
        ["Dosing pump", 6, 3, 60.0],
        ["(none)", 2, 0, 20.0],
        ["Boiler", 2, 0, 20.0],
        ["Chiller", 0, 4, 0.0],
        ["Total", 10, 7, 100.0],
    ]

    html = client.get(f"/console/reports/products/?{PERIOD}").content.decode()
    assert '<td>6 <span class="meta">was 3</span></td>' in html
    assert '<td>10 <span class="meta">was 7</span></td>' in html  # the total line
    assert "products/export.xlsx?since=2026-11-01" in html


# --- Portal ------------------------------------------------------------------------------

PORTAL_PERIOD = "since=2026-10-15&until=2026-11-10"
LONDON = ZoneInfo("Europe/London")


def portal_days() -> None:
    mine, other = teams()
    for day, team, key, opened in (
        (on(OCT, 20), mine, "web", 3),
        (on(OCT, 20), mine, "phone", 1),
        (on(NOV, 2), mine, "web", 2),
        (on(NOV, 2), mine, "email", 2),
        (on(NOV, 3), other, "web", 40),  # not Morag's
        (on(OCT, 10), mine, "web", 9),  # before the period
    ):
        DayFigure.objects.create(
            day=day, dimension=Dimension.CHANNEL, team=str(team.pk), key=key, opened=opened
        )
    DayFigure.objects.create(
        day=on(NOV, 2), dimension=Dimension.ALL, team=str(mine.pk), key="", opened=8,
        answered=2, satisfied=1,
    )  # fmt: skip
    ours = individual("customer").organization
    theirs = individual("other_customer").organization
    assert ours is not None
    assert theirs is not None
    for month, who, organization in (
        (OCT, "customer", ours),
        (OCT, "colleague", ours),
        (NOV, "customer", ours),
        (NOV, "other_customer", theirs),
    ):
        PortalUser.objects.create(
            month=month, individual=individual(who), organization=str(organization.pk)
        )
    PortalDay.objects.create(
        day=on(NOV, 2), portal="customer", logins=5, searches=4, empty_searches=3, deflections=1
    )
    PortalDay.objects.create(day=on(OCT, 1), portal="customer", logins=50)  # before
    at = datetime.datetime(2026, 11, 5, 10, 0, tzinfo=LONDON)
    for query, results in (("=cmd|'/c calc'!A0", 0), ("=cmd|'/c calc'!A0", 0),
                           ("flux capacitor", 0), ("pump alarm", 3)):  # fmt: skip
        Search.objects.create(query=query, results=results, portal="customer", created_at=at)


def test_the_portal_export_gives_each_table_and_csv_one_at_a_time(
    client_for: Callable[[str], Client],
) -> None:
    portal_days()
    ours = individual("customer").organization
    theirs = individual("other_customer").organization
    assert ours is not None
    assert theirs is not None
    client = client_for("supervisor")

    channels = client.get(f"/console/reports/portal/export.csv?{PORTAL_PERIOD}")
    assert channels.status_code == 200
    assert (
        'filename="portal-channels-2026-10-15-to-2026-11-10.csv"' in channels["Content-Disposition"]
    )
    header, *rows = csv_rows(channels)
    assert header[:8] == ["Month", "All", "Web portal", "Web portal (%)", "Phone", "Phone (%)",
                          "E-mail", "E-mail (%)"]  # fmt: skip
    assert len(header) == 2 + 2 * 9  # every channel, a count and a share
    # October: 3 web, 1 phone; November: 2 web, 2 e-mail (the other team's 40 not counted).
    assert [r[:8] for r in rows] == [
        ["2026-10", "4", "3", "75.0", "1", "25.0", "0", "0.0"],
        ["2026-11", "4", "2", "50.0", "0", "0.0", "2", "50.0"],
    ]

    users = csv_rows(client.get(f"/console/reports/portal/export.csv?{PORTAL_PERIOD}&table=users"))
    assert users == [
        ["Organisation", "2026-10", "2026-11"],
        *sorted([[ours.name, "2", "1"], [theirs.name, "0", "1"]], key=lambda r: r[0]),
    ]
    searches = csv_rows(
        client.get(f"/console/reports/portal/export.csv?{PORTAL_PERIOD}&table=searches")
    )
    # A customer's search that looks like a formula stays text, marked with an apostrophe.
    assert searches == [
        ["Searched for", "Times"],
        ["'=cmd|'/c calc'!A0", "2"],
        ["flux capacitor", "1"],
    ]
    figures = csv_rows(
        client.get(f"/console/reports/portal/export.csv?{PORTAL_PERIOD}&table=figures")
    )
    assert figures[1:] == [
        ["Portal log-ins", "5"],
        ["Knowledge-base searches", "4"],
        ["Searches that found nothing", "3"],
        ["Searches that found nothing (%)", "75.0"],
        ["Solved by an article (deflections)", "1"],
        ["Satisfaction answers", "2"],
        ["Satisfied (%)", "50.0"],
    ]

    book = client.get(f"/console/reports/portal/export.xlsx?{PORTAL_PERIOD}")
    assert 'filename="portal-2026-10-15-to-2026-11-10.xlsx"' in book["Content-Disposition"]
    tables = sheets(book)
    assert list(tables) == [
        "Channels by month",
        "Active portal users",
        "Searches that found nothing",
        "Self-service figures",
    ]
    assert [r[:4] for r in tables["Channels by month"][1:]] == [
        ["2026-10", 4, 3, 75.0],
        ["2026-11", 4, 2, 50.0],
    ]
    assert tables["Searches that found nothing"][1] == ["'=cmd|'/c calc'!A0", 2]
    assert tables["Self-service figures"][1] == ["Portal log-ins", 5]

    html = client.get(f"/console/reports/portal/?{PORTAL_PERIOD}").content.decode()
    assert "portal/export.xlsx?since=2026-10-15" in html
    assert "table=users" in html
    assert 'name="report" value="portal"' in html  # the schedule form


# --- refusals ----------------------------------------------------------------------------

EXPORTS = ("people", "products", "portal")


def test_a_csr_without_the_reports_zone_gets_403_on_every_export(
    client_for: Callable[[str], Client],
) -> None:
    csr = client_for("csr")
    for report in EXPORTS:
        for fmt in ("csv", "xlsx"):
            assert csr.get(f"/console/reports/{report}/export.{fmt}").status_code == 403
    assert csr.get("/console/reports/export.csv").status_code == 403


def test_a_bad_format_table_or_period_is_refused(client_for: Callable[[str], Client]) -> None:
    client = client_for("supervisor")
    for report in EXPORTS:
        assert client.get(f"/console/reports/{report}/export.pdf").status_code == 404
        assert client.get(f"/console/reports/{report}/export.csv?table=secrets").status_code == 404
    # People has one table; the Portal's names are its own.
    assert client.get("/console/reports/people/export.csv?table=users").status_code == 404
    # A period backwards: back to the page, which says why.
    back = client.get("/console/reports/people/export.csv?since=2026-11-10&until=2026-11-01")
    assert back.status_code == 302
    assert back["Location"].startswith("/console/reports/people/?")
