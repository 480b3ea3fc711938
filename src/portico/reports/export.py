"""Every report as a table to download (issue 24): the same rows the page shows, as CSV
or as an Excel workbook. Names (teams, people, products) are someone's words, so every
text cell is neutralised as in the transactions export (no formula runs when opened);
figures stay numbers, so a spreadsheet can add them up."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.cell.cell import WriteOnlyCell
from openpyxl.styles import Font

from portico.reports.queries import MoneyRow, PersonRow, Row
from portico.service.export import CONTENT_TYPES, FORMATS, neutralise

type Cell = str | int | float | None
type Table = tuple[Sequence[str], list[Sequence[Cell]]]

__all__ = [
    "CONTENT_TYPES",
    "FORMATS",
    "money_table",
    "people_table",
    "service_table",
    "to_csv",
    "to_xlsx",
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


def people_table(rows: Sequence[PersonRow]) -> Table:
    header = (
        "Person",
        "Actions",
        "Actions a day",
        "Closes",
        "Closes a day",
        "Customers served",
        "Customers a day",
        "Feedback answers",
        "Satisfied (%)",
    )
    body: list[Sequence[Cell]] = [
        (
            row.label,
            row.actions,
            round(row.actions_per_day, 2),
            row.closes,
            round(row.closes_per_day, 2),
            row.customers,
            round(row.customers_per_day, 2),
            row.answered,
            row.satisfied_share,
        )
        for row in rows
    ]
    return header, body


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
    header, body = table
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def cell(value: Cell, *, heading: bool = False) -> XlCell:
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
    workbook.save(out)
    return out.getvalue()


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
