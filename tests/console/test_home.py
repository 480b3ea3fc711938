"""The console home: four panels that show what they should, never what the person may
not see, and cost the same number of queries at ten rows as at two hundred."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portico.console.models import ConsoleVisit
from portico.service import actions
from portico.service.models import Note, Status, Transaction
from tests.console.test_lists import (
    bulk_transactions,
    client_as,
    client_of,
    create,
    hide_from,
    individual,
    numbers,
    organization,
    section,
    user,
)

HOME = "/console/"
TASKS, QUEUE, BREACHING, UPDATES = (
    "tasks-heading",
    "queue-heading",
    "breach-heading",
    "updates-heading",
)


def home(client: Client) -> str:
    response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("key", ["csr", "technician", "supervisor", "administrator"])
def test_staff_open_the_home(client_for: Callable[[str], Client], key: str) -> None:
    html = home(client_for(key))
    assert html.count("<h1") == 1
    for heading, text in [
        (TASKS, "My task list"),
        (QUEUE, "My team’s queue"),
        (BREACHING, "Breaching soon"),
        (UPDATES, "Customers updated since I last looked"),
    ]:
        assert f'<h2 id="{heading}">{text}' in html
    # Every table is named by its panel's heading.
    assert html.count("<table") == html.count('<table aria-labelledby="')


@pytest.mark.parametrize("key", ["customer", "partner", "employee"])
def test_people_outside_the_staff_are_refused(
    client_for: Callable[[str], Client], key: str
) -> None:
    assert client_for(key).get(HOME).status_code == 403


def test_the_demo_day_on_the_technicians_home(client_for: Callable[[str], Client]) -> None:
    html = home(client_for("technician"))
    # Tom is assigned the dosing pump (open) and the sensor pack (resolved, so done).
    tasks = section(html, TASKS)
    assert "Dosing pump on line 3 stopped overnight" in tasks
    assert "Sensor pack readings frozen" not in tasks
    # Field Service holds no queue of its own in the demo.
    assert "Field Service has nothing open." in section(html, QUEUE)


def test_empty_panels_say_so(people: None) -> None:
    html = home(client_as("csr"))
    assert "Nothing is assigned to you for action." in section(html, TASKS)
    assert "Service Desk has nothing open." in section(html, QUEUE)
    assert "Nothing you can see breaches in the next two hours." in section(html, BREACHING)
    assert "No customer has changed anything you can see" in section(html, UPDATES)


def test_task_list_holds_my_open_assignments(people: None) -> None:
    mine = create("Pump alarm E42")
    theirs = create("Controller clock drifts")
    done = create("Filter unit cracked")
    for transaction, who in [(mine, "csr"), (theirs, "technician"), (done, "csr")]:
        actions.assign(
            actor=user("supervisor"), transaction=transaction, assignees=[individual(who)]
        )
    actions.change_status(
        actor=user("csr"),
        transaction=done,
        status=Status.objects.get(application=done.application, code="resolved"),
        resolution="Replaced.",
    )
    assert numbers(home(client_as("csr")), TASKS) == [mine.number]
    assert numbers(home(client_as("technician")), TASKS) == [theirs.number]


def test_team_queue_is_my_teams_open_work(people: None) -> None:
    desk = create("Pump alarm E42")  # service issues join the Service Desk queue
    field = create("Site visit needed", team=organization("Field Service"))
    sale = create(
        "Retrofit of 12 sites",
        application="sales-opportunity",
        requester="Niamh",
        priority=None,
        profile={},
    )
    resolved = create("Already fixed")
    actions.change_status(
        actor=user("csr"),
        transaction=resolved,
        status=Status.objects.get(application=resolved.application, code="resolved"),
        resolution="Fixed on the call.",
    )
    actions.assign(actor=user("supervisor"), transaction=desk, assignees=[individual("csr")])

    fiona = home(client_as("csr"))
    queue = section(fiona, QUEUE)
    assert numbers(fiona, QUEUE) == [desk.number]
    assert "Fiona MacLeod" in queue  # who is on it
    assert sale.number not in queue
    tom = home(client_as("technician"))
    assert numbers(tom, QUEUE) == [field.number]
    assert "Unassigned" in section(tom, QUEUE)


def test_team_queue_is_soonest_due_first(people: None) -> None:
    later = create("Later")
    sooner = create("Sooner")
    undated = create("No due time")
    now = timezone.now()
    Transaction.objects.filter(pk=later.pk).update(due_at=now + datetime.timedelta(days=2))
    Transaction.objects.filter(pk=sooner.pk).update(due_at=now + datetime.timedelta(days=1))
    Transaction.objects.filter(pk=undated.pk).update(due_at=None)
    assert numbers(home(client_as("csr")), QUEUE) == [sooner.number, later.number, undated.number]


def test_breaching_soon_is_late_or_late_within_two_hours(people: None) -> None:
    now = timezone.now()
    late = create("Late to respond")
    soon = create("Response due within the hour")
    later = create("Response due this afternoon")
    paused = create("Waiting on the customer")
    answered = create("Answered, resolution due soon")
    resolved = create("Resolved already")

    def due(transaction: Transaction, response: float, resolution: float) -> None:
        Transaction.objects.filter(pk=transaction.pk).update(
            response_due_at=now + datetime.timedelta(hours=response),
            resolution_due_at=now + datetime.timedelta(hours=resolution),
            due_at=now + datetime.timedelta(hours=resolution),
        )

    due(late, -0.5, 6)
    due(soon, 1, 6)
    due(later, 3, 6)
    due(paused, -1, 6)
    Transaction.objects.filter(pk=paused.pk).update(sla_paused_at=now)
    due(answered, -3, 1.5)
    Transaction.objects.filter(pk=answered.pk).update(first_response_at=now)
    due(resolved, -3, -1)
    Transaction.objects.filter(pk=resolved.pk).update(first_response_at=now, resolved_at=now)

    html = home(client_as("csr"))
    panel = section(html, BREACHING)
    # Most urgent first: by the target about to be missed.
    assert numbers(html, BREACHING) == [late.number, soon.number, answered.number]
    late_row = panel[panel.index(late.number) : panel.index(soon.number)]
    assert "Response" in late_row
    assert "(breached)" in late_row
    assert 'class="overdue"' in late_row
    answered_row = panel[panel.index(answered.number) :]
    assert "Resolution" in answered_row
    assert "(in 1" in answered_row


def test_a_request_withdrawn_before_we_answered_is_not_breaching(people: None) -> None:
    # Ewan withdraws it before anyone answered: it has no first response (his withdrawal
    # is not ours), and it is finished, so it is never late.
    withdrawn = create("No longer needed")
    late = create("Late to respond")
    past = timezone.now() - datetime.timedelta(hours=1)
    Transaction.objects.filter(pk__in=[withdrawn.pk, late.pk]).update(
        response_due_at=past, resolution_due_at=past, due_at=past
    )
    actions.withdraw(actor=user("customer"), transaction=withdrawn, reason="Sorted it.")
    assert Transaction.objects.get(pk=withdrawn.pk).first_response_at is None
    assert numbers(home(client_as("csr")), BREACHING) == [late.number]


def test_customers_updated_since_my_last_visit(people: None) -> None:
    issue = create("Pump alarm E42")  # logged by the CSR: no customer update yet
    csr = client_as("csr")
    first = home(csr)
    assert "Your first visit" in first
    assert numbers(first, UPDATES) == []
    assert ConsoleVisit.objects.filter(individual=individual("csr")).exists()

    actions.add_note(
        actor=user("customer"),
        transaction=issue,
        body="It stopped again at 04:00.",
        visibility=Note.Visibility.SHARED,
    )
    second = home(csr)
    assert "since your last visit" in second
    assert numbers(second, UPDATES) == [issue.number]
    # Looked at: the next visit starts from here.
    assert numbers(home(csr), UPDATES) == []
    # Each person's visits are their own: Ravi has not looked yet.
    ravi = client_of("Ravi")
    assert numbers(home(ravi), UPDATES) == [issue.number]


def test_staff_changes_are_not_customer_updates(people: None) -> None:
    issue = create("Pump alarm E42")
    csr = client_as("csr")
    home(csr)
    actions.add_note(
        actor=user("technician"),
        transaction=issue,
        body="On my way.",
        visibility=Note.Visibility.SHARED,
    )
    assert numbers(home(csr), UPDATES) == []


def test_nothing_hidden_from_me_appears_on_my_home(people: None) -> None:
    """A transaction that would be in every panel, but a grant hides it from Fiona:
    it is in none of hers, and in all of Ravi's (same team, nothing hidden)."""
    issue = create("Secret recall", priority="P1")
    Transaction.objects.filter(pk=issue.pk).update(
        response_due_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    actions.add_note(
        actor=user("customer"),
        transaction=issue,
        body="Any news?",
        visibility=Note.Visibility.SHARED,
    )
    hide_from("csr", issue)

    fiona = home(client_as("csr"))
    assert issue.number not in fiona
    assert "Secret recall" not in fiona
    ravi = client_of("Ravi")
    html = home(ravi)
    for heading in (QUEUE, BREACHING, UPDATES):
        assert numbers(html, heading) == [issue.number], heading


def test_panels_show_ten_and_link_to_the_rest(people: None) -> None:
    bulk_transactions(12, assign_to="csr")
    html = home(client_as("csr"))
    for heading in (TASKS, QUEUE, BREACHING, UPDATES):
        assert len(numbers(html, heading)) == 10, heading
    assert f'href="/console/transactions/?assignee={individual("csr").pk}"' in html
    assert "/console/transactions/?due=overdue" in html


def _queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as context:
        home(client)
    return len(context.captured_queries)


def test_home_query_count_does_not_grow_with_rows(people: None) -> None:
    """Every panel full (assigned to me, my team's, breaching, updated by the customer)
    at 3, 10 and 200 rows: the same number of queries each time."""
    csr = client_as("csr")
    home(csr)  # the first visit
    counts: dict[int, int] = {}
    made = 0
    for target in (3, 10, 200):
        bulk_transactions(target - made, assign_to="csr")
        made = target
        # Customer updates newer than the previous visit, so that panel is full too.
        Transaction.objects.update(customer_updated_at=timezone.now())
        counts[target] = _queries(csr)
    assert counts[3] == counts[10] == counts[200], counts
