"""The Money report (issue 24): the value and cost of the transactions opened in a
period, by product, area or organisation, worked out by hand for six transactions; the
reader's teams only; the export; who may open it."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from openpyxl import load_workbook

from portico.parties.models import Organization
from portico.reports import queries, rollups
from portico.reports.models import Dimension
from portico.service import actions
from portico.service.models import Application, Choice, Transaction
from tests.console.test_lists import user

pytestmark = pytest.mark.usefixtures("demo_people")

LONDON = ZoneInfo("Europe/London")
# March 2021: long before any demo transaction, so the roll-ups hold only these.
PERIOD = "since=2021-03-08&until=2021-03-14"


def at(day: int) -> datetime.datetime:
    return datetime.datetime(2021, 3, day, 11, tzinfo=LONDON)


def org(name: str) -> Organization:
    return Organization.objects.get(name=name)


def made(
    day: int, product: str, area: str, organization: str, team: str, value: str, cost: str
) -> Transaction:
    t = actions.create_transaction(
        actor=user("csr"),
        application=Application.objects.get(code="service-issue"),
        title="Hand-built",
        profile={"issue-type": "fault", "product": product, "area": area},
        requester=None,
        organization=None,
    )
    Transaction.objects.filter(pk=t.pk).update(
        created_at=at(day),
        organization=org(organization),
        team=org(team),
        value=Decimal(value),
        cost=Decimal(cost),
    )
    return t


PUMP, GATEWAY = "clearflow-dosing-pump", "hydrolink-gateway"
HARBOUR, KELVIN = "Harbour Foods plc", "Kelvin Medical Group"


@pytest.fixture
def books(demo_people: None) -> None:
    """Four transactions opened from 8 to 14 March 2021 (three in the supervisor's teams,
    one in Sales), one the week before and one the week after."""
    made(10, PUMP, "north-east", HARBOUR, "Service Desk", "1000.00", "400.00")
    made(12, PUMP, "west", KELVIN, "Field Service", "250.50", "100.25")
    made(14, GATEWAY, "west", HARBOUR, "Service Desk", "0", "80.00")
    made(11, GATEWAY, "north-east", KELVIN, "Sales", "5000.00", "1000.00")
    made(5, PUMP, "west", HARBOUR, "Service Desk", "600.00", "200.00")  # the week before
    made(20, PUMP, "west", HARBOUR, "Service Desk", "9999.00", "1.00")  # after
    rollups.build(datetime.date(2021, 3, 1), datetime.date(2021, 3, 21))


def label(code: str) -> str:
    return Choice.objects.get(classification__code="product", code=code).label


def rows(by: str, teams: frozenset[str] | None = None) -> dict[str, tuple[Any, ...]]:
    period = queries.Period(datetime.date(2021, 3, 8), datetime.date(2021, 3, 14))
    return {
        r.label: (r.transactions, r.value, r.cost, r.margin, r.average_value, r.average_cost)
        for r in queries.money(by, period, teams=teams)
    }


def D(text: str) -> Decimal:
    return Decimal(text)


@pytest.mark.usefixtures("books")
def test_money_by_product_area_and_organisation_for_the_whole_desk() -> None:
    # The pump: 1,000.00 + 250.50 worth, 400.00 + 100.25 cost; 250.125 a transaction
    # rounds half up to 250.13. The gateway: 0 + 5,000.00 worth, 80.00 + 1,000.00 cost.
    assert rows(Dimension.PRODUCT) == {
        label(PUMP): (2, D("1250.50"), D("500.25"), D("750.25"), D("625.25"), D("250.13")),
        label(GATEWAY): (2, D("5000.00"), D("1080.00"), D("3920.00"), D("2500.00"), D("540.00")),
    }
    period = queries.Period(datetime.date(2021, 3, 8), datetime.date(2021, 3, 14))
    # The most valuable first.
    assert [r.label for r in queries.money(Dimension.PRODUCT, period, teams=None)] == [
        label(GATEWAY),
        label(PUMP),
    ]
    by_area = rows(Dimension.AREA)
    assert {k: v[:3] for k, v in by_area.items()} == {
        "North East": (2, D("6000.00"), D("1400.00")),
        "West": (2, D("250.50"), D("180.25")),
    }
    assert {k: v[:3] for k, v in rows(Dimension.ORGANIZATION).items()} == {
        HARBOUR: (2, D("1000.00"), D("480.00")),
        KELVIN: (2, D("5250.50"), D("1100.25")),
    }
    total = queries.money_total(period, teams=None)
    # 6,250.50 / 4 = 1,562.625 and 1,580.25 / 4 = 395.0625, to the cent.
    assert (total.transactions, total.value, total.cost, total.margin) == (
        4,
        D("6250.50"),
        D("1580.25"),
        D("4670.25"),
    )
    assert (total.average_value, total.average_cost) == (D("1562.63"), D("395.06"))
    before = queries.money_total(period.previous(), teams=None)
    assert (before.transactions, before.value, before.cost) == (1, D("600.00"), D("200.00"))


@pytest.mark.usefixtures("books")
def test_a_team_reader_adds_up_their_teams_only() -> None:
    teams = frozenset(str(org(name).pk) for name in ("Service Desk", "Field Service"))
    # Sales's gateway worth 5,000.00 is not counted: the gateway is the one worth 0.
    assert rows(Dimension.PRODUCT, teams) == {
        label(PUMP): (2, D("1250.50"), D("500.25"), D("750.25"), D("625.25"), D("250.13")),
        label(GATEWAY): (1, D("0.00"), D("80.00"), D("-80.00"), D("0.00"), D("80.00")),
    }


@pytest.mark.usefixtures("books")
def test_the_supervisor_sees_their_teams_money_on_the_page(
    client_for: Callable[[str], Client],
) -> None:
    page = client_for("supervisor").get(f"/console/reports/money/?{PERIOD}&by=product")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html
    assert "Your teams only." in html
    # The total line: 3 transactions, 1,250.50 worth, 580.25 cost, 670.25 margin;
    # 1,250.50 / 3 = 416.83 and 580.25 / 3 = 193.42 a transaction.
    foot = html[html.index("<tfoot>") : html.index("</tfoot>")]
    for shown in ("<td>3</td>", "1,250.50", "580.25", "670.25", "416.83", "193.42"):
        assert shown in foot
    # Against the week before: the pump's 600.00 then, 1,250.50 now.
    assert "+650.50" in html
    assert "5,000.00" not in html
    # The one-line summary, under the chart's title as well.
    assert (
        "3 transactions worth 1,250.50 cost 580.25, a margin of 670.25. "
        f"The product worth most: {label(PUMP)}, 1,250.50."
    ) in html


@pytest.mark.usefixtures("books")
def test_the_administrator_groups_by_organisation(client_for: Callable[[str], Client]) -> None:
    page = client_for("administrator").get(f"/console/reports/money/?{PERIOD}&by=organization")
    html = page.content.decode()
    assert "Every team." in html
    assert f'title="{KELVIN}"' in html
    assert "5,250.50" in html
    # The default grouping is the product.
    default = client_for("administrator").get("/console/reports/money/").content.decode()
    assert '<option value="product" selected>' in default
    # Money is grouped by product, area or organisation, nothing else.
    refused = client_for("administrator").get(f"/console/reports/money/?{PERIOD}&by=team")
    assert "Select a valid choice" in refused.content.decode()
    assert "<svg" not in refused.content.decode()


@pytest.mark.usefixtures("books")
def test_the_table_exports_as_csv_and_excel(client_for: Callable[[str], Client]) -> None:
    Organization.objects.filter(name=KELVIN).update(name="=HYPERLINK(1)")
    client = client_for("administrator")
    got = client.get(f"/console/reports/money/export.csv?{PERIOD}&by=organization")
    assert got.status_code == 200
    assert got["Content-Disposition"].startswith(
        'attachment; filename="money-by-organization-2021-03-08-to-2021-03-14.csv'
    )
    table = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert table[0] == [
        "Organisation",
        "Transactions",
        "Value",
        "Cost",
        "Margin (value - cost)",
        "Average value",
        "Average cost",
    ]
    # A name is neutralised, never run as a formula; the total line comes last.
    assert table[1] == ["'=HYPERLINK(1)", "2", "5250.5", "1100.25", "4150.25", "2625.25", "550.13"]
    assert table[-1] == ["All", "4", "6250.5", "1580.25", "4670.25", "1562.63", "395.06"]

    book = client.get(f"/console/reports/money/export.xlsx?{PERIOD}&by=product")
    sheet = load_workbook(io.BytesIO(book.content)).active
    assert sheet is not None
    cells = [[c.value for c in r] for r in sheet.iter_rows()]
    assert cells[-1] == ["All", 4, 6250.5, 1580.25, 4670.25, 1562.63, 395.06]  # numbers
    assert client.get("/console/reports/money/export.pdf").status_code == 404


def test_a_csr_without_the_reports_zone_is_refused(client_for: Callable[[str], Client]) -> None:
    assert client_for("csr").get("/console/reports/money/").status_code == 403
    assert client_for("csr").get("/console/reports/money/export.csv").status_code == 403
    assert client_for("customer").get("/console/reports/money/").status_code in (302, 403)


@pytest.mark.usefixtures("books")
def test_a_cost_set_weeks_later_reaches_the_day_it_was_opened(
    worker: Callable[[], int],
) -> None:
    # The cost of a call is often known when it is resolved, long after it was opened:
    # the change marks the day it was opened (10 March) stale, and the worker's roll-ups
    # job rebuilds it, not only the recent days.
    from portico.reports.tasks import build_recent_days

    [pump] = Transaction.objects.filter(created_at=at(10))
    actions.set_money(actor=user("supervisor"), transaction=pump, cost="650.00")
    worker()
    build_recent_days()
    assert rows(Dimension.PRODUCT)[label(PUMP)][:4] == (2, D("1250.50"), D("750.25"), D("500.25"))


@pytest.mark.usefixtures("books")
def test_the_money_report_by_email_counts_the_recipients_teams(
    client_for: Callable[[str], Client],
) -> None:
    from portico.notify.models import Delivery
    from portico.reports import mailing
    from portico.reports.models import Schedule

    asked = client_for("supervisor").post(
        "/console/reports/schedules/",
        {"report": "money", "by": "area", "every": "week", "back": "/console/reports/money/"},
    )
    assert asked.status_code == 302
    schedule = Schedule.objects.get(report="money")
    assert schedule.by == Dimension.AREA
    # Monday 15 March 2021, 07:00: the week of 8 to 14 March.
    Schedule.objects.filter(pk=schedule.pk).update(
        next_at=datetime.datetime(2021, 3, 15, 7, 0, tzinfo=LONDON)
    )
    assert mailing.send_due(now=datetime.datetime(2021, 3, 15, 7, 0, tzinfo=LONDON)) == 1
    [sent] = Delivery.objects.filter(kind=mailing.KIND)
    assert sent.subject == "Money report, 8 Mar to 14 Mar 2021"
    # Sales's 5,000.00 in the North East is not the supervisor's: only the pump there.
    assert "North East | 1 | 1000.0 | 400.0 | 600.0 | 1000.0 | 400.0" in sent.body
    assert "West | 2 | 250.5 | 180.25 | 70.25 | 125.25 | 90.13" in sent.body
    assert "All | 3 | 1250.5 | 580.25 | 670.25 | 416.83 | 193.42" in sent.body


@pytest.mark.usefixtures("books")
def test_the_page_lists_the_groups_worth_most_and_the_download_all(
    client_for: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    from portico.reports import views

    monkeypatch.setattr(views, "TOP_GROUPS", 1)
    client = client_for("administrator")
    html = client.get(f"/console/reports/money/?{PERIOD}&by=product").content.decode()
    assert label(GATEWAY) in html
    assert label(PUMP) not in html
    assert "The 1 groups worth most; 1 more in the download." in html
    # The total line still counts every group.
    assert "6,250.50" in html
    got = client.get(f"/console/reports/money/export.csv?{PERIOD}&by=product")
    assert label(PUMP) in got.content.decode("utf-8-sig")


@pytest.mark.usefixtures("books")
def test_a_period_covering_a_whole_month_reads_the_months_roll_up() -> None:
    # 20 February to 31 March 2021: March whole (from its month's figures), the February
    # days at its start from the days'. All six transactions were opened in March: the
    # pump 1,000.00 + 250.50 + 600.00 + 9,999.00 worth, 400.00 + 100.25 + 200.00 + 1.00
    # cost; the gateway 0 + 5,000.00 worth, 80.00 + 1,000.00 cost.
    from portico.reports.models import MonthFigure

    assert MonthFigure.objects.filter(month=datetime.date(2021, 3, 1)).exists()
    period = queries.Period(datetime.date(2021, 2, 20), datetime.date(2021, 3, 31))
    found = {
        r.label: (r.transactions, r.value, r.cost)
        for r in queries.money(Dimension.PRODUCT, period, teams=None)
    }
    assert found == {
        label(PUMP): (4, D("11849.50"), D("701.25")),
        label(GATEWAY): (2, D("5000.00"), D("1080.00")),
    }
    total = queries.money_total(period, teams=None)
    assert (total.transactions, total.value, total.cost) == (6, D("16849.50"), D("1781.25"))
