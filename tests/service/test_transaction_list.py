"""One transaction list on every channel: the same filter, asked of the console's list
page, the API's list, the console's CSV export and (for what it offers, the search) a
portal's list, gives the same transaction numbers for the same person, in the same
order where the channel shows the list's order. And those are the right ones: each
case is checked against the rule written out here in Python, over what the person may
see (`access.can(view)` row by row)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from portico import access
from portico.parties.models import Individual, Organization, User
from portico.service.models import Grant, Permission, Status, Transaction
from tests.api.conftest import bearer, make_token
from tests.conftest import PERSONAS
from tests.console.test_export import exported_numbers
from tests.console.test_lists import bulk_transactions, next_link, numbers

EARLIEST = datetime.datetime.min.replace(tzinfo=datetime.UTC)
OPEN = {Status.Category.NEW, Status.Category.OPEN, Status.Category.WAITING}

type Rule = Callable[[Transaction], bool]


@dataclass(frozen=True)
class Case:
    name: str
    query: dict[str, str]
    rule: Rule  # which of the person's visible transactions the filter keeps


def _user(key: str) -> User:
    person = PERSONAS[key].individual.user
    assert person is not None
    return person


# --- each channel, read to its last page --------------------------------------------------


def console_numbers(client: Client, query: dict[str, str]) -> list[str]:
    response = client.get("/console/transactions/", query)
    found: list[str] = []
    while True:
        assert response.status_code == 200, response.content.decode()[:1000]
        html = response.content.decode()
        found += numbers(html)
        following = next_link(html)
        if following is None:
            return found
        response = client.get(following)


def api_numbers(client: Client, query: dict[str, str]) -> list[str]:
    response = client.get("/api/v1/transactions/", query)
    found: list[str] = []
    while True:
        assert response.status_code == 200, response.content.decode()[:1000]
        found += [row["number"] for row in response.json()["results"]]
        if not response.json()["next"]:
            return found
        response = client.get(response.json()["next"])


PORTALS = {"customer": "/portal/", "partner": "/partners/", "employee": "/employees/"}


def portal_numbers(client: Client, prefix: str, query: dict[str, str]) -> list[str]:
    response = client.get(f"{prefix}transactions/", {"show": "all", **query})
    found: list[str] = []
    while True:
        assert response.status_code == 200, response.content.decode()[:1000]
        html = response.content.decode()
        found += re.findall(rf'<td class="number"><a href="{prefix}t/([^/"]+)/"', html)
        following = re.search(r'<a href="(\?[^"]+)" rel="next">', html)
        if following is None:
            return found
        response = client.get(f"{prefix}transactions/" + following.group(1).replace("&amp;", "&"))


@pytest.fixture
def api_for(demo_data: None) -> Callable[[str], Client]:
    """A client that calls the API with a fresh token of a persona."""
    return lambda key: bearer(make_token(_user(key)))


# --- the scene and the cases ---------------------------------------------------------------


@pytest.fixture
def scene(demo_data: None) -> dict[str, Any]:
    """The demo day, with due times spread over overdue, today, this week, later and
    none; and enough more transactions that every channel pages (the console and the
    API at 50 a page, the portal at 25), some sharing a due time."""
    now = timezone.now()
    demo = list(Transaction.objects.order_by("pk"))
    spread = [
        now - datetime.timedelta(days=3),  # overdue, unless finished
        now + datetime.timedelta(hours=1),  # this week (and today, most hours)
        now + datetime.timedelta(days=3),
        now + datetime.timedelta(days=10),
        None,
    ]
    for i, transaction in enumerate(demo):
        Transaction.objects.filter(pk=transaction.pk).update(due_at=spread[i % len(spread)])
    tied = now + datetime.timedelta(days=2)
    ewans = bulk_transactions(40, assign_to="technician")
    # Made without the services, so without their grants: give the requester the one the
    # standard set-up gives, so the customer's portal list pages too (25 a page).
    customer = Permission.objects.get(code="customer")
    Grant.objects.bulk_create(
        Grant(transaction=t, individual=t.requester, permission=customer) for t in ewans
    )
    bulk_transactions(12, due_at=tied)
    bulk_transactions(6, due_at=None, requester="Helen")
    bulk_transactions(4, due_at=now - datetime.timedelta(hours=5), requester="Sandeep")
    return {"now": now}


def _visible(key: str) -> list[Transaction]:
    """What the person may see, each asked of `access.can` (not the list's SQL), in the
    list's order: soonest due first, none due last, then by number's id."""
    user = _user(key)
    rows = [
        t
        for t in Transaction.objects.select_related(
            "status", "priority", "application", "organization", "team"
        )
        if access.can(user, "view", t)
    ]
    return sorted(rows, key=lambda t: (t.due_at is None, t.due_at or EARLIEST, t.pk))


def _assigned_to(individual: Individual) -> set[int]:
    return set(
        Grant.objects.filter(individual=individual, permission__on_task_list=True).values_list(
            "transaction_id", flat=True
        )
    )


def _words(t: Transaction, text: str) -> bool:
    text = text.strip()
    return t.number == text.upper() or text.lower() in t.title.lower()


def staff_cases(now: datetime.datetime) -> list[Case]:
    harbour = Organization.objects.get(name="Harbour Foods plc")
    kelvin = Organization.objects.get(name="Kelvin Medical Group")
    team = Transaction.objects.exclude(team=None).values_list("team", flat=True).first()
    assert team is not None
    tom = PERSONAS["technician"].individual
    toms = _assigned_to(tom)
    number = Transaction.objects.get(title__startswith="Sensor pack readings").number
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)

    def is_open(t: Transaction) -> bool:
        return t.status.category in OPEN

    def due_between(t: Transaction, low: datetime.datetime, high: datetime.datetime) -> bool:
        return t.due_at is not None and low <= t.due_at < high

    return [
        Case("all open (no filter)", {}, is_open),
        Case("any status", {"status": "all"}, lambda t: True),
        Case("resolved", {"status": "resolved"}, lambda t: t.status.category == "resolved"),
        Case("waiting", {"status": "waiting"}, lambda t: t.status.category == "waiting"),
        Case(
            "a number, in lower case, finished",
            {"q": number.lower(), "status": "all"},
            lambda t: t.number == number,
        ),
        Case("a word of the title", {"q": "PUMP"}, lambda t: is_open(t) and _words(t, "pump")),
        Case(
            "two words with a double space between",
            {"q": "dosing  pump", "status": "all"},
            lambda t: _words(t, "dosing  pump"),
        ),
        Case(
            "priority",
            {"priority": "P2", "status": "all"},
            lambda t: t.priority is not None and t.priority.code == "P2",
        ),
        Case(
            "application",
            {"application": "service-issue"},
            lambda t: is_open(t) and t.application.code == "service-issue",
        ),
        Case("team", {"team": str(team)}, lambda t: is_open(t) and t.team_id == team),
        Case(
            "assignee",
            {"assignee": str(tom.pk), "status": "all"},
            lambda t: t.pk in toms,
        ),
        Case(
            "overdue",
            {"due": "overdue"},
            lambda t: is_open(t) and t.due_at is not None and t.due_at < now,
        ),
        Case(
            "due today",
            {"due": "today", "status": "all"},
            lambda t: due_between(t, start, start + datetime.timedelta(days=1)),
        ),
        Case(
            "due this week",
            {"due": "week"},
            lambda t: is_open(t) and due_between(t, now, now + datetime.timedelta(days=7)),
        ),
        Case(
            "organisation by id",
            {"organization": str(harbour.pk), "status": "all"},
            lambda t: t.organization_id == harbour.pk,
        ),
        Case(
            "organisation by name",
            {"organization": kelvin.name.upper()},
            lambda t: is_open(t) and t.organization_id == kelvin.pk,
        ),
        Case(
            "product",
            {"product": "aquasense-controller", "status": "all"},
            lambda t: t.profile_values.filter(choice__code="aquasense-controller").exists(),
        ),
        Case(
            "several at once",
            {"application": "service-issue", "priority": "P1", "q": "bulk", "due": "week"},
            lambda t: (
                is_open(t)
                and t.application.code == "service-issue"
                and t.priority is not None
                and t.priority.code == "P1"
                and _words(t, "bulk")
                and due_between(t, now, now + datetime.timedelta(days=7))
            ),
        ),
    ]


# --- the tests -------------------------------------------------------------------------------


def test_the_same_filter_gives_the_same_rows_on_every_staff_channel(
    scene: dict[str, Any],
    client_for: Callable[[str], Client],
    api_for: Callable[[str], Client],
) -> None:
    console, api = client_for("csr"), api_for("csr")
    visible = _visible("csr")
    mismatches: list[str] = []
    for case in staff_cases(scene["now"]):
        expected = [t.number for t in visible if case.rule(t)]
        channels = {
            "console": console_numbers(console, case.query),
            "api": api_numbers(api, case.query),
            "csv": exported_numbers(console, "csv", case.query),
        }
        for channel, found in channels.items():
            if found != expected:
                mismatches.append(
                    f"{case.name} {case.query} on {channel}: {len(found)} rows "
                    f"{found[:6]}…, expected {len(expected)} {expected[:6]}…"
                )
    assert not mismatches, "\n".join(mismatches)


def test_the_cases_mean_something(scene: dict[str, Any]) -> None:
    """Each case keeps some of the CSR's transactions and leaves some out (but the
    double space, which no title has, and "any status"), so agreeing is no accident."""
    visible = _visible("csr")
    for case in staff_cases(scene["now"]):
        kept = sum(1 for t in visible if case.rule(t))
        if case.query.get("q") == "dosing  pump":
            assert kept == 0, case.name
        elif case.query == {"status": "all"}:
            assert kept == len(visible)
        else:
            assert 0 < kept < len(visible), (case.name, kept)
    assert len(visible) > 50  # the console and the API page at 50


@pytest.mark.parametrize("key", ["customer", "partner", "employee"])
def test_a_portals_search_finds_what_the_api_finds(
    scene: dict[str, Any],
    client_for: Callable[[str], Client],
    api_for: Callable[[str], Client],
    key: str,
) -> None:
    """The portals offer the search (`q`) over every status. Their list is in its own
    order (latest update first), so the numbers are compared as sets."""
    visible = _visible(key)
    assert visible
    if key == "customer":
        assert len(visible) > 25  # the portal pages at 25
    portal, api = client_for(key), api_for(key)
    title_word = visible[0].title.split()[0]
    queries = ["", visible[-1].number.lower(), title_word, "bulk", "dosing  pump", "no-such-words"]
    mismatches: list[str] = []
    for q in queries:
        expected = {t.number for t in visible if not q or _words(t, q)}
        found = {
            "portal": set(portal_numbers(portal, PORTALS[key], {"q": q})),
            "api": set(api_numbers(api, {"q": q, "status": "all"})),
        }
        for channel, numbers_found in found.items():
            if numbers_found != expected:
                mismatches.append(f"{key} q={q!r} on {channel}: {numbers_found} != {expected}")
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"priority": "P9"}, "priority", "There is no such priority (“P9”)."),
        ({"due": "yesterday"}, "due", "There is no such due period (“yesterday”)."),
        ({"q": "x" * 201}, "q", "Ensure this value has at most 200 characters (it has 201)."),
        ({"q": "a\x00b"}, "q", "Null characters are not allowed."),
        ({"organization": "nobody at all"}, "organization", "No organisation matches"),
    ],
)
def test_a_bad_filter_is_refused_alike_on_every_channel(
    scene: dict[str, Any],
    client_for: Callable[[str], Client],
    api_for: Callable[[str], Client],
    query: dict[str, str],
    field: str,
    message: str,
) -> None:
    console = client_for("csr")
    page = console.get("/console/transactions/", query)
    assert page.status_code == 400
    assert message.replace("“", "&ldquo;") in page.content.decode() or (
        message in page.content.decode()
    )
    answer = api_for("csr").get("/api/v1/transactions/", query)
    assert answer.status_code == 400
    assert any(message in said for said in answer.json()["errors"][field])
    # The export goes back to the list, where the mistake is explained; nothing is sent.
    export = console.get("/console/transactions/export.csv", query)
    assert export.status_code == 302
    if field == "q":
        portal = client_for("customer").get("/portal/transactions/", query)
        assert portal.status_code == 400
        assert message in portal.content.decode()
