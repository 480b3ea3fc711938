"""The console's transaction list: who may open it, each filter narrowing as it says,
clear errors for bad input, keyset paging that returns every visible row exactly once,
saved views that are their owner's alone, and a query count that does not grow with
the rows."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.db.models import Max
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portico.console.forms import Cursor, TransactionFilterForm
from portico.console.models import SavedView
from portico.parties.models import Individual, Organization, User
from portico.service import actions, selectors
from portico.service.models import (
    Application,
    Grant,
    Permission,
    Priority,
    Status,
    Transaction,
)
from tests.conftest import PERSONAS
from tests.queries import tables_read

ISSUE = {"issue-type": "fault", "product": "clearflow-dosing-pump"}
LIST = "/console/transactions/"


# --- helpers shared by the console page tests -------------------------------------------


def user(key: str) -> User:
    person = PERSONAS[key].individual.user
    assert person is not None
    return person


def individual(key: str) -> Individual:
    return PERSONAS[key].individual


def client_as(key: str) -> Client:
    client = Client()
    client.force_login(user(key))
    return client


def client_of(first_name: str) -> Client:
    """A logged-in client for a demo person who is no persona (Ravi, the other CSR)."""
    person = Individual.objects.get(first_name=first_name).user
    assert person is not None
    client = Client()
    client.force_login(person)
    return client


def organization(name: str) -> Organization:
    return Organization.objects.get(name=name)


def create(
    title: str,
    *,
    application: str = "service-issue",
    requester: str = "Ewan",
    actor: str = "csr",
    priority: str | None = "P3",
    profile: dict[str, str] | None = None,
    team: Organization | None = None,
) -> Transaction:
    """A transaction logged through the service, as the console would log it."""
    return actions.create_transaction(
        actor=user(actor),
        application=Application.objects.get(code=application),
        title=title,
        requester=Individual.objects.get(first_name=requester),
        priority=Priority.objects.get(code=priority) if priority else None,
        profile=ISSUE if profile is None and application == "service-issue" else profile or {},
        channel="phone",
        team=team,
    )


def hide_from(key: str, *transactions: Transaction) -> None:
    """An administrator's grant of a permission without "view" to one person: the most
    specific grant wins, so that person no longer sees the transactions at all."""
    nothing, _ = Permission.objects.get_or_create(
        code="no-access", defaults={"name": "No access", "decides_access": True}
    )
    for transaction in transactions:
        actions.grant(
            actor=user("administrator"),
            transaction=transaction,
            permission=nothing,
            individual=individual(key),
        )


def bulk_transactions(
    count: int,
    *,
    requester: str = "Ewan",
    assign_to: str | None = None,
    **fields: Any,
) -> list[Transaction]:
    """Many open service issues at once, bypassing the service (only the rows a list
    reads), for paging and query-count tests. Due in the next hours, updated by the
    customer just now; optionally on someone's task list."""
    application = Application.objects.get(code="service-issue")
    person = Individual.objects.get(first_name=requester)
    start = (Transaction.objects.aggregate(top=Max("sequence"))["top"] or 0) + 1000
    now = timezone.now()
    values: dict[str, Any] = {
        "application": application,
        "status": Status.objects.get(application=application, initial=True),
        "priority": Priority.objects.get(code="P1"),
        "organization": person.organization,
        "requester": person,
        "recorded_by": person,
        "team": application.team,
        "created_at": now,
        "updated_at": now,
        "customer_updated_at": now,
        "response_due_at": now + datetime.timedelta(minutes=30),
        "resolution_due_at": now + datetime.timedelta(hours=4),
        **fields,
    }
    rows = [
        Transaction(
            sequence=start + i,
            number=f"{application.prefix}-{start + i:06d}",
            title=f"Bulk issue {start + i}",
            due_at=values.get("due_at", now + datetime.timedelta(minutes=60 + i)),
            **{k: v for k, v in values.items() if k != "due_at"},
        )
        for i in range(count)
    ]
    made = Transaction.objects.bulk_create(rows)
    if assign_to is not None:
        assigned = Permission.objects.get(code="assigned")
        worker = individual(assign_to)
        Grant.objects.bulk_create(
            Grant(transaction=t, individual=worker, permission=assigned) for t in made
        )
    return made


def section(html: str, heading_id: str) -> str:
    """The part of a page from a heading to the end of its section."""
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def numbers(html: str, heading_id: str = "results-heading") -> list[str]:
    """The transaction numbers linked in one section, in order."""
    return re.findall(
        r'class="number"><a href="/console/transactions/([^/"]+)/"', section(html, heading_id)
    )


def next_link(html: str) -> str | None:
    match = re.search(r'<a href="([^"]+)" rel="next">', html)
    return match.group(1).replace("&amp;", "&") if match else None


def list_numbers(client: Client, query: dict[str, str] | str = "") -> list[str]:
    response = client.get(LIST, query) if isinstance(query, dict) else client.get(LIST + query)
    assert response.status_code == 200, response.content.decode()[:2000]
    return numbers(response.content.decode())


# --- who may open it --------------------------------------------------------------------


@pytest.mark.parametrize("key", ["csr", "technician", "supervisor", "administrator"])
def test_staff_open_the_list(client_for: Callable[[str], Client], key: str) -> None:
    response = client_for(key).get(LIST)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "Dosing pump on line 3 stopped overnight" in html  # demo data, open
    assert "Sensor pack readings frozen" not in html  # resolved: not "all open"


@pytest.mark.parametrize("key", ["customer", "partner", "employee"])
def test_people_outside_the_staff_are_refused(
    client_for: Callable[[str], Client], key: str
) -> None:
    client = client_for(key)
    assert client.get(LIST).status_code == 403
    assert client.post("/console/transactions/views/", {"name": "x"}).status_code == 403
    assert client.post("/console/transactions/views/1/delete/").status_code == 403


def test_anonymous_is_sent_to_log_in(client: Client) -> None:
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- filters ------------------------------------------------------------------------------


def _expect(catalogue: dict[str, Transaction], *keys: str) -> set[str]:
    return {catalogue[k].number for k in keys}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, "abde"),  # all open: the resolved complaint is left out
        ({"status": "all"}, "abcde"),
        ({"status": "resolved"}, "c"),
        ({"status": "new"}, "abde"),
        ({"status": "closed"}, ""),
        ({"application": "complaint", "status": "all"}, "c"),
        ({"application": "service-issue"}, "ab"),
        ({"priority": "P1"}, "a"),
        ({"priority": "P4"}, "d"),
        ({"product": "aquasense-controller"}, "be"),
        ({"product": "clearflow-filter-unit", "status": "all"}, "c"),
        ({"area": "west"}, "b"),
        ({"area": "north-east", "product": "aquasense-controller"}, ""),
        ({"due": "overdue"}, "b"),
        ({"due": "week"}, "a"),
        ({"q": "clock"}, "b"),
        ({"q": "PUMP"}, "ae"),  # title words, any case
    ],
)
def test_each_filter_narrows(
    catalogue: dict[str, Transaction], query: dict[str, str], expected: str
) -> None:
    assert set(list_numbers(client_as("csr"), query)) == _expect(catalogue, *expected)


def test_filters_by_organisation_team_assignee_and_number(
    catalogue: dict[str, Transaction],
) -> None:
    csr = client_as("csr")
    kelvin = organization("Kelvin Medical Group")
    assert set(list_numbers(csr, {"organization": str(kelvin.pk)})) == _expect(catalogue, "b")
    harbour = organization("Harbour Foods plc")
    assert set(list_numbers(csr, {"organization": str(harbour.pk), "status": "all"})) == (
        _expect(catalogue, "a", "c")
    )
    sales = organization("Sales")
    assert set(list_numbers(csr, {"team": str(sales.pk)})) == _expect(catalogue, "e")
    tom = individual("technician")
    assert set(list_numbers(csr, {"assignee": str(tom.pk)})) == _expect(catalogue, "a")
    fiona = individual("csr")
    assert list_numbers(csr, {"assignee": str(fiona.pk)}) == []
    number = catalogue["d"].number
    assert list_numbers(csr, {"q": number.lower()}) == [number]
    # `text`, the free text's name before every channel called it `q`, still works in
    # old links; the page's own links say `q`.
    assert list_numbers(csr, {"text": number.lower()}) == [number]


def test_due_today_is_the_local_working_day(catalogue: dict[str, Transaction]) -> None:
    # A fixed "now" at local noon, so the test means the same at any hour it runs.
    noon = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    a, b, d = catalogue["a"], catalogue["b"], catalogue["d"]
    Transaction.objects.filter(pk=a.pk).update(due_at=noon.replace(hour=0, minute=30))
    Transaction.objects.filter(pk=b.pk).update(due_at=noon.replace(hour=23, minute=59))
    Transaction.objects.filter(pk=d.pk).update(due_at=noon + datetime.timedelta(days=1))
    form = TransactionFilterForm({"due": "today"}, user=user("csr"))
    assert form.is_valid()
    found = selectors.narrow(Transaction.objects.all(), form.filters, now=noon)
    assert {t.number for t in found} == {a.number, b.number}


def test_filters_combine(catalogue: dict[str, Transaction]) -> None:
    csr = client_as("csr")
    query = {"application": "service-issue", "priority": "P3", "area": "west", "due": "overdue"}
    assert list_numbers(csr, query) == [catalogue["b"].number]


def test_the_form_offers_labelled_fields(catalogue: dict[str, Transaction]) -> None:
    html = client_as("csr").get(LIST).content.decode()
    for name in (
        "q",
        "application",
        "status",
        "priority",
        "organization",
        "team",
        "assignee",
        "product",
        "area",
        "due",
    ):
        assert f'<label for="id_{name}"' in html, name
        assert f'id="id_{name}"' in html
    filters = section(html, "filters-heading")

    # Organisations are typed, with suggestions as one types (console.lookup).
    def suggested(typed: str) -> str:
        lookup = "/console/organizations/lookup/"
        return client_as("csr").get(lookup, {"q": typed}).content.decode()

    assert "Harbour Foods plc" in suggested("harb")  # a customer organisation
    assert "Tayside Integration Partners" in suggested("tayside")  # a partner
    assert "Brightwater" not in suggested("brightwater")  # our own company is no customer
    assert "Tom Reid" in filters  # staff to filter by assignee
    assert "Ewan Grant" not in filters  # customers are never assignees


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("application=no-such-app", "There is no such application (“no-such-app”)"),
        ("application=999", "There is no such application"),
        ("priority=P9", "There is no such priority"),
        ("organization=abc", "No organisation matches “abc”"),
        ("organization=99999999999999999999999999", "No organisation matches"),
        ("assignee=-1", "There is no such member of staff"),
        ("product=teapot", "There is no such product"),
        ("area=mars", "There is no such area"),
        ("due=yesterday", "There is no such due period"),
        ("status=lost-in-space", "There is no such status category"),
        ("q=" + "x" * 201, "at most 200 characters"),
        ("q=%00", "Null characters are not allowed"),
    ],
)
def test_bad_filters_say_what_is_wrong(
    catalogue: dict[str, Transaction], query: str, message: str
) -> None:
    response = client_as("csr").get(f"{LIST}?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Some filters are not valid" in html
    assert message in html
    assert 'aria-invalid="true"' in html
    assert numbers(html) == []


@pytest.mark.parametrize(
    "after",
    ["garbage", "2026-13-45T00:00:00+00:00|3", "|x", "2026-01-01T00:00:00|3", "|²", "|" + "9" * 40],
)
def test_a_damaged_page_link_shows_the_first_page(
    catalogue: dict[str, Transaction], after: str
) -> None:
    response = client_as("csr").get(LIST, {"after": after})
    assert response.status_code == 200
    html = response.content.decode()
    assert "That page link is damaged or out of date" in html
    assert set(numbers(html)) == _expect(catalogue, "a", "b", "d", "e")


def test_cursor_round_trip() -> None:
    moment = datetime.datetime(2026, 3, 1, 9, 30, 0, 123456, tzinfo=datetime.UTC)
    for cursor in (Cursor(moment, 42), Cursor(None, 7)):
        assert Cursor.decode(cursor.encode()) == cursor


# --- keyset paging ------------------------------------------------------------------------


def _walk(client: Client, query: str) -> list[list[str]]:
    """Follow "Next page" from the first page to the last; the pages' numbers."""
    pages: list[list[str]] = []
    url: str | None = f"{LIST}?{query}"
    while url is not None:
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        pages.append(numbers(html))
        url = next_link(html)
        assert len(pages) < 20, "paging does not end"
    return pages


def test_keyset_paging_returns_each_visible_row_once(people: None) -> None:
    harbour = bulk_transactions(120, requester="Ewan")
    kelvin = bulk_transactions(15, requester="Helen")
    now = timezone.now()
    # Ties and gaps the cursor must step over: 40 rows due at one moment, 30 with no due
    # time at all (they come last), the rest spread out.
    tie = now + datetime.timedelta(hours=3)
    Transaction.objects.filter(pk__in=[t.pk for t in harbour[10:50]]).update(due_at=tie)
    undated = [t.pk for t in harbour[60:80]] + [t.pk for t in kelvin[:10]]
    Transaction.objects.filter(pk__in=undated).update(due_at=None)
    hidden = kelvin[5:15]  # half undated, half dated
    hide_from("csr", *hidden)

    csr = client_as("csr")
    pages = _walk(csr, "")
    seen = [number for page in pages for number in page]
    assert [len(page) for page in pages] == [50, 50, 25]
    assert len(seen) == len(set(seen))
    assert set(seen) == {t.number for t in harbour + kelvin[:5]}
    # Soonest due first, ties by id, the undated at the end.
    ordered = list(
        Transaction.objects.filter(number__in=seen).values_list("number", "due_at", "id")
    )
    expected = [
        number
        for number, _, _ in sorted(ordered, key=lambda row: (row[1] is None, row[1] or now, row[2]))
    ]
    assert seen == expected

    # Narrowed to one organisation, every page holds only that organisation's rows.
    kelvin_org = organization("Kelvin Medical Group")
    kelvin_pages = _walk(csr, f"organization={kelvin_org.pk}")
    assert [n for page in kelvin_pages for n in page] == [
        n for n in expected if n in {t.number for t in kelvin}
    ]
    harbour_org = organization("Harbour Foods plc")
    harbour_seen = [n for page in _walk(csr, f"organization={harbour_org.pk}") for n in page]
    assert sorted(harbour_seen) == sorted(t.number for t in harbour)

    # Another CSR, with nothing hidden, sees all 135.
    assert sum(len(page) for page in _walk(client_of("Ravi"), "")) == 135


def test_paging_keeps_the_filters(people: None) -> None:
    bulk_transactions(60, requester="Ewan")
    bulk_transactions(60, requester="Helen")
    kelvin = organization("Kelvin Medical Group")
    html = client_as("csr").get(LIST, {"organization": kelvin.pk}).content.decode()
    link = next_link(html)
    assert link is not None
    assert f"organization={kelvin.pk}" in link
    assert "after=" in link
    second = client_as("csr").get(link).content.decode()
    assert "First page" in second
    assert len(numbers(second)) == 10


# --- query counts -------------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_list_query_count_does_not_grow_with_rows(people: None) -> None:
    csr = client_as("csr")
    bulk_transactions(10, assign_to="csr")
    assert len(numbers(csr.get(LIST).content.decode())) == 10
    counts = {10: _queries(csr, LIST)}
    bulk_transactions(190, assign_to="csr")
    assert len(numbers(csr.get(LIST).content.decode())) == 50
    counts[200] = _queries(csr, LIST)
    assert counts[10] == counts[200], counts
    # Filtered through every kind of filter, the same holds.
    query = "?priority=P1&product=&assignee={}&due=week&q=Bulk".format(individual("csr").pk)
    csr.get(LIST + query)  # the set-up it reads (access.setup) is kept from then on
    assert _queries(csr, LIST + query) == _queries(csr, LIST + query)


def test_the_list_reads_no_lookup_table_twice(people: None) -> None:
    # The filter form offers applications and priorities, and the rows show them: the
    # applications come with the person's rights, the priorities once for both. The
    # form's products and areas are one read.
    csr = client_as("csr")
    bulk_transactions(3)
    with CaptureQueriesContext(connection) as context:
        html = csr.get(LIST).content.decode()
    tables = tables_read(context)
    assert tables.count('"service_application"') == 0
    assert tables.count('"service_priority"') == 1
    assert tables.count('"service_status"') == 1
    assert tables.count('"service_choice"') == 1  # products and areas together
    # ...and both still show: in the rows (name; code with the name as its title) and as
    # the filter's options.
    row = re.search(r"<tbody>.*?</tr>", html, re.S)
    assert row is not None
    assert "Service issue" in row.group(0)
    assert '<abbr title="Site down">P1</abbr>' in row.group(0)
    assert '<option value="service-issue">Service issue</option>' in html
    assert '<option value="P1">' in html
    products = re.search(r'<select name="product".*?</select>', html, re.S)
    areas = re.search(r'<select name="area".*?</select>', html, re.S)
    assert products is not None
    assert areas is not None
    assert '"clearflow-dosing-pump"' in products.group(0)
    assert '"clearflow-dosing-pump"' not in areas.group(0)
    assert '"north-east"' in areas.group(0)


# --- saved views --------------------------------------------------------------------------


def test_saved_views_round_trip_and_are_private(catalogue: dict[str, Transaction]) -> None:
    fiona = client_as("csr")
    response = fiona.post(
        "/console/transactions/views/",
        # Unknown parameters, empty values and the page cursor are not part of a view.
        {"name": "P1 pumps", "query": "priority=P1&text=&after=x%7C1&bogus=1&area=north-east"},
    )
    assert response.status_code == 302
    view = SavedView.objects.get(owner=individual("csr"))
    assert view.query == "priority=P1&area=north-east"
    assert response["Location"] == f"{LIST}?priority=P1&area=north-east"
    page = fiona.get(response["Location"]).content.decode()
    assert "Saved the view “P1 pumps”" in page
    assert numbers(page) == [catalogue["a"].number]
    views = section(page, "views-heading")
    assert f'href="{LIST}?priority=P1&amp;area=north-east" aria-current="true">P1 pumps' in views

    # Nobody else sees it or can delete it: the same 404 as for a view that is not there.
    ravi = client_of("Ravi")
    assert "P1 pumps" not in ravi.get(LIST).content.decode()
    assert ravi.post(f"/console/transactions/views/{view.pk}/delete/").status_code == 404
    assert fiona.post("/console/transactions/views/999999/delete/").status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()

    # Deleting is a POST; a GET changes nothing.
    assert fiona.get(f"/console/transactions/views/{view.pk}/delete/").status_code == 405
    gone = fiona.post(f"/console/transactions/views/{view.pk}/delete/")
    assert gone.status_code == 302
    assert gone["Location"] == LIST
    assert not SavedView.objects.filter(pk=view.pk).exists()
    assert "Deleted the view “P1 pumps”" in fiona.get(LIST).content.decode()


def test_saving_a_view_refuses_bad_input(catalogue: dict[str, Transaction]) -> None:
    fiona = client_as("csr")
    url = "/console/transactions/views/"
    bad_filters = fiona.post(url, {"name": "Broken", "query": "application=nope&due=someday"})
    assert bad_filters.status_code == 400
    assert "These filters cannot be saved" in bad_filters.content.decode()
    no_name = fiona.post(url, {"name": "  ", "query": "priority=P1"})
    assert no_name.status_code == 400
    assert "This field is required." in no_name.content.decode()
    assert not SavedView.objects.exists()

    assert fiona.post(url, {"name": "Mine", "query": "priority=P1"}).status_code == 302
    again = fiona.post(url, {"name": "mine", "query": "priority=P4"})
    assert again.status_code == 400
    html = again.content.decode()
    assert "You already have a view called “mine”" in html
    # The page shown is the list the person was looking at, filters kept.
    assert numbers(html) == [catalogue["d"].number]
    assert SavedView.objects.get().query == "priority=P1"
    assert fiona.get(url).status_code == 405


def test_an_empty_view_is_all_open(catalogue: dict[str, Transaction]) -> None:
    fiona = client_as("csr")
    response = fiona.post("/console/transactions/views/", {"name": "Everything open"})
    assert response.status_code == 302
    assert response["Location"] == LIST
    assert SavedView.objects.get().query == ""


def test_an_organisation_is_found_by_what_is_typed(people: None) -> None:
    bulk_transactions(3, requester="Ewan")
    bulk_transactions(2, requester="Helen")
    harbour = organization("Harbour Foods plc")
    by_id = numbers(client_as("csr").get(LIST, {"organization": harbour.pk}).content.decode())
    assert len(by_id) == 3
    for typed in (
        "harbour foods PLC",
        str(harbour.account_number),
        f"Harbour Foods plc ({harbour.account_number})",
    ):
        html = client_as("csr").get(LIST, {"organization": typed}).content.decode()
        assert sorted(numbers(html)) == sorted(by_id), typed
        # The box shows the organisation as the suggestions write it.
        assert f'value="Harbour Foods plc ({harbour.account_number})"' in html
    Organization.objects.create(name="Harbour Foods plc", account_number="HF-2")
    html = client_as("csr").get(LIST, {"organization": "Harbour Foods plc"}).content.decode()
    assert "More than one organisation is called" in html


def test_saved_views_of_the_old_free_text_name_say_q(catalogue: dict[str, Transaction]) -> None:
    """console/0002 rewrites `text=` in saved views to `q=`, its name on every channel,
    keeping its place (so the query stays normalised) and the other filters as they are."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("portico.console.migrations.0002_saved_views_say_q_for_free_text")
    old = SavedView.objects.create(owner=individual("csr"), name="Old", query="text=clock&due=")
    mixed = SavedView.objects.create(
        owner=individual("csr"), name="Mixed", query="text=pump+alarm&priority=P1"
    )
    untouched = SavedView.objects.create(owner=individual("csr"), name="New", query="priority=P1")
    migration.forwards(apps, None)
    for view in (old, mixed, untouched):
        view.refresh_from_db()
    assert (old.query, mixed.query, untouched.query) == (
        "q=clock&due=",
        "q=pump+alarm&priority=P1",
        "priority=P1",
    )
    assert list_numbers(client_as("csr"), f"?{old.query}") == [catalogue["b"].number]
