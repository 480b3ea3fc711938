"""Moving a transaction along its status flow: the status control keeps to the flow and
wants a resolution; a customer withdraws an open request and reopens a resolved one
(issue 19, item 8), called as the pages and the API call them."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from portico.access import setup
from portico.audit import display
from portico.audit.models import Event
from portico.notify.models import Notification
from portico.parties.models import User
from portico.service import actions, selectors, sla
from portico.service.calendar import add_business_minutes, business_minutes_between
from portico.service.models import Application, Grant, Note, Permission, Status, Transaction
from tests.service.actions.conftest import individual, log_issue, new_issue, refused, status, user

DAY = datetime.timedelta(days=1)
MINUTE = datetime.timedelta(minutes=1)


def resolved(t: Transaction, *, ago: datetime.timedelta) -> Transaction:
    """Resolved by the CSR, then moved back in time as if it had been resolved `ago`."""
    actions.change_status(
        actor=user("csr"),
        transaction=t,
        status=Status.objects.get(application=t.application, code="resolved"),
        resolution="Replaced the flow sensor.",
    )
    Transaction.objects.filter(pk=t.pk).update(resolved_at=timezone.now() - ago)
    return fresh(t)


def fresh(t: Transaction) -> Transaction:
    return Transaction.objects.select_related("status", "application").get(pk=t.pk)


def events(t: Transaction, action: str) -> list[Event]:
    return list(Event.objects.filter(subject_id=str(t.pk), action=action))


def state(t: Transaction) -> tuple[object, ...]:
    """Everything a refused move must leave as it was."""
    row = fresh(t)
    return (
        row.status_id,
        row.resolved_at,
        row.closed_at,
        row.updated_at,
        row.sla_paused_minutes,
        Note.objects.filter(transaction=t).count(),
        Event.objects.filter(subject_id=str(t.pk)).count(),
    )


# --- the status control -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "forbidden"),
    [
        pytest.param(["closed"], "in-progress", id="closed-is-final"),
        pytest.param(["closed"], "new", id="closed-cannot-go-back-to-new"),
        pytest.param(["in-progress"], "closed", id="in-progress-must-resolve-first"),
        pytest.param(["in-progress"], "new", id="never-back-to-new"),
    ],
)
def test_the_status_flow_is_enforced(people: None, path: list[str], forbidden: str) -> None:
    logged = log_issue()
    for code in path:
        logged = actions.change_status(
            actor=user("csr"),
            transaction=logged,
            status=status(logged, code),
            resolution="Done.",
        )
    current = Status.objects.get(pk=logged.status_id)
    target = status(logged, forbidden)
    with refused("status", current.name, target.name, transaction=logged):
        actions.change_status(
            actor=user("csr"), transaction=logged, status=target, resolution="Again."
        )


def test_a_status_of_another_application_is_refused(people: None) -> None:
    logged = log_issue()
    won = Status.objects.get(application__code="sales-opportunity", code="won")
    with refused("status", "Won", transaction=logged):
        actions.change_status(actor=user("csr"), transaction=logged, status=won)


@pytest.mark.parametrize("resolution", ["", "   \n "])
def test_resolving_needs_a_resolution(people: None, resolution: str) -> None:
    logged = log_issue()
    with refused("resolution", "resolved", transaction=logged):
        actions.change_status(
            actor=user("csr"),
            transaction=logged,
            status=status(logged, "resolved"),
            resolution=resolution,
        )


# --- withdraw ------------------------------------------------------------------------------


def test_the_requester_withdraws_an_open_request_with_a_reason(demo_data: None) -> None:
    t = new_issue()
    assert actions.offered(user("customer"), t) == {"withdraw"}
    done = actions.withdraw(
        actor=user("customer"), transaction=t, reason="  The pump restarted by itself.  "
    )
    assert done.status.code == "withdrawn"
    assert done.status.name == "Withdrawn"
    assert done.status.category == Status.Category.CLOSED
    assert done.closed_at is not None
    assert done.resolved_at is not None  # finished: off the open lists and breach indexes
    note = Note.objects.get(transaction=t, body="The pump restarted by itself.")
    assert note.visibility == Note.Visibility.SHARED
    assert note.author == individual("customer")
    (event,) = events(t, "transaction.withdrawn")
    assert event.actor == user("customer")
    assert event.data["reason"] == "The pump restarted by itself."
    # The history the staff read says what happened and why.
    history = list(selectors.history_of(user("csr"), t))
    (said,) = [display.describe(e) for e in history if display.title(e) == "Withdrawn"]
    # (PostgreSQL's jsonb keeps its own key order, so each part is looked for alone.)
    assert "Status: New → Withdrawn" in said
    assert "Reason: The pump restarted by itself." in said
    # A withdrawn request is finished: nothing more to withdraw or reopen.
    assert actions.offered(user("customer"), fresh(t)) == frozenset()


@pytest.mark.parametrize("reason", ["", "   \n ", "x" * 50_001])
def test_a_reason_is_required_and_at_most_a_notes_length(demo_data: None, reason: str) -> None:
    t = new_issue()
    before = state(t)
    with pytest.raises(ValidationError) as refused:
        actions.withdraw(actor=user("customer"), transaction=t, reason=reason)
    assert list(refused.value.message_dict) == ["reason"]
    assert state(t) == before


def test_a_reason_of_exactly_a_notes_length_is_taken(demo_data: None) -> None:
    t = new_issue()
    actions.withdraw(actor=user("customer"), transaction=t, reason="y" * 50_000)
    assert fresh(t).status.code == "withdrawn"


def test_read_only_may_not_withdraw_nor_reopen(demo_data: None) -> None:
    t = new_issue()
    # Kirsty, Ewan's colleague, sees it through Harbour Foods' Read only grant.
    colleague = user("colleague")
    assert actions.offered(colleague, t) == frozenset()
    before = state(t)
    with pytest.raises(PermissionDenied, match="may not withdraw"):
        actions.withdraw(actor=colleague, transaction=t, reason="Not needed")
    assert state(t) == before
    r = resolved(t, ago=DAY)
    before = state(r)
    with pytest.raises(PermissionDenied, match="may not reopen"):
        actions.reopen(actor=colleague, transaction=r, reason="Still broken")
    assert state(r) == before


def test_a_read_only_grant_stops_even_the_requester(demo_data: None) -> None:
    t = new_issue()
    Grant.objects.filter(transaction=t, individual=individual("customer")).update(
        permission=Permission.objects.get(code="read")
    )
    customer = User.objects.get(pk=user("customer").pk)
    assert actions.offered(customer, t) == frozenset()
    with pytest.raises(PermissionDenied):
        actions.withdraw(actor=customer, transaction=t, reason="Not needed")
    assert fresh(t).status.code == "new"


def test_an_organisation_with_customer_access_may_withdraw(demo_data: None) -> None:
    t = new_issue()
    Grant.objects.filter(transaction=t, organization=individual("colleague").organization).update(
        permission=Permission.objects.get(code="customer")
    )
    colleague = User.objects.get(pk=user("colleague").pk)
    actions.withdraw(actor=colleague, transaction=t, reason="Ewan is away; not needed")
    assert fresh(t).status.code == "withdrawn"


def test_a_resolved_request_cannot_be_withdrawn(demo_data: None) -> None:
    r = resolved(new_issue(), ago=DAY)
    before = state(r)
    with pytest.raises(ValidationError, match="only an unfinished request"):
        actions.withdraw(actor=user("customer"), transaction=r, reason="Not needed")
    assert state(r) == before


def test_withdrawing_from_waiting_stops_the_clock_for_good(demo_data: None) -> None:
    t = new_issue()
    actions.change_status(
        actor=user("csr"),
        transaction=t,
        status=Status.objects.get(application=t.application, code="waiting"),
    )
    assert fresh(t).sla_paused_at is not None
    actions.withdraw(actor=user("customer"), transaction=t, reason="Sorted it ourselves")
    done = fresh(t)
    assert done.status.code == "withdrawn"
    assert done.sla_paused_at is None


@pytest.mark.parametrize("move", ["withdraw", "reopen"])
def test_the_assignees_hear_it_was_withdrawn_or_reopened_once(
    demo_data: None, worker: Callable[[], int], move: str
) -> None:
    t = new_issue()
    actions.assign(actor=user("csr"), transaction=t, assignees=[individual("technician")])
    if move == "reopen":
        t = resolved(t, ago=DAY)
    worker()
    seen = Notification.objects.count()
    getattr(actions, move)(actor=user("customer"), transaction=t, reason="Sorted it ourselves.")
    assert Notification.objects.count() == seen  # told after the commit, by the worker
    worker()
    made = list(Notification.objects.order_by("id")[seen:])
    # One notice each, saying what the customer did and why; not "added a note" besides.
    did, kind = {"withdraw": ("withdrew", "Withdrawn"), "reopen": ("reopened", "Reopened")}[move]
    assert [(n.recipient, n.get_kind_display(), n.text) for n in made] == [
        (
            individual("technician"),
            f"{kind} by the customer",
            f"{individual('customer').name} {did} {t.number}: Sorted it ourselves.",
        )
    ]


# --- reopen --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ago", "allowed"),
    [
        (13 * DAY, True),
        (14 * DAY - MINUTE, True),  # the last minute of the 14th day
        (14 * DAY + MINUTE, False),
        (15 * DAY, False),
    ],
)
def test_reopening_within_the_period(
    demo_data: None, ago: datetime.timedelta, allowed: bool
) -> None:
    r = resolved(new_issue(), ago=ago)
    assert ("reopen" in actions.offered(user("customer"), r)) is allowed
    if allowed:
        done = actions.reopen(actor=user("customer"), transaction=r, reason="Alarm is back")
        assert done.status.code == "in-progress"
        assert done.resolved_at is None
        assert done.closed_at is None
        (event,) = events(r, "transaction.reopened")
        assert event.data == {
            "status": {"before": "Resolved", "after": "In progress"},
            "reason": "Alarm is back",
        }
        assert Note.objects.filter(transaction=r, body="Alarm is back", visibility="shared")
        return
    before = state(r)
    with pytest.raises(ValidationError) as refused:
        actions.reopen(actor=user("customer"), transaction=r, reason="Alarm is back")
    message = refused.value.message_dict["status"][0]
    assert "can be reopened for 14 days after it is resolved" in message
    assert "log a new request" in message
    assert state(r) == before


def test_the_period_ends_exactly_fourteen_days_after_it_was_resolved(demo_data: None) -> None:
    r = resolved(new_issue(), ago=DAY)
    assert r.resolved_at is not None
    end = r.resolved_at + 14 * DAY
    assert actions.reopen_deadline(r) == end
    assert actions.offered(user("customer"), r, now=end) == {"reopen"}
    assert actions.offered(user("customer"), r, now=end + datetime.timedelta(seconds=1)) == set()


def test_the_period_is_set_per_application(demo_data: None) -> None:
    Application.objects.filter(code="service-issue").update(reopen_days=3)
    setup.forget()  # update() sends no signal to forget the kept applications
    r = resolved(new_issue(), ago=4 * DAY)
    with pytest.raises(ValidationError, match="reopened for 3 days"):
        actions.reopen(actor=user("customer"), transaction=r, reason="Back again")
    Application.objects.filter(code="service-issue").update(reopen_days=0)
    setup.forget()  # update() sends no signal to forget the kept applications
    r = resolved(new_issue(), ago=MINUTE)
    assert actions.offered(user("customer"), r) == set()
    with pytest.raises(ValidationError, match="cannot be reopened once resolved"):
        actions.reopen(actor=user("customer"), transaction=r, reason="Back again")


def test_a_closed_request_cannot_be_reopened(demo_data: None) -> None:
    r = resolved(new_issue(), ago=DAY)
    actions.change_status(
        actor=user("csr"),
        transaction=r,
        status=Status.objects.get(application=r.application, code="closed"),
    )
    with pytest.raises(ValidationError, match="only a resolved request"):
        actions.reopen(actor=user("customer"), transaction=fresh(r), reason="Back again")


def test_a_reopen_needs_a_reason(demo_data: None) -> None:
    r = resolved(new_issue(), ago=DAY)
    before = state(r)
    with pytest.raises(ValidationError) as refused:
        actions.reopen(actor=user("customer"), transaction=r, reason=" ")
    assert refused.value.message_dict == {"reason": ["Say why you are reopening it."]}
    assert state(r) == before


def test_time_spent_resolved_does_not_count_against_the_sla(demo_data: None) -> None:
    r = resolved(new_issue(priority="P3"), ago=8 * DAY)
    due_before = r.resolution_due_at
    assert due_before is not None
    assert r.resolved_at is not None
    hours = sla.default_calendar().hours()
    resolved_for = business_minutes_between(r.resolved_at, timezone.now(), hours)
    assert resolved_for > 0  # eight days hold working days
    done = actions.reopen(actor=user("customer"), transaction=r, reason="Back again")
    # The clock is pushed on by the business minutes it spent resolved, no more.
    assert resolved_for <= done.sla_paused_minutes - r.sla_paused_minutes <= resolved_for + 1
    assert done.resolution_due_at == add_business_minutes(
        done.created_at, 3 * 8 * 60 + done.sla_paused_minutes, hours
    )
    assert done.resolution_due_at > due_before
    assert done.sla_paused_at is None


# --- closing when time is up (issue 22's time rules) -------------------------------------


def test_close_takes_a_waiting_request_to_closed_which_the_status_control_may_not(
    demo_data: None,
) -> None:
    t = new_issue()
    actions.change_status(actor=user("csr"), transaction=t, status=status(t, "waiting"))
    with refused("status", "Cannot move from Waiting on customer to Closed", transaction=t):
        actions.change_status(actor=user("csr"), transaction=t, status=status(t, "closed"))
    Transaction.objects.filter(pk=t.pk).update(sla_paused_at=timezone.now() - 7 * DAY)
    actions.close(actor=user("csr"), transaction=t, note="  We have not heard back.  ")
    done = fresh(t)
    assert done.status.code == "closed"
    # The clock is stopped for good and the wait counted, as for any move out of waiting.
    assert done.sla_paused_at is None
    assert done.sla_paused_minutes > 0
    assert done.closed_at is not None
    assert done.resolved_at == done.closed_at
    assert done.resolution == "We have not heard back."
    note = Note.objects.filter(transaction=t).latest("id")
    assert (note.body, note.visibility) == ("We have not heard back.", Note.Visibility.SHARED)
    # The note is told of by the closing, once, not as a note of its own.
    assert max(events(t, "note.added"), key=lambda e: e.pk).data["announce"] is False
    moved = max(events(t, "transaction.status_changed"), key=lambda e: e.pk)
    assert moved.data == {
        "status": {"before": "Waiting on customer", "after": "Closed"},
        "resolution": "We have not heard back.",
    }


def test_close_keeps_a_resolved_requests_resolution_when_it_gives_no_note(
    demo_data: None,
) -> None:
    t = resolved(new_issue(), ago=15 * DAY)
    at = t.resolved_at
    actions.close(actor=user("csr"), transaction=t)
    done = fresh(t)
    assert (done.status.code, done.resolution, done.resolved_at) == (
        "closed",
        "Replaced the flow sensor.",
        at,
    )


def test_close_is_refused_to_a_customer_and_for_a_closed_request(demo_data: None) -> None:
    t = new_issue()
    with pytest.raises(PermissionDenied):
        actions.close(actor=user("customer"), transaction=t)
    actions.close(actor=user("csr"), transaction=t)
    with refused("status", "finished already", transaction=t):
        actions.close(actor=user("csr"), transaction=t, note="Again")
