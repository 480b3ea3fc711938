"""Exporting the console's transaction list as CSV and Excel: the same filter and the
same access as the list (every page of it, nothing more), staff only, sent as a
download, bounded in Excel with a notice, and recorded in the audit trail."""

from __future__ import annotations

import csv
import datetime
import io
import re
import warnings

import pytest
from asgiref.sync import async_to_sync
from django.db import connection
from django.http import HttpResponseBase, StreamingHttpResponse
from django.test import AsyncClient, Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from portico.audit.models import Event
from portico.service import export
from portico.service.models import Transaction
from tests.console.test_lists import (
    LIST,
    bulk_transactions,
    client_as,
    client_of,
    hide_from,
    individual,
    numbers,
    organization,
    user,
)

CSV_URL = "/console/transactions/export.csv"
XLSX_URL = "/console/transactions/export.xlsx"
URLS = {"csv": CSV_URL, "xlsx": XLSX_URL}


# --- reading an export back (the security tests use these too) ---------------------------


def body(response: HttpResponseBase) -> bytes:
    assert isinstance(response, StreamingHttpResponse), type(response)
    return b"".join(response.streaming_content)  # type: ignore[arg-type]


def csv_table(response: HttpResponseBase) -> list[list[str]]:
    """The CSV's rows, header first, as the csv module reads them."""
    raw = body(response)
    assert raw.startswith(b"\xef\xbb\xbf"), "the file opens with a UTF-8 byte-order mark"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def xlsx_table(response: HttpResponseBase) -> list[list[object]]:
    """The workbook's first sheet as values, header first (empty cells as None)."""
    sheet = load_workbook(io.BytesIO(body(response))).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def exported_numbers(client: Client, fmt: str, query: dict[str, str] | None = None) -> list[str]:
    response = client.get(URLS[fmt], query or {})
    assert response.status_code == 200
    table = csv_table(response) if fmt == "csv" else xlsx_table(response)
    assert table[0][0] == "Number"
    return [str(row[0]) for row in table[1:] if row and row[0]]


# --- the same rows as the list -------------------------------------------------------------

FILTERS: list[dict[str, str]] = [
    {},
    {"status": "all"},
    {"status": "resolved"},
    {"application": "service-issue"},
    {"priority": "P1"},
    {"product": "aquasense-controller"},
    {"due": "overdue"},
    {"q": "pump"},
    {"area": "west", "status": "all"},
]


def test_the_export_holds_what_the_list_shows(catalogue: dict[str, Transaction]) -> None:
    csr = client_as("csr")
    for query in FILTERS:
        listed = numbers(csr.get(LIST, query).content.decode())
        for fmt in URLS:
            # The same rows in the same order: soonest due first, undated last.
            assert exported_numbers(csr, fmt, query) == listed, (fmt, query)


def test_organisation_team_and_assignee_filters(catalogue: dict[str, Transaction]) -> None:
    csr = client_as("csr")
    harbour = organization("Harbour Foods plc")
    sales = organization("Sales")
    tom = individual("technician")
    for query, expected in [
        ({"organization": str(harbour.pk), "status": "all"}, {"a", "c"}),
        ({"team": str(sales.pk)}, {"e"}),  # other teams' transactions are left out
        ({"assignee": str(tom.pk)}, {"a"}),
    ]:
        for fmt in URLS:
            found = exported_numbers(csr, fmt, query)
            assert set(found) == {catalogue[k].number for k in expected}, (fmt, query)


def test_transactions_hidden_from_the_person_are_not_exported(
    catalogue: dict[str, Transaction],
) -> None:
    # An administrator's grant takes Fiona off two transactions; Ravi, another CSR,
    # still sees them. Each export holds its own person's share.
    hide_from("csr", catalogue["a"], catalogue["c"])
    hidden = catalogue["a"].number
    for fmt in URLS:
        fiona = set(exported_numbers(client_as("csr"), fmt, {"status": "all"}))
        assert fiona == {catalogue[k].number for k in "bde"}, fmt
        ravi = set(exported_numbers(client_of("Ravi"), fmt, {"status": "all"}))
        assert ravi == {t.number for t in catalogue.values()}, fmt
        # Asking for a hidden one by number finds nothing.
        by_number = {"q": hidden, "status": "all"}
        assert exported_numbers(client_as("csr"), fmt, by_number) == [], fmt


def test_every_page_of_the_list_is_in_one_csv(people: None) -> None:
    made = bulk_transactions(120, requester="Ewan")
    hidden = made[:7]
    hide_from("csr", *hidden)
    found = exported_numbers(client_as("csr"), "csv")
    assert len(found) == 113 == len(set(found))
    assert set(found) == {t.number for t in made[7:]}


def test_columns(catalogue: dict[str, Transaction]) -> None:
    csr = client_as("csr")
    a = Transaction.objects.get(pk=catalogue["a"].pk)
    expected_due = timezone.localtime(a.due_at).strftime("%Y-%m-%d %H:%M") if a.due_at else ""
    table = csv_table(csr.get(CSV_URL, {"priority": "P1"}))
    assert table == [
        list(export.HEADER),
        [
            a.number,
            "Pump alarm E42",
            a.status.name,
            "P1",
            "Harbour Foods plc",
            "Ewan Grant",
            a.team.name if a.team else "",
            "Tom Reid",
            expected_due,
            timezone.localtime(a.created_at).strftime("%Y-%m-%d %H:%M"),
            timezone.localtime(a.updated_at).strftime("%Y-%m-%d %H:%M"),
        ],
    ]
    sheet = xlsx_table(csr.get(XLSX_URL, {"priority": "P1"}))
    assert sheet[0] == list(export.HEADER)
    assert sheet[1][:8] == table[1][:8]
    # Times are real date cells in Excel, in local time to the minute shown.
    due = sheet[1][8]
    assert isinstance(due, datetime.datetime)
    assert due.strftime("%Y-%m-%d %H:%M") == expected_due


# --- who may export -----------------------------------------------------------------------

STAFF = ["csr", "technician", "supervisor", "administrator"]
OUTSIDERS = ["customer", "colleague", "other_customer", "partner", "employee"]


def test_staff_may_export(people: None) -> None:
    made = bulk_transactions(2)
    for key in STAFF:
        for fmt in URLS:
            response = client_as(key).get(URLS[fmt])
            assert response.status_code == 200, (key, fmt)
            assert exported_numbers(client_as(key), fmt) == [t.number for t in made]


def test_people_outside_the_staff_are_refused(people: None) -> None:
    bulk_transactions(2)
    for key in OUTSIDERS:
        for url in URLS.values():
            response = client_as(key).get(url)
            assert response.status_code == 403, (key, url)
            assert b"Not allowed" in response.content
            assert "Content-Disposition" not in response
    assert not Event.objects.filter(action="transactions.exported").exists()


def test_anonymous_is_sent_to_log_in(client: Client, db: None) -> None:
    for url in URLS.values():
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_a_person_who_left_cannot_export(people: None) -> None:
    client = client_as("csr")
    person = individual("csr")
    person.active = False
    person.save(update_fields=["active"])
    response = client.get(CSV_URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- the response -------------------------------------------------------------------------


def test_served_as_a_download(people: None) -> None:
    bulk_transactions(3)
    today = timezone.localdate()
    for fmt, content_type in export.CONTENT_TYPES.items():
        response = client_as("csr").get(URLS[fmt])
        assert response.status_code == 200
        assert response.streaming  # CSV row by row; Excel from a temporary file
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"] == (
            f'attachment; filename="transactions-{today:%Y-%m-%d}.{fmt}"'
        )
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private, no-store"
        assert "sandbox" in response["Content-Security-Policy"]
        raw = body(response)
        if fmt == "xlsx":
            assert response["Content-Length"] == str(len(raw))


def test_streamed_under_asgi(people: None) -> None:
    """Portico is served over ASGI, where Django reads a synchronous iterator to its end
    before sending anything; the export hands over an asynchronous one instead."""
    made = bulk_transactions(5)
    fiona = user("csr")

    async def fetch(url: str) -> tuple[HttpResponseBase, bytes]:
        client = AsyncClient()
        await client.aforce_login(fiona)
        response = await client.get(url)
        assert isinstance(response, StreamingHttpResponse)
        assert response.is_async
        parts = [part async for part in response.streaming_content]
        return response, b"".join(parts)

    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="StreamingHttpResponse must consume")
        response, raw = async_to_sync(fetch)(CSV_URL)
        assert response["Content-Disposition"].startswith("attachment;")
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
        assert [row[0] for row in rows[1:]] == [t.number for t in made]
        response, raw = async_to_sync(fetch)(XLSX_URL)
        assert response["Content-Length"] == str(len(raw))
        sheet = load_workbook(io.BytesIO(raw)).active
        assert sheet is not None
        assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
            t.number for t in made
        ]


def test_bad_requests(people: None) -> None:
    client = client_as("csr")
    assert client.get("/console/transactions/export.pdf").status_code == 404
    assert client.post(CSV_URL).status_code == 405
    # Filters that are not valid lead back to the list, which says what is wrong.
    for url in URLS.values():
        response = client.get(url, {"priority": "P9", "status": "all"})
        assert response.status_code == 302
        assert response["Location"] == f"{LIST}?priority=P9&status=all"
    page = client.get(f"{LIST}?priority=P9&status=all")
    assert page.status_code == 400
    assert "There is no such priority" in page.content.decode()
    assert not Event.objects.filter(action="transactions.exported").exists()


# --- Excel's bound ------------------------------------------------------------------------


def test_excel_stops_at_the_bound_and_says_so(
    people: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "XLSX_MAX_ROWS", 4)
    made = bulk_transactions(6)
    response = client_as("csr").get(XLSX_URL)
    assert response["X-Portico-Export-Truncated"] == "4"
    sheet = xlsx_table(response)
    assert [row[0] for row in sheet[1:5]] == [t.number for t in made[:4]]
    assert sheet[5] == [None] * len(sheet[5]) or sheet[5] == []
    assert sheet[6][0] == export.truncation_notice(4)
    assert "Only the first 4 transactions" in str(sheet[6][0])
    event = Event.objects.get(action="transactions.exported")
    assert event.data == {"format": "xlsx", "filters": "", "rows": 4, "truncated": True}
    # At the bound exactly, nothing is cut.
    monkeypatch.setattr(export, "XLSX_MAX_ROWS", 6)
    whole = client_as("csr").get(XLSX_URL)
    assert "X-Portico-Export-Truncated" not in whole
    assert len(xlsx_table(whole)) == 7
    # CSV has no bound.
    assert len(exported_numbers(client_as("csr"), "csv")) == 6


# --- the audit trail ----------------------------------------------------------------------


def test_each_export_is_recorded(catalogue: dict[str, Transaction]) -> None:
    client = client_as("csr")
    body(client.get(CSV_URL, {"priority": "P1", "bogus": "x", "q": ""}))
    body(client.get(XLSX_URL, {"status": "all"}))
    events = list(Event.objects.filter(action="transactions.exported").order_by("id"))
    assert [e.data for e in events] == [
        {"format": "csv", "filters": "priority=P1"},
        {"format": "xlsx", "filters": "status=all", "rows": 5},
    ]
    assert {e.actor_id for e in events} == {user("csr").pk}
    assert {e.portal for e in events} == {"console"}


# --- the list page's links ---------------------------------------------------------------


def test_the_list_links_to_both_exports_with_its_filters(catalogue: dict[str, Transaction]) -> None:
    harbour = organization("Harbour Foods plc")
    html = (
        client_as("csr")
        .get(LIST, {"priority": "P1", "organization": str(harbour.pk), "after": "x|1"})
        .content.decode()
    )
    links = dict(
        re.findall(r'<a href="(/console/transactions/export\.[^"]+)" download>([^<]+)', html)
    )
    query = f"priority=P1&amp;organization={harbour.pk}"
    assert links == {f"{CSV_URL}?{query}": "Export CSV", f"{XLSX_URL}?{query}": "Export Excel"}
    assert f"{export.XLSX_MAX_ROWS:,} rows" in html
    plain = client_as("csr").get(LIST).content.decode()
    assert f'href="{CSV_URL}" download>Export CSV' in plain
    # With filters that are not valid there is nothing to export.
    broken = client_as("csr").get(LIST, {"priority": "P9"}).content.decode()
    assert "Export CSV" not in broken


# --- cost ----------------------------------------------------------------------------------


def test_query_count_does_not_grow_with_rows(people: None) -> None:
    client = client_as("csr")

    def queries(fmt: str) -> int:
        with CaptureQueriesContext(connection) as context:
            body(client.get(URLS[fmt]))
        return len(context.captured_queries)

    bulk_transactions(3, assign_to="technician")
    body(client.get(CSV_URL))  # the first request of a session reads a little more
    few = {fmt: queries(fmt) for fmt in URLS}
    bulk_transactions(80, assign_to="technician")
    assert {fmt: queries(fmt) for fmt in URLS} == few
