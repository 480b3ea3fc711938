"""The notifications page: the person's own notices, newest first, unread marked, each
linking to its transaction; marking read by POST; nothing about a transaction the
person may no longer see; the same query count at ten notices and at two hundred."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from portico.notify import services as notify
from portico.notify.models import Notification
from portico.service import actions
from portico.service.models import Note, Transaction
from tests.console.test_lists import (
    client_as,
    client_of,
    create,
    hide_from,
    individual,
    user,
)

PAGE = "/console/notifications/"


def page(client: Client) -> str:
    response = client.get(PAGE)
    assert response.status_code == 200
    return response.content.decode()


def tell(key: str, transaction: Transaction, count: int = 1) -> None:
    """Notices to one person, oldest first: "News on X", then "News 1 on X"…"""
    for i in range(count):
        notify.notify(
            recipients=[individual(key)],
            kind=notify.Kind.CUSTOMER_UPDATED,
            transaction=transaction,
            text=f"News {i} on {transaction.number}" if i else f"News on {transaction.number}",
        )


@pytest.mark.parametrize("key", ["csr", "technician", "supervisor", "administrator"])
def test_staff_open_their_notifications(client_for: Callable[[str], Client], key: str) -> None:
    html = page(client_for(key))
    assert html.count("<h1") == 1
    assert "Mark all as read" in html


@pytest.mark.parametrize("key", ["customer", "partner", "employee"])
def test_people_outside_the_staff_are_refused(
    client_for: Callable[[str], Client], key: str
) -> None:
    client = client_for(key)
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE).status_code == 403


def test_the_technicians_demo_notices(client_for: Callable[[str], Client]) -> None:
    html = page(client_for("technician"))
    # The demo day assigns Tom the dosing pump and the sensor pack.
    assert "SI-000001 assigned to you: Dosing pump on line 3 stopped overnight" in html
    assert 'href="/console/transactions/SI-000001/"' in html
    assert "Unread" in html


def test_assignments_and_customer_notes_arrive_newest_first(
    people: None, worker: Callable[[], int]
) -> None:
    issue = create("Pump alarm E42")
    actions.assign(actor=user("supervisor"), transaction=issue, assignees=[individual("csr")])
    actions.add_note(
        actor=user("customer"),
        transaction=issue,
        body="Stopped again.",
        visibility=Note.Visibility.SHARED,
    )
    # The notices follow the events, written by the worker after the commit.
    assert "You have no notifications." in page(client_as("csr"))
    # Created (the customer's acknowledgement), assigned, noted; and the assignment's
    # grant, whose days the reports check for staleness (portico.reports.subscribers).
    assert worker() == 4
    html = page(client_as("csr"))
    assigned = html.index(f"{issue.number} assigned to you")
    noted = html.index(f"Ewan Grant added a note to {issue.number}")
    assert noted < assigned  # the note came later
    assert html.count('<li class="unread">') == 2
    assert f'href="/console/transactions/{issue.number}/"' in html
    assert "2 unread" in html
    # Tom was not assigned: nothing of this is his.
    assert issue.number not in page(client_as("technician"))
    # Morag supervises Fiona: she hears of the dispatch.
    assert f"{issue.number} dispatched to Fiona MacLeod" in page(client_as("supervisor"))


def test_the_empty_state(people: None) -> None:
    assert "You have no notifications." in page(client_as("csr"))


def test_mark_all_as_read(people: None) -> None:
    issue = create("Pump alarm E42")
    tell("csr", issue, count=3)
    tell("technician", issue)
    csr = client_as("csr")
    response = csr.post(PAGE)
    assert response.status_code == 302
    assert response["Location"] == PAGE
    assert not notify.unread_for(individual("csr")).exists()
    assert notify.unread_for(individual("technician")).count() == 1  # not Fiona's to mark
    html = page(csr)
    assert "Marked 3 notifications as read." in html
    assert '<li class="unread">' not in html
    assert html.count(f"on {issue.number}") == 3  # still listed, now read
    assert "Nothing was unread." in page_after_post(csr)


def page_after_post(client: Client) -> str:
    response = client.post(PAGE, follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_mark_one_as_read_and_only_my_own(people: None) -> None:
    issue = create("Pump alarm E42")
    tell("csr", issue, count=2)
    tell("technician", issue)
    mine = Notification.objects.filter(recipient=individual("csr")).first()
    toms = Notification.objects.get(recipient=individual("technician"))
    assert mine is not None
    csr = client_as("csr")
    assert csr.post(PAGE, {"notification": mine.pk}).status_code == 302
    assert csr.post(PAGE, {"notification": toms.pk}).status_code == 302
    assert csr.post(PAGE, {"notification": "nonsense"}).status_code == 302
    mine.refresh_from_db()
    toms.refresh_from_db()
    assert mine.read_at is not None
    assert toms.read_at is None
    assert notify.unread_for(individual("csr")).count() == 1
    assert csr.put(PAGE).status_code == 405


def test_a_notice_about_a_hidden_transaction_is_left_out(people: None) -> None:
    seen = create("Pump alarm E42")
    secret = create("Secret recall")
    tell("csr", seen)
    tell("csr", secret)
    hide_from("csr", secret)
    html = page(client_as("csr"))
    assert seen.number in html
    assert secret.number not in html
    assert "Secret recall" not in html


def test_fifty_newest_at_most(people: None) -> None:
    issue = create("Pump alarm E42")
    tell("csr", issue, count=60)
    html = page(client_as("csr"))
    assert html.count('<li class="unread">') == 50
    assert f"News 59 on {issue.number}" in html  # the newest
    assert f"News on {issue.number}" not in html  # the oldest is past the fifty


def _queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as context:
        page(client)
    return len(context.captured_queries)


def test_query_count_does_not_grow_with_notices(people: None) -> None:
    issues = [create(f"Issue {i}") for i in range(3)]
    csr = client_as("csr")
    _queries(csr)  # the first page also fills per-process lookups (rights, zones)
    counts: dict[int, int] = {}
    made = 0
    for target in (10, 200):
        for i in range(made, target):
            tell("csr", issues[i % 3])
        made = target
        counts[target] = _queries(csr)
    assert counts[10] == counts[200], counts
    assert client_of("Ravi").get(PAGE).status_code == 200


def test_a_notice_never_quotes_an_internal_note(
    client_for: Callable[[str], Client], worker: Callable[[], int]
) -> None:
    """Issue 19: events about a note obey its visibility in notifications too. Forwarding
    writes its reason as an internal note; the notices (and their e-mails) to the team it
    goes to name the transaction, never that note, so a team member who may not read the
    transaction's internal notes learns nothing of it from the notice."""
    from portico.notify.models import Delivery
    from portico.parties.models import Organization
    from tests.audit import internal_note

    scene = internal_note.make()
    team = (
        Organization.objects.filter(kind=Organization.Kind.TEAM, active=True)
        .exclude(pk=scene.transaction.team_id or 0)
        .order_by("pk")[0]
    )
    reason = "Recall batch 0417 suspected, keep it quiet"
    actions.forward(actor=scene.writer, transaction=scene.transaction, team=team, note=reason)
    worker()
    notices = Notification.objects.filter(transaction=scene.transaction)
    assert notices.exists()
    said = [n.text for n in notices] + [
        d.subject + d.body for d in Delivery.objects.filter(notification__in=notices)
    ]
    assert not [text for text in said if "0417" in text or internal_note.SECRET_TEXT in text]
