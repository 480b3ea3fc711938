"""The event feed, `GET /api/v1/events/` (issue 20): what an integration that pulls is
shown. The staff only; a transaction's events to those who may see it, an internal
note's never to those who may not read it; log-ins to Systems Admin alone. Its cursor
walks the whole trail once, while events keep arriving."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portico import access
from portico.api.views import events as event_views
from portico.audit.models import Event
from portico.events import services as events
from portico.parties.models import User
from portico.service import actions
from portico.service.models import Permission, Transaction
from tests.api.conftest import bearer, make_token, user_of
from tests.audit import internal_note
from tests.audit.internal_note import SECRET_FILE, SECRET_TEXT, SHARED_FILE, SHARED_TEXT
from tests.queries import tables_read

URL = "/api/v1/events/"


def _walk(client: Client, url: str = URL) -> tuple[list[dict[str, Any]], int]:
    """Every item the feed gives, following `next` until it says it has caught up;
    and how many pages that took."""
    items: list[dict[str, Any]] = []
    pages = 0
    while True:
        response = client.get(url)
        assert response.status_code == 200, response.content
        page = response.json()
        pages += 1
        items += page["results"]
        url = page["next"]
        if not page["more"]:
            return items, pages
        assert pages < 500


def _after(next_url: str) -> int:
    return int(parse_qs(urlsplit(next_url).query)["after"][0])


def _readable_ids(user: User) -> list[int]:
    """What the access module lets the person see of the whole trail, in id order."""
    return [e.pk for e in access.readable_events(user, list(Event.objects.order_by("id")))]


def _transaction_type() -> int:
    return ContentType.objects.get_for_model(Transaction).pk


@pytest.fixture
def client_of(demo_data: None) -> Callable[[str], Client]:
    def make(key: str) -> Client:
        return bearer(make_token(user_of(key)))

    return make


def _hide_from(user: User) -> Transaction:
    """Staff see every transaction by their group's default; an administrator-defined
    "No access" grant hides one (seed 001: the most specific grant wins)."""
    no_access = Permission.objects.create(
        code="none", name="No access", description="Hidden from them.", decides_access=True
    )
    hidden = Transaction.objects.order_by("id")[1]
    actions.grant(
        actor=user_of("csr"), transaction=hidden, permission=no_access, individual=user.individual
    )
    assert not access.can(User.objects.get(pk=user.pk), "view", hidden)
    return hidden


def _busy(count: int) -> None:
    """More events than the demo's day has: the portal's views of its transactions."""
    customer = user_of("customer")
    mine = list(access.visible_transactions(customer))
    for n in range(count):
        events.record("transaction.viewed", actor=customer, subject=mine[n % len(mine)])


def _note(transaction: Transaction, body: str, *, visibility: str = "shared") -> None:
    actions.add_note(
        actor=user_of("csr"), transaction=transaction, body=body, visibility=visibility
    )


# --- who sees what ------------------------------------------------------------------------


def test_a_technician_sees_the_events_of_the_transactions_they_may_see_and_no_others(
    client_of: Callable[[str], Client],
) -> None:
    tom = user_of("technician")
    hidden_one = _hide_from(tom)
    items, _pages = _walk(client_of("technician"), f"{URL}?page_size=200")
    ids = [item["id"] for item in items]
    assert ids == sorted(set(ids)), "oldest first, each once"
    assert ids == _readable_ids(tom)
    kind = _transaction_type()
    on_transactions = Event.objects.filter(subject_type_id=kind)
    visible = set(access.visible_transactions(tom).values_list("number", flat=True))
    hidden = {
        number
        for number in Transaction.objects.filter(
            pk__in=[int(pk) for pk in on_transactions.values_list("subject_id", flat=True)]
        ).values_list("number", flat=True)
        if number not in visible
    }
    assert hidden == {hidden_one.number}
    shown = {
        item["data"]["transaction"]["number"] for item in items if "transaction" in item["data"]
    }
    assert shown
    assert shown <= visible
    assert not shown & hidden
    # Every event of a transaction he may see that is not about an internal note is there.
    numbers = dict(Transaction.objects.values_list("pk", "number"))
    wanted = {
        e.pk
        for e in on_transactions.filter(internal=False)
        if numbers[int(e.subject_id)] in visible
    }
    assert wanted <= set(ids)


def test_an_item_is_a_webhook_delivery_without_its_sent_at(
    client_of: Callable[[str], Client],
) -> None:
    transaction = Transaction.objects.order_by("id").first()
    assert transaction is not None
    _note(transaction, "The pump was restarted at 09:10")
    response = client_of("csr").get(f"{URL}?transaction={transaction.number}&event=note.added")
    item = response.json()["results"][-1]
    assert set(item) == {"id", "event", "occurred_at", "data"}
    assert item["event"] == "note.added"
    assert item["data"]["body"] == "The pump was restarted at 09:10"
    assert item["data"]["visibility"] == "shared"
    assert item["data"]["actor"] == {"name": "Fiona MacLeod"}
    assert item["data"]["transaction"]["number"] == transaction.number
    assert item["data"]["transaction"]["url"].endswith(
        f"/console/transactions/{transaction.number}/"
    )
    assert datetime.datetime.fromisoformat(item["occurred_at"]).tzinfo is not None


@pytest.fixture
def scene(demo_people: None) -> internal_note.InternalNote:
    return internal_note.make()


def test_an_internal_note_never_reaches_staff_who_may_not_read_it(
    scene: internal_note.InternalNote,
) -> None:
    number = scene.transaction.number
    reader = bearer(make_token(scene.reader))
    response = reader.get(f"{URL}?transaction={number}")
    assert response.status_code == 200
    text = response.content.decode()
    assert SECRET_TEXT not in text
    assert SECRET_FILE not in text
    items = response.json()["results"]
    assert all(not Event.objects.get(pk=item["id"]).internal for item in items)
    assert [i["data"]["visibility"] for i in items if i["event"] == "note.added"] == ["shared"]
    # What is not about the internal note is still there.
    assert SHARED_TEXT in text
    assert SHARED_FILE in text
    assert "transaction.created" in {i["event"] for i in items}
    # Nor through the whole feed, unfiltered.
    everything, _pages = _walk(reader, f"{URL}?page_size=200")
    assert SECRET_TEXT not in str(everything)
    assert SECRET_FILE not in str(everything)


def test_those_who_may_read_internal_notes_get_the_note_and_its_file(
    scene: internal_note.InternalNote,
) -> None:
    writer = bearer(make_token(scene.writer))
    response = writer.get(f"{URL}?transaction={scene.transaction.number}")
    items = response.json()["results"]
    bodies = [i["data"].get("body") for i in items if i["event"] == "note.added"]
    assert bodies == [SECRET_TEXT, SHARED_TEXT]
    names = [i["data"]["name"] for i in items if i["event"].startswith("attachment.")]
    assert names == [SECRET_FILE, SHARED_FILE, SECRET_FILE]  # attached, another, deleted


@pytest.mark.parametrize("key", ["customer", "colleague", "partner", "employee"])
def test_people_outside_the_staff_are_refused(client_of: Callable[[str], Client], key: str) -> None:
    response = client_of(key).get(URL)
    assert response.status_code == 403
    assert response.json()["detail"] == "Only the service team reads the event feed."


def test_no_one_unknown_is_shown_anything(demo_data: None) -> None:
    assert Client().get(URL).status_code == 401
    assert bearer("not-a-token").get(URL).status_code == 401


def test_a_logged_in_session_reads_it_as_a_token_does(
    client_for: Callable[[str], Client], client_of: Callable[[str], Client]
) -> None:
    by_session = client_for("supervisor").get(f"{URL}?page_size=20")
    by_token = client_of("supervisor").get(f"{URL}?page_size=20")
    assert by_session.status_code == 200
    assert by_session.json()["results"] == by_token.json()["results"]


def test_log_ins_are_for_systems_admin_alone(client_of: Callable[[str], Client]) -> None:
    administrator, csr = user_of("administrator"), user_of("csr")
    assert access.may_enter(administrator, access.SYSTEMS_ADMIN)
    assert not access.may_enter(csr, access.SYSTEMS_ADMIN)
    events.record("session.logged_in", actor=csr, ip_address="192.0.2.7")
    events.record("session.login_failed", actor_label="fiona@example.test")
    url = f"{URL}?event=session.logged_in,session.login_failed&page_size=200"
    admins, _pages = _walk(client_of("administrator"), url)
    assert [i["event"] for i in admins][-2:] == ["session.logged_in", "session.login_failed"]
    assert admins[-2]["data"]["actor"] == {"name": "Fiona MacLeod"}
    theirs, _pages = _walk(client_of("csr"), url)
    assert theirs == []
    everything, _pages = _walk(client_of("csr"), f"{URL}?page_size=200")
    assert not {i["event"] for i in everything} & {"session.logged_in", "session.login_failed"}


# --- the cursor ---------------------------------------------------------------------------


def test_the_cursor_walks_everything_once_while_events_keep_arriving(
    client_of: Callable[[str], Client],
) -> None:
    csr = user_of("csr")
    client = client_of("csr")
    transactions = list(access.visible_transactions(csr).order_by("id")[:3])
    _busy(40)
    seen: list[int] = []
    url = f"{URL}?page_size=7"
    pages = 0
    while True:
        page = client.get(url).json()
        seen += [item["id"] for item in page["results"]]
        url = page["next"]
        pages += 1
        if pages <= 6:
            # Between pages: new events, on the transactions and on the log-in trail.
            _note(transactions[pages % 3], f"Arrived during page {pages}")
            events.record("session.logged_in", actor=csr)
        if not page["more"]:
            break
    assert pages > 6
    assert len(seen) == len(set(seen)), "no event twice"
    assert seen == _readable_ids(csr), "none missed, in order"
    bodies = {
        i["data"]["body"]
        for i in client.get(f"{URL}?event=note.added&page_size=200").json()["results"]
    }
    assert {f"Arrived during page {n}" for n in range(1, 7)} <= bodies
    # Caught up: asked again, the last `next` gives nothing and stays where it is.
    again = client.get(url).json()
    assert again["results"] == []
    assert not again["more"]
    assert _after(again["next"]) == _after(url)


def test_a_page_for_someone_who_sees_little_of_a_busy_trail_stays_bounded(
    client_of: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hidden events are read at most WALK_LIMIT a page; `next` continues after the last
    one read, so the walk goes on past them and finds what follows."""
    monkeypatch.setattr(event_views, "WALK_LIMIT", 40)
    csr = user_of("csr")
    start = Event.objects.order_by("-id").values_list("id", flat=True)[0]
    for _ in range(100):
        events.record("session.logged_in", actor=csr)  # hidden from her: Systems Admin's
    transaction = access.visible_transactions(csr).order_by("id")[0]
    for n in range(3):
        _note(transaction, f"After the log-ins {n}")
    client = client_of("csr")
    url = f"{URL}?after={start}&page_size=5"
    with CaptureQueriesContext(connection) as captured:
        first = client.get(url).json()
    # Three batches (5, 20, then the 15 left of the 40), up to three queries each, and the
    # request's own: bounded by the walk, not by the trail.
    print(f"queries for a page that read 40 hidden events: {len(captured.captured_queries)}")
    assert len(captured.captured_queries) <= 14
    assert first["results"] == []
    assert first["more"]
    fortieth = Event.objects.filter(pk__gt=start).order_by("id").values_list("id", flat=True)[39]
    assert _after(first["next"]) == fortieth
    items, pages = _walk(client, first["next"])
    assert [i["data"]["body"] for i in items] == [f"After the log-ins {n}" for n in range(3)]
    assert pages == 2  # the other 60 log-ins, then the notes


def test_a_page_costs_the_same_queries_whatever_its_length(
    client_of: Callable[[str], Client],
) -> None:
    _busy(250)
    client = client_of("technician")
    client.get(URL)  # the token's last-used time, once
    counts = {}
    tables = {}
    for size in (5, 50, 200):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"{URL}?page_size={size}")
        assert len(response.json()["results"]) == size
        counts[size] = len(captured.captured_queries)
        tables[size] = tables_read(captured)
    print(f"queries per feed page: {counts}", *tables.items(), sep="\n")
    # The same queries for 50 events as for 200; a short page may skip one (no note in
    # it, so no notes are read).
    assert counts[50] == counts[200]
    assert max(counts.values()) <= 9


def test_an_event_is_listed_once_it_is_older_than_the_delay(
    client_of: Callable[[str], Client], settings: Any
) -> None:
    """The cursor never passes an event that may yet be joined by an older one whose
    transaction has not committed (event_views' docstring)."""
    settings.PORTICO_EVENT_FEED_DELAY = 60
    client = client_of("csr")
    start = Event.objects.order_by("-id").values_list("id", flat=True)[0]
    transaction = access.visible_transactions(user_of("csr")).order_by("id")[0]
    _note(transaction, "Young")
    page = client.get(f"{URL}?after={start}").json()
    assert page["results"] == []
    assert not page["more"]
    assert _after(page["next"]) == start
    Event.objects.filter(pk__gt=start).update(
        occurred_at=timezone.now() - datetime.timedelta(seconds=61)
    )
    page = client.get(page["next"]).json()
    assert [i["data"].get("body") for i in page["results"]] == ["Young"]


# --- filters ------------------------------------------------------------------------------


def test_filters_narrow_the_feed(client_of: Callable[[str], Client]) -> None:
    client = client_of("csr")
    everything, _pages = _walk(client, f"{URL}?page_size=200")
    names = {"note.added", "grant.added"}
    by_name, _pages = _walk(client, f"{URL}?event=note.added&event=grant.added&page_size=200")
    assert by_name == [i for i in everything if i["event"] in names]
    assert by_name
    assert {i["event"] for i in by_name} == names
    comma, _pages = _walk(client, f"{URL}?event=note.added,grant.added&page_size=200")
    assert comma == by_name

    number = everything[0]["data"]["transaction"]["number"]
    one, _pages = _walk(client, f"{URL}?transaction={number}")
    assert one == [
        i for i in everything if i["data"].get("transaction", {}).get("number") == number
    ]

    middle = everything[len(everything) // 2]["occurred_at"]
    since, _pages = _walk(client, f"{URL}?since={middle.replace('+', '%2B')}&page_size=200")
    assert since == [i for i in everything if i["occurred_at"] >= middle]
    assert 0 < len(since) < len(everything)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("event=transaction.melted", "event"),
        ("event=note.added,nope", "event"),
        ("transaction=ZZ-999999", "transaction"),
        ("since=yesterday", "since"),
        ("after=-1", "after"),
        ("after=twelve", "after"),
        ("page_size=0", "page_size"),
        ("page_size=201", "page_size"),
    ],
)
def test_a_bad_filter_is_a_400_that_names_it(
    client_of: Callable[[str], Client], query: str, field: str
) -> None:
    response = client_of("csr").get(f"{URL}?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "invalid"
    assert list(body["errors"]) == [field]


def test_a_transaction_one_may_not_see_is_refused_as_one_that_does_not_exist(
    client_of: Callable[[str], Client],
) -> None:
    hidden = _hide_from(user_of("technician"))
    client = client_of("technician")
    theirs = client.get(f"{URL}?transaction={hidden.number}").json()
    missing = client.get(f"{URL}?transaction=ZZ-999999").json()
    assert (
        theirs["errors"] == missing["errors"] == {"transaction": ["There is no such transaction."]}
    )


def test_an_unknown_event_name_is_told_so(client_of: Callable[[str], Client]) -> None:
    body = client_of("csr").get(f"{URL}?event=transaction.melted").json()
    assert body["errors"]["event"] == [
        "“transaction.melted” is not an event name; the names are listed in the API "
        "description (GET /api/v1/schema/)."
    ]
