"""Every report as a table to download (issue 24): the same rows the page shows, as CSV
or as an Excel workbook. Names (teams, people, products) are someone's words, so every
text cell is neutralised as in the transactions export (no formula runs when opened);
figures stay numbers, so a spreadsheet can add them up."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.cell.cell import WriteOnlyCell
from openpyxl.styles import Font

from portico.reports import flags, queries
from portico.reports.anomaly import Verdict
from portico.reports.models import Dimension
from portico.reports.queries import (
    Compared,
    MoneyRow,
    MonthShare,
    Period,
    PersonRow,
    Row,
    SelfService,
)
from portico.service.export import CONTENT_TYPES, FORMATS, neutralise
from portico.service.models import Channel

type Cell = str | int | float | None
type Table = tuple[Sequence[str], list[Sequence[Cell]]]

__all__ = [
    "CONTENT_TYPES",
    "FORMATS",
    "Sheet",
    "file_name",
    "money_table",
    "people_table",
    "products_table",
    "service_table",
    "sheets_for",
    "to_csv",
    "to_xlsx",
    "workbook",
]


def _hours(minutes: float | None) -> float | None:
    return None if minutes is None else round(minutes / 60, 2)


def service_table(by_label: str, rows: Sequence[Row]) -> Table:
    header = (
        by_label,
        "Opened",
        "Complaints",
        "Resolved",
        "Closed",
        "First response median (business h)",
        "First response median (clock h)",
        "First response 90th percentile (business h)",
        "Resolution median (business h)",
        "Resolution median (clock h)",
        "Responded in time (%)",
        "Resolved in time (%)",
        "Open at the end",
        "Mean age of the open (days)",
        "Value",
        "Cost",
        "Satisfaction answers",
        "Satisfied",
    )
    body: list[Sequence[Cell]] = [
        (
            row.label,
            row.opened,
            row.complaints,
            row.resolved,
            row.closed,
            _hours(row.median("response_business")),
            _hours(row.median("response_clock")),
            _hours(row.p90("response_business")),
            _hours(row.median("resolution_business")),
            _hours(row.median("resolution_clock")),
            row.response_on_time_share,
            row.resolution_on_time_share,
            row.backlog,
            None if row.backlog_mean_age_days is None else round(row.backlog_mean_age_days, 2),
            float(row.value),
            float(row.cost),
            row.answered,
            row.satisfied,
        )
        for row in rows
    ]
    return header, body


def people_table(compared: Compared[PersonRow]) -> Table:
    """The People page's table: each person now and over the period before, then the
    total line."""
    header = (
        "Person",
        "Actions",
        "Actions, period before",
        "Actions a day",
        "Closes",
        "Closes, period before",
        "Closes a day",
        "Customers served",
        "Customers served, period before",
        "Customers a day",
        "Feedback answers",
        "Satisfied (%)",
    )

    def line(row: PersonRow, before: PersonRow) -> Sequence[Cell]:
        return (
            row.label,
            row.actions,
            before.actions,
            round(row.actions_per_day, 2),
            row.closes,
            before.closes,
            round(row.closes_per_day, 2),
            row.customers,
            before.customers,
            round(row.customers_per_day, 2),
            row.answered,
            row.satisfied_share,
        )

    body = [line(row, before) for row, before in compared.rows]
    return header, [*body, line(compared.total, compared.total_before)]


def products_table(compared: Compared[Row], judged: Mapping[str, Verdict]) -> Table:
    """The Products page's table: calls, share, complaints and time to solution now and
    over the period before, this week's verdict of the anomaly flag, then the total."""
    header = (
        "Product",
        "Calls",
        "Calls, period before",
        "Share of calls (%)",
        "Complaints",
        "Complaints, period before",
        "Time to solution median (business h)",
        "Time to solution median (clock h)",
        "Time to solution median, period before (business h)",
        "Incidents this week",
        "Usual week",
        "Flagged",
        "p-value",
    )
    calls = compared.total.opened

    def line(row: Row, before: Row, verdict: Verdict | None) -> Sequence[Cell]:
        return (
            row.label,
            row.opened,
            before.opened,
            _share(row.opened, calls),
            row.complaints,
            before.complaints,
            _hours(row.median("resolution_business")),
            _hours(row.median("resolution_clock")),
            _hours(before.median("resolution_business")),
            None if verdict is None else verdict.count,
            None if verdict is None else round(verdict.expected, 2),
            None if verdict is None else ("yes" if verdict.flagged else "no"),
            None if verdict is None else verdict.p_value,
        )

    body = [line(row, before, judged.get(row.key)) for row, before in compared.rows]
    return header, [*body, line(compared.total, compared.total_before, None)]


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _month(day: datetime.date) -> str:
    return f"{day:%Y-%m}"


def channels_table(months: Sequence[MonthShare]) -> Table:
    """Requests opened through each channel per month: the count and the month's share."""
    header = ["Month", "All"]
    for _code, label in Channel.choices:
        header += [str(label), f"{label} (%)"]
    body: list[Sequence[Cell]] = []
    for month in months:
        cells: list[Cell] = [_month(month.month), month.total]
        for code, _label in Channel.choices:
            cells += [month.by_channel.get(code, 0), month.share(code)]
        body.append(cells)
    return header, body


def portal_users_table(
    months: Sequence[datetime.date], users: Sequence[tuple[str, list[int]]]
) -> Table:
    header = ["Organisation", *(_month(m) for m in months)]
    body: list[Sequence[Cell]] = [[name, *counts] for name, counts in users]
    return header, body


def portal_figures_table(service: SelfService, total: Row) -> Table:
    header = ("Figure", "Value")
    body: list[Sequence[Cell]] = [
        ("Portal log-ins", service.logins),
        ("Knowledge-base searches", service.searches),
        ("Searches that found nothing", service.empty_searches),
        ("Searches that found nothing (%)", service.empty_share),
        ("Solved by an article (deflections)", service.deflections),
        ("Satisfaction answers", total.answered),
        ("Satisfied (%)", total.satisfied_share),
    ]
    return header, body


# --- a whole report ----------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    """One of a report's tables: `key` names it in `?table=` and in a CSV's file name,
    `title` is its sheet in a workbook and its heading in a mail."""

    key: str
    title: str
    table: Table


def service_sheets(period: Period, *, teams: frozenset[str] | None, by: str) -> list[Sheet]:
    label = Dimension(by).label
    rows = queries.figures(by, period, teams=teams)
    return [Sheet("groups", f"Service by {label.lower()}", service_table(label, rows))]


def people_sheets(period: Period, *, teams: frozenset[str] | None, by: str = "") -> list[Sheet]:
    compared = queries.people_compared(period, teams=teams)
    return [Sheet("people", "People", people_table(compared))]


def products_sheets(period: Period, *, teams: frozenset[str] | None, by: str = "") -> list[Sheet]:
    compared = queries.products_compared(period, teams=teams)
    judged = {key: verdict for key, _label, verdict in flags.judge_products(period.until)}
    return [Sheet("products", "Products", products_table(compared, judged))]


def portal_sheets(period: Period, *, teams: frozenset[str] | None, by: str = "") -> list[Sheet]:
    """The Portal page's tables. Only the channels count the reader's teams' requests; log-
    ins, searches, deflections and portal users belong to no team (as on the page). The
    page lists the 50 organisations with most users and the 15 commonest empty searches;
    the export lists them all."""
    months = queries.months_of(period)
    return [
        Sheet(
            "channels",
            "Channels by month",
            channels_table(queries.channels_by_month(period, teams=teams)),
        ),
        Sheet(
            "users",
            "Active portal users",
            portal_users_table(months, queries.active_portal_users(period)),
        ),
        Sheet(
            "searches",
            "Searches that found nothing",
            (("Searched for", "Times"), [*queries.knowledge_gaps(period, limit=None)]),
        ),
        Sheet(
            "figures",
            "Self-service figures",
            portal_figures_table(queries.self_service(period), queries.total(period, teams=teams)),
        ),
    ]


def money_table(by_label: str, rows: Sequence[MoneyRow], total: MoneyRow) -> Table:
    """The Money page's table, its total line last (named "All"), amounts as numbers."""
    header = (
        by_label,
        "Transactions",
        "Value",
        "Cost",
        "Margin (value - cost)",
        "Average value",
        "Average cost",
    )

    def amount(value: Decimal | None) -> float | None:
        return None if value is None else float(value)

    body: list[Sequence[Cell]] = [
        (
            row.label,
            row.transactions,
            amount(row.value),
            amount(row.cost),
            amount(row.margin),
            amount(row.average_value),
            amount(row.average_cost),
        )
        for row in [*rows, total]
    ]
    return header, body


def money_sheets(period: Period, *, teams: frozenset[str] | None, by: str) -> list[Sheet]:
    # Grouped by product unless asked by area or organisation (a schedule made on the
    # Service page says team, which Money does not group by).
    by = by if by in queries.MONEY_DIMENSIONS else Dimension.PRODUCT
    label = Dimension(by).label
    table = money_table(
        label, queries.money(by, period, teams=teams), queries.money_total(period, teams=teams)
    )
    return [Sheet("groups", f"Money by {label.lower()}", table)]


SHEETS: dict[str, Callable[..., list[Sheet]]] = {
    "service": service_sheets,
    "people": people_sheets,
    "products": products_sheets,
    "portal": portal_sheets,
    "money": money_sheets,
}


def sheets_for(
    report: str, period: Period, *, teams: frozenset[str] | None, by: str = Dimension.TEAM
) -> list[Sheet]:
    """The tables of `report` ("service", "people", "products", "portal", "money") over
    `period`, counted over `teams` (access.report_teams; None: every team); `by` groups
    Service and Money."""
    return SHEETS[report](period, teams=teams, by=by)


def file_name(report: str, period: Period, fmt: str, *, by: str = "", table: str = "") -> str:
    """service-by-team-2026-09-06-to-2026-12-04.xlsx, portal-users-….csv"""
    parts = [report, *([f"by-{by}"] if by else []), *([table] if table else [])]
    return f"{'-'.join(parts)}-{period.since}-to-{period.until}.{fmt}"


def _text(value: Cell) -> str:
    if value is None:
        return ""
    return neutralise(value) if isinstance(value, str) else str(value)


def to_csv(table: Table) -> bytes:
    header, body = table
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(h) for h in header])
    for row in body:
        writer.writerow([_text(v) for v in row])
    # With a byte-order mark: without one Excel reads the file in the local code page.
    return ("\ufeff" + out.getvalue()).encode()


def to_xlsx(table: Table, *, title: str) -> bytes:
    return workbook([Sheet("", title, table)])


def workbook(sheets: Sequence[Sheet]) -> bytes:
    """An Excel workbook with one sheet per table, named by its title."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for one in sheets:
        header, body = one.table
        sheet = book.create_sheet(one.title[:31])
        sheet.freeze_panes = "A2"

        def cell(value: Cell, *, heading: bool = False, sheet: Any = sheet) -> XlCell:
            if isinstance(value, str) or value is None:
                made = WriteOnlyCell(sheet, value=neutralise(value or ""))
                made.data_type = "s"  # never a formula, whatever the text
            else:
                made = WriteOnlyCell(sheet, value=value)
            if heading:
                made.font = bold
            return made

        sheet.append([cell(h, heading=True) for h in header])
        for row in body:
            sheet.append([cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
