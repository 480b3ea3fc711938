"""Exports of a list of transactions as CSV and as Excel (XLSX).

The caller hands in the transactions already narrowed to what the person may see
(`access.visible_transactions`, then the list's own filter form): this module only
orders, reads and writes them, so an export can never hold more than its list.

Spreadsheets run formulas, and every text here can come from a customer (titles,
names, organisation names). A cell that opens with a formula trigger is written as
inert text; see `neutralise`.
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING

from django.db.models import F, Prefetch, QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font

from portico import access
from portico.events import services as events
from portico.service.models import Grant, Transaction
from portico.service.selectors import for_list

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    from portico.access import Person

type Value = str | datetime.datetime | None
type Row = tuple[Value, ...]

HEADER: Row = (
    "Number",
    "Title",
    "Status",
    "Priority",
    "Organisation",
    "Requester",
    "Team",
    "Assignees",
    "Due",
    "Created",
    "Updated",
)
FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# An XLSX file is built whole before it is sent (the format is a zip), so it is bounded;
# CSV streams row by row and has no limit. 50,000 rows is a few megabytes and opens
# quickly in any spreadsheet.
XLSX_MAX_ROWS = 50_000
# Rows read from the database at a time: one query for the rows, one for their
# assignees, per chunk, whatever the size of the list.
CHUNK_SIZE = 1_000
DATE_FORMAT = "%Y-%m-%d %H:%M"
XLSX_DATE_FORMAT = "yyyy-mm-dd hh:mm"


# --- neutralising ------------------------------------------------------------------------

# Characters XML 1.0 cannot hold: the control characters other than tab, line feed and
# carriage return, lone surrogates, U+FFFE and U+FFFF. An XLSX is XML, so with one of
# them in a title the file would not open (openpyxl refuses the controls itself); none
# of them is visible in a spreadsheet. And a NUL in front of "=" is a known way past
# checks that look at the first character only: they are removed before the check, so
# "\x00=1" is judged as the "=1" it shows. CSV gets the same text, so both files agree.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A cell is live when it opens with a formula trigger: "=", "+", "-" and "@" start a
# formula (or a DDE call: =cmd|' /C calc'!A0) in Excel, LibreOffice and Google Sheets;
# a leading tab, carriage return or line feed is trimmed by some importers, leaving the
# trigger behind it first; for the same reason a trigger after leading spaces counts.
_LIVE = re.compile(r"\A(?:[\t\r\n]|\s*[=+\-@])")


def neutralise(text: str) -> str:
    """Text that no spreadsheet reads as a formula, with everything visible kept.

    A live cell is prefixed with an apostrophe: the mark spreadsheets themselves use for
    "this is text", so the reader sees the same words with one ' before them, and
    nothing is dropped or rewritten (OWASP's advice on CSV injection). Escaping inside
    the text (quotes, commas) is the CSV writer's job, not this function's."""
    text = _INVISIBLE.sub("", text)
    return f"'{text}" if _LIVE.match(text) else text


# --- rows --------------------------------------------------------------------------------


def export_rows(transactions: QuerySet[Transaction], *, limit: int | None = None) -> Iterator[Row]:
    """The rows of an export, in the list's order (soonest due first, no due time last,
    then by id), read in chunks so a long list never sits in memory at once."""
    assignees = Prefetch(
        "grants",
        queryset=Grant.objects.filter(individual__isnull=False, permission__on_task_list=True)
        .select_related("individual")
        .order_by("individual__last_name", "individual__first_name", "pk"),
    )
    ordered = (
        for_list(transactions)
        .prefetch_related(assignees)
        .order_by(F("due_at").asc(nulls_last=True), "id")
    )
    if limit is not None:
        ordered = ordered[:limit]
    for transaction in ordered.iterator(chunk_size=CHUNK_SIZE):
        yield row_of(transaction)


def row_of(transaction: Transaction) -> Row:
    """One transaction as export values: text as shown on the list, times as they are."""
    t = transaction
    names = [g.individual.name for g in t.grants.all() if g.individual is not None]
    return (
        t.number,
        t.title,
        t.status.name,
        t.priority.code if t.priority else "",
        t.organization.name if t.organization else "",
        t.requester.name if t.requester else "",
        t.team.name if t.team else "",
        "; ".join(dict.fromkeys(names)),
        t.due_at,
        t.created_at,
        t.updated_at,
    )


def _local(moment: datetime.datetime) -> datetime.datetime:
    # Spreadsheets have no time zones: times are written as the office's local time.
    return timezone.localtime(moment).replace(tzinfo=None)


# --- CSV ---------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write returns the line, so csv.writer builds lines for
    a streaming response instead of writing them anywhere."""

    def write(self, line: str) -> str:
        return line


def csv_cell(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return _local(value).strftime(DATE_FORMAT)
    return neutralise(value)


def csv_chunks(rows: Iterable[Row], *, rows_per_chunk: int = 200) -> Iterator[str]:
    """The CSV file as text chunks for a StreamingHttpResponse. It opens with a UTF-8
    byte-order mark: without one Excel reads the file as the local code page and garbles
    every accented name."""
    writer = csv.writer(_Echo())
    chunk: list[str] = ["\ufeff", writer.writerow(HEADER)]
    for row in rows:
        chunk.append(writer.writerow([csv_cell(value) for value in row]))
        if len(chunk) >= rows_per_chunk:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


# --- XLSX --------------------------------------------------------------------------------


@dataclass(frozen=True)
class XlsxResult:
    rows: int
    truncated: bool


def truncation_notice(limit: int) -> str:
    return (
        f"Only the first {limit:,} transactions are in this file: the list has more. "
        "Narrow the filters, or export CSV, which has no limit."
    )


def write_xlsx(rows: Iterable[Row], out: IO[bytes], *, limit: int | None = None) -> XlsxResult:
    """Write at most `limit` rows (XLSX_MAX_ROWS by default) as a workbook to `out`.
    Pass one row more than the limit to learn whether the list was cut: then the sheet
    ends with a line saying so."""
    limit = XLSX_MAX_ROWS if limit is None else limit
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Transactions")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = [_xlsx_cell(sheet, value) for value in HEADER]
    for cell in header:
        cell.font = bold
    sheet.append(header)
    written = 0
    truncated = False
    for row in rows:
        if written == limit:
            truncated = True
            break
        sheet.append([_xlsx_cell(sheet, value) for value in row])
        written += 1
    if truncated:
        sheet.append([])
        notice = _xlsx_cell(sheet, truncation_notice(limit))
        notice.font = bold
        sheet.append([notice])
    workbook.save(out)
    return XlsxResult(rows=written, truncated=truncated)


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Value) -> Cell:
    if isinstance(value, datetime.datetime):
        cell = WriteOnlyCell(sheet, value=_local(value))
        cell.number_format = XLSX_DATE_FORMAT
        return cell
    # XML reads a carriage return as a line feed; written as one, what the reader gets
    # back is what was written.
    text = neutralise(value or "").replace("\r\n", "\n").replace("\r", "\n")
    cell = WriteOnlyCell(sheet, value=text)
    # openpyxl guesses a cell's type from its text: "=…" becomes a formula and "#N/A" an
    # error value. Every text here is someone's words, so it is always a string cell;
    # the apostrophe from `neutralise` stays as well, so the text is still inert if the
    # workbook is saved again as CSV.
    cell.data_type = "s"
    return cell


# --- the audit trail ---------------------------------------------------------------------


def record_export(
    *,
    actor: Person,
    file_format: str,
    filters: str,
    rows: int | None = None,
    truncated: bool = False,
) -> None:
    """An export takes customers' data out of Portico, so it is a touch worth keeping:
    who, which format and which filters (and for XLSX how many rows)."""
    data: dict[str, object] = {"format": file_format, "filters": filters}
    if rows is not None:
        data["rows"] = rows
    if truncated:
        data["truncated"] = True
    events.record(
        "transactions.exported",
        actor=actor,
        portal=access.portal_of(actor),
        data=data,
    )
