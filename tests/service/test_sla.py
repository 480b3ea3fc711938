"""Due times through the services: a transaction's priority sets its response and
resolution due times on the default business calendar (Glasgow office hours, 09:00–17:30
Monday to Friday, Scottish public holidays), the clock stops while the transaction waits
on the customer, the first response is the first thing the customer hears from us, and
the breach list shows what is running late.

Expected times are worked out by hand in the comments, in Glasgow wall-clock time, and
compared with the UTC instants the database holds."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from unittest.mock import patch
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from portico.audit.models import Event
from portico.parties.models import User
from portico.service import actions, selectors, sla
from portico.service.models import (
    Application,
    BusinessCalendar,
    Note,
    Priority,
    Status,
    Transaction,
)
from tests.conftest import PERSONAS
from tests.postgres_cluster import wanted as postgres_wanted

LONDON = ZoneInfo("Europe/London")
PROFILE = {"issue-type": "fault", "product": "clearflow-dosing-pump"}


def glasgow(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    """A wall-clock time at the Glasgow service desk."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


@contextmanager
def clock(moment: datetime) -> Iterator[None]:
    """Run the services as if it were `moment`."""
    with patch("django.utils.timezone.now", return_value=moment):
        yield


def user(key: str) -> User:
    person = PERSONAS[key].individual.user
    assert person is not None
    return person


@pytest.fixture
def people(demo_people: None) -> None:
    """The demo people without the demo transactions: those are logged at the real "now",
    and the breach list below must hold only what each test creates."""


def log_issue(at: datetime, priority: str = "P1", *, by: str = "csr") -> Transaction:
    """A service issue for the customer, logged at `at`."""
    with clock(at):
        return actions.create_transaction(
            actor=user(by),
            application=Application.objects.get(code="service-issue"),
            title="Dosing pump stopped",
            requester=PERSONAS["customer"].individual,
            priority=Priority.objects.get(code=priority),
            profile=PROFILE,
            channel="phone" if by == "csr" else "web",
        )


def move(transaction: Transaction, code: str, at: datetime, resolution: str = "") -> Transaction:
    status = Status.objects.get(application=transaction.application, code=code)
    with clock(at):
        return actions.change_status(
            actor=user("csr"), transaction=transaction, status=status, resolution=resolution
        )


def note(
    transaction: Transaction,
    at: datetime,
    *,
    by: str = "csr",
    visibility: str = Note.Visibility.SHARED,
    direction: str = Note.Direction.NONE,
    channel: str = "email",
) -> Note:
    with clock(at):
        return actions.add_note(
            actor=user(by),
            transaction=transaction,
            body="We are looking into it.",
            visibility=visibility,
            direction=direction,
            channel=channel,
        )


def fresh(transaction: Transaction) -> Transaction:
    return Transaction.objects.get(pk=transaction.pk)


# --- the calendar the services use ---------------------------------------------------------


def test_the_default_calendar_is_glasgow_office_hours(people: None) -> None:
    # Every expectation below assumes this calendar, which the data migration creates.
    calendar = BusinessCalendar.objects.get(is_default=True)
    assert calendar.time_zone == "Europe/London"
    assert (calendar.opens, calendar.closes) == (time(9, 0), time(17, 30))
    assert calendar.workdays == "01234"
    assert (calendar.country, calendar.subdivision) == ("GB", "SCT")


# --- due times when a transaction is logged ----------------------------------------------


@pytest.mark.parametrize("by", ["csr", "customer"])
def test_p1_logged_at_friday_1715_is_due_monday_0915(people: None, by: str) -> None:
    # Friday 5 June 2026, British Summer Time (UTC+1). 15 business minutes are left on
    # Friday; the other 15 of P1's 30 run from Monday's 09:00 opening.
    logged = log_issue(glasgow(2026, 6, 5, 17, 15), by=by)

    stored = fresh(logged)
    assert stored.created_at == datetime(2026, 6, 5, 16, 15, tzinfo=UTC)
    assert stored.response_due_at == datetime(2026, 6, 8, 8, 15, tzinfo=UTC)
    assert stored.response_due_at.astimezone(LONDON) == glasgow(2026, 6, 8, 9, 15)
    # Resolution in 4 business hours: 15 minutes on Friday, 3 h 45 on Monday → 12:45.
    assert stored.resolution_due_at == datetime(2026, 6, 8, 11, 45, tzinfo=UTC)
    assert stored.due_at == stored.resolution_due_at


def test_st_andrews_day_is_not_a_business_day(people: None) -> None:
    # Monday 30 November 2026 is St Andrew's Day, a public holiday in Scotland only, so
    # a P1 logged at 17:15 on the Friday before is due at 09:15 on Tuesday (GMT = UTC).
    logged = log_issue(glasgow(2026, 11, 27, 17, 15))

    stored = fresh(logged)
    assert stored.response_due_at == datetime(2026, 12, 1, 9, 15, tzinfo=UTC)
    # 4 h: 15 min on Friday, then Tuesday 09:00 + 3 h 45 → 12:45.
    assert stored.resolution_due_at == datetime(2026, 12, 1, 12, 45, tzinfo=UTC)


def test_a_priority_without_a_resolution_target_has_no_resolution_due_time(
    people: None,
) -> None:
    # P4: 8 business hours to respond, no resolution target. Logged Tuesday 9 June 10:00:
    # 7 h 30 on Tuesday, the last 30 minutes on Wednesday → 09:30.
    logged = log_issue(glasgow(2026, 6, 9, 10, 0), "P4")

    stored = fresh(logged)
    assert stored.response_due_at == glasgow(2026, 6, 10, 9, 30)
    assert stored.resolution_due_at is None
    # The lists' "Resolve by" (due_at) is the resolution due time for every priority, so
    # P4 has none rather than its response time in that column (issue 19).
    assert stored.due_at is None


def test_changing_the_priority_recomputes_due_times_from_creation(people: None) -> None:
    logged = log_issue(glasgow(2026, 6, 9, 10, 0), "P1")
    assert fresh(logged).response_due_at == glasgow(2026, 6, 9, 10, 30)
    assert fresh(logged).resolution_due_at == glasgow(2026, 6, 9, 14, 0)

    with clock(glasgow(2026, 6, 9, 10, 10)):
        actions.update_profile(
            actor=user("csr"), transaction=logged, priority=Priority.objects.get(code="P4")
        )

    stored = fresh(logged)
    assert stored.priority is not None
    assert stored.priority.code == "P4"
    # Counted from the 10:00 creation, not the 10:10 change: Wednesday 09:30, not 09:40.
    assert stored.response_due_at == glasgow(2026, 6, 10, 9, 30)
    assert stored.resolution_due_at is None  # P4 has no resolution target
    assert stored.due_at is None  # and so no resolve-by: it was P1's 14:00 before
    change = Event.objects.get(action="transaction.profile_changed", subject_id=str(logged.pk))
    assert change.data["priority"] == {"before": "P1", "after": "P4"}


# --- the clock stops while waiting on the customer -------------------------------------


def test_waiting_on_the_customer_pauses_the_clock(people: None) -> None:
    # P1 logged Tuesday 9 June 10:00: response due 10:30, resolution due 14:00.
    logged = log_issue(glasgow(2026, 6, 9, 10, 0), "P1")

    move(logged, "waiting", glasgow(2026, 6, 9, 10, 20))
    paused = fresh(logged)
    assert paused.sla_paused_at == glasgow(2026, 6, 9, 10, 20)
    assert paused.response_due_at == glasgow(2026, 6, 9, 10, 30)  # not moved until it resumes

    # Back at work on Wednesday at 09:50: the wait was 10:20–17:30 (430 business minutes)
    # plus 09:00–09:50 (50), 480 in all; the night in between does not count.
    move(logged, "in-progress", glasgow(2026, 6, 10, 9, 50))
    resumed = fresh(logged)
    assert resumed.sla_paused_at is None
    assert resumed.sla_paused_minutes == 480
    # Response: 10:30 Tuesday + 480 → 420 to Tuesday's close, 60 more → Wednesday 10:00.
    assert resumed.response_due_at == glasgow(2026, 6, 10, 10, 0)
    # Resolution: 14:00 Tuesday + 480 → 210 to Tuesday's close, 270 more → 13:30.
    assert resumed.resolution_due_at == glasgow(2026, 6, 10, 13, 30)
    assert resumed.due_at == resumed.resolution_due_at

    # A second wait adds to the first: Wednesday 10:00–10:30 is 30 more minutes.
    move(logged, "waiting", glasgow(2026, 6, 10, 10, 0))
    move(logged, "in-progress", glasgow(2026, 6, 10, 10, 30))
    again = fresh(logged)
    assert again.sla_paused_minutes == 510
    assert again.response_due_at == glasgow(2026, 6, 10, 10, 30)
    assert again.resolution_due_at == glasgow(2026, 6, 10, 14, 0)


def test_a_wait_over_a_weekend_counts_only_business_minutes(people: None) -> None:
    # P2 (1 h / 8 h) logged Friday 5 June 16:00: response due 17:00 Friday.
    logged = log_issue(glasgow(2026, 6, 5, 16, 0), "P2")
    assert fresh(logged).response_due_at == glasgow(2026, 6, 5, 17, 0)
    # Waiting from Friday 16:30 to Monday 09:30: 60 minutes on Friday, 30 on Monday.
    move(logged, "waiting", glasgow(2026, 6, 5, 16, 30))
    move(logged, "in-progress", glasgow(2026, 6, 8, 9, 30))

    stored = fresh(logged)
    assert stored.sla_paused_minutes == 90
    # 17:00 Friday + 90 → 30 to the close, 60 from Monday's opening → Monday 10:00.
    assert stored.response_due_at == glasgow(2026, 6, 8, 10, 0)


# --- the first response ----------------------------------------------------------------


def test_internal_and_customer_notes_are_not_a_response(people: None) -> None:
    logged = log_issue(glasgow(2026, 6, 9, 10, 0), by="customer")
    note(logged, glasgow(2026, 6, 9, 10, 5), visibility=Note.Visibility.INTERNAL)
    note(logged, glasgow(2026, 6, 9, 10, 6), by="customer")  # the customer chasing

    assert fresh(logged).first_response_at is None


@pytest.mark.parametrize(
    ("visibility", "direction", "channel"),
    [
        pytest.param(Note.Visibility.SHARED, Note.Direction.NONE, "email", id="shared-note"),
        pytest.param(Note.Visibility.INTERNAL, Note.Direction.OUTBOUND, "phone", id="call-out"),
    ],
)
def test_first_response_is_the_first_shared_note_or_outbound_contact(
    people: None, visibility: str, direction: str, channel: str
) -> None:
    logged = log_issue(glasgow(2026, 6, 9, 10, 0), by="customer")
    note(logged, glasgow(2026, 6, 9, 10, 5), visibility=Note.Visibility.INTERNAL)
    note(logged, glasgow(2026, 6, 9, 10, 6), by="customer")

    note(
        logged,
        glasgow(2026, 6, 9, 10, 12),
        visibility=visibility,
        direction=direction,
        channel=channel,
    )
    assert fresh(logged).first_response_at == glasgow(2026, 6, 9, 10, 12)

    # Later contacts do not move it.
    note(logged, glasgow(2026, 6, 9, 11, 0))
    assert fresh(logged).first_response_at == glasgow(2026, 6, 9, 10, 12)


# --- the breach list -------------------------------------------------------------------


def test_breach_list_shows_the_late_not_the_paused_or_answered(people: None) -> None:
    # Four P1s logged Tuesday 9 June 10:00: response due 10:30, resolution due 14:00.
    start = glasgow(2026, 6, 9, 10, 0)
    late, paused, answered, resolved = (log_issue(start) for _ in range(4))
    move(paused, "waiting", glasgow(2026, 6, 9, 10, 10))
    note(answered, glasgow(2026, 6, 9, 10, 10))
    note(resolved, glasgow(2026, 6, 9, 10, 10))
    move(resolved, "resolved", glasgow(2026, 6, 9, 10, 15), "Reset the flow sensor.")
    supervisor = user("supervisor")

    def breached_at(moment: datetime) -> set[str]:
        return set(selectors.breached(supervisor, now=moment).values_list("number", flat=True))

    assert breached_at(glasgow(2026, 6, 9, 10, 29)) == set()
    # 11:00: the response is late on the one nobody has answered.
    assert breached_at(glasgow(2026, 6, 9, 11, 0)) == {late.number}
    # 14:30: the resolution is late too, on the answered one as well; the paused one's
    # clock is stopped and the resolved one is done.
    assert breached_at(glasgow(2026, 6, 9, 14, 30)) == {late.number, answered.number}


@pytest.mark.parametrize("code", ["resolved", "closed"])
def test_finished_without_a_note_is_not_breached(people: None, code: str) -> None:
    # Resolved (or closed) straight away with no separate note: the resolution is the
    # first the customer hears, and the transaction is no longer running, so it must
    # not sit in the breach list for ever as "late to respond".
    logged = log_issue(glasgow(2026, 6, 9, 10, 0))
    move(logged, code, glasgow(2026, 6, 9, 10, 20), "Talked them through a reset.")
    assert fresh(logged).first_response_at == glasgow(2026, 6, 9, 10, 20)

    late = selectors.breached(user("supervisor"), now=glasgow(2026, 6, 12, 12, 0))
    assert logged.number not in set(late.values_list("number", flat=True))


def test_breach_list_follows_visibility(people: None) -> None:
    mine = log_issue(glasgow(2026, 6, 9, 10, 0))
    with clock(glasgow(2026, 6, 9, 10, 0)):
        theirs = actions.create_transaction(
            actor=user("csr"),
            application=Application.objects.get(code="service-issue"),
            title="Sensor pack readings frozen",
            requester=PERSONAS["other_customer"].individual,
            priority=Priority.objects.get(code="P1"),
            profile=PROFILE,
        )
    later = glasgow(2026, 6, 9, 11, 0)

    assert set(selectors.breached(user("supervisor"), now=later)) == {mine, theirs}
    assert list(selectors.breached(user("customer"), now=later)) == [mine]
    assert list(selectors.breached(user("other_customer"), now=later)) == [theirs]


# --- back to work after it was finished, and finished by the customer ------------------


def reopen(transaction: Transaction, at: datetime, *, by: str) -> Transaction:
    """Resolved → In progress: by the staff with the status control, or by the customer
    (service/actions/status.py), the two ways back that the pages and the API offer."""
    with clock(at):
        if by == "customer":
            return actions.reopen(
                actor=user("customer"), transaction=transaction, reason="The alarm is back."
            )
        return actions.change_status(
            actor=user(by),
            transaction=transaction,
            status=Status.objects.get(application=transaction.application, code="in-progress"),
        )


@pytest.mark.parametrize("by", ["csr", "customer"])
def test_the_time_it_spent_resolved_does_not_count_however_it_is_reopened(
    people: None, by: str
) -> None:
    # P1 logged Tuesday 9 June 10:00: response due 10:30, resolution due 14:00.
    logged = log_issue(glasgow(2026, 6, 9, 10, 0))
    note(logged, glasgow(2026, 6, 9, 10, 10))
    move(logged, "resolved", glasgow(2026, 6, 9, 11, 0), "Reset the flow sensor.")
    # Reopened on Wednesday at 10:00: resolved 11:00–17:30 (390 business minutes) and
    # 09:00–10:00 (60), 450 in all; the night does not count.
    seen = Event.objects.filter(subject_id=str(logged.pk)).count()
    reopened = reopen(logged, glasgow(2026, 6, 10, 10, 0), by=by)
    stored = fresh(logged)
    assert stored.status.code == "in-progress"
    assert stored.resolved_at is None
    assert stored.closed_at is None
    assert stored.sla_paused_at is None
    assert stored.sla_paused_minutes == 450
    # Resolution: 14:00 Tuesday + 450 → 210 to Tuesday's close, 240 more → Wed 13:00.
    assert stored.resolution_due_at == glasgow(2026, 6, 10, 13, 0)
    assert stored.due_at == stored.resolution_due_at
    assert stored.first_response_at == glasgow(2026, 6, 9, 10, 10)  # we did answer
    assert reopened.resolution_due_at == stored.resolution_due_at
    # So it is not late the moment it is back, but is when the pushed-on time passes.
    supervisor = user("supervisor")
    assert logged not in selectors.breached(supervisor, now=glasgow(2026, 6, 10, 12, 59))
    assert logged in selectors.breached(supervisor, now=glasgow(2026, 6, 10, 13, 1))
    # Either way the history says who moved it back, and no second status event.
    moved = Event.objects.filter(subject_id=str(logged.pk)).order_by("id")[seen:]
    names = [e.action for e in moved if e.action != "note.added"]
    assert names == ["transaction.reopened" if by == "customer" else "transaction.status_changed"]


def test_reopening_from_waiting_after_resolved_counts_each_stop_once(people: None) -> None:
    # P1 logged Tuesday 9 June 10:00, waits on the customer 10:20–10:50 (30 minutes),
    # is resolved from there at 10:50 and reopened at 11:50 (60 more): 90 in all.
    logged = log_issue(glasgow(2026, 6, 9, 10, 0))
    move(logged, "waiting", glasgow(2026, 6, 9, 10, 20))
    move(logged, "resolved", glasgow(2026, 6, 9, 10, 50), "Reset the flow sensor.")
    assert fresh(logged).sla_paused_minutes == 30
    reopen(logged, glasgow(2026, 6, 9, 11, 50), by="csr")
    stored = fresh(logged)
    assert stored.sla_paused_minutes == 90
    assert stored.resolution_due_at == glasgow(2026, 6, 9, 15, 30)


def test_a_withdrawal_is_not_our_response_nor_a_breach(people: None) -> None:
    # P1 logged Tuesday 9 June 10:00, response due 10:30; nobody has answered when the
    # customer withdraws it at 10:20. Their withdrawal is not a response from us: the
    # response-time figures must not count it as one.
    logged = log_issue(glasgow(2026, 6, 9, 10, 0))
    with clock(glasgow(2026, 6, 9, 10, 20)):
        actions.withdraw(actor=user("customer"), transaction=logged, reason="Sorted it.")
    stored = fresh(logged)
    assert stored.status.code == "withdrawn"
    assert stored.status.category == Status.Category.CLOSED
    assert stored.first_response_at is None
    # Finished, so never late: not in the breach list nor in "Breaching soon".
    supervisor = user("supervisor")
    later = glasgow(2026, 6, 12, 12, 0)
    assert logged not in selectors.breached(supervisor, now=later)
    assert logged not in selectors.breaching_first(supervisor, now=later, limit=10)


def test_staff_moving_it_to_withdrawn_is_not_a_response_either(people: None) -> None:
    # The customer rang to say they no longer need it; the CSR records that with the
    # status control. Closing or resolving it would be our answer; a withdrawal is theirs.
    logged = log_issue(glasgow(2026, 6, 9, 10, 0))
    move(logged, "withdrawn", glasgow(2026, 6, 9, 10, 20))
    assert fresh(logged).first_response_at is None
    assert logged not in selectors.breached(user("supervisor"), now=glasgow(2026, 6, 12, 12, 0))


# --- the breach query uses its partial indexes (PostgreSQL) -----------------------------


@pytest.mark.skipif(
    not postgres_wanted(),
    reason="EXPLAIN of partial indexes is a PostgreSQL question; "
    "run with PORTICO_TEST_DATABASE=postgres",
)
@pytest.mark.django_db(transaction=True)
def test_breach_query_can_use_the_partial_indexes(people: None) -> None:
    application = Application.objects.get(code="service-issue")
    statuses = {s.code: s for s in Status.objects.filter(application=application)}
    waiting = Status.objects.filter(
        application=application, category=Status.Category.WAITING
    ).first()
    assert waiting is not None
    p1 = Priority.objects.get(code="P1")
    customer = PERSONAS["customer"].individual
    base = glasgow(2026, 6, 1, 9, 0)
    rng = random.Random(20260609)
    rows = []
    # A realistic spread: most transactions long finished, a few still running, so each
    # partial index holds a small fraction of the table.
    for i in range(4000):
        created = base + timedelta(minutes=i)
        running = i % 40 == 0
        # Half of those wait on the customer with the clock paused: running, so in the
        # index of unresolved transactions, but not in either breach index.
        paused = running and i % 80 == 0
        rows.append(
            Transaction(
                application=application,
                sequence=1_000_000 + i,
                number=f"SI-B{i:07d}",
                title=f"Bulk {i}",
                status=waiting if paused else statuses["in-progress" if running else "closed"],
                sla_paused_at=created + timedelta(minutes=5) if paused else None,
                priority=p1,
                organization=customer.organization,
                requester=customer,
                created_at=created,
                updated_at=created,
                response_due_at=created + timedelta(minutes=30),
                resolution_due_at=created + timedelta(hours=4),
                due_at=created + timedelta(hours=4),
                first_response_at=None
                if running
                else created + timedelta(minutes=rng.randint(1, 29)),
                resolved_at=None if running else created + timedelta(hours=rng.randint(1, 3)),
                closed_at=None if running else created + timedelta(hours=5),
            )
        )
    Transaction.objects.bulk_create(rows, batch_size=1000)
    with connection.cursor() as cursor:
        # Transactional, so that it can VACUUM: the rows earlier tests wrote and rolled
        # back are still in the indexes until vacuumed, and left there they change which
        # index the planner finds cheapest.
        cursor.execute("VACUUM ANALYZE service_transaction")
        cursor.execute("VACUUM ANALYZE service_grant")
        # With a few thousand rows a sequential scan may honestly be cheapest, and the
        # plan would then say nothing about the indexes. Switching sequential scans off
        # asks the planner to find another way, which shows whether each half of the
        # breach condition is able to use its partial index at all (a partial index is
        # only usable when the query implies its WHERE clause).
        cursor.execute("SET enable_seqscan = off")
        try:
            query = selectors.breached(user("supervisor"), now=glasgow(2026, 6, 10, 12, 0))
            plan = query.explain()
        finally:
            cursor.execute("RESET enable_seqscan")
    # One bitmap scan per half, OR-ed together, not a scan of all that is running.
    assert "Bitmap Index Scan on transaction_response_breach" in plan, plan
    assert "Bitmap Index Scan on transaction_resolution_breach" in plan, plan
    assert "BitmapOr" in plan, plan


# --- what the customer is told: the same calendar and the same arithmetic ----------------


def test_the_support_hours_are_the_default_calendar_in_words(people: None) -> None:
    # Monday 21 December 2026: Christmas Day (Friday), Boxing Day observed (Monday 28th)
    # and New Year's Day fall in the fortnight ahead; Boxing Day itself is a Saturday,
    # no working day to close, and 2 January's holiday is after the fortnight.
    monday = glasgow(2026, 12, 21, 10, 0)
    told = sla.support_hours(now=monday)
    assert told.text == "Monday–Friday 09:00–17:30 (UK time), except public holidays"
    assert told.closures == [
        (date(2026, 12, 25), "Christmas Day"),
        (date(2026, 12, 28), "Boxing Day (observed)"),
        (date(2027, 1, 1), "New Year's Day"),
    ]
    calendar = BusinessCalendar.objects.get(is_default=True)
    calendar.closures.create(date=date(2026, 12, 24), reason="Christmas Eve")
    calendar.opens, calendar.closes, calendar.workdays = time(8, 0), time(18, 0), "012345"
    calendar.save()
    told = sla.support_hours(now=monday)
    assert told.text == "Monday–Saturday 08:00–18:00 (UK time), except public holidays"
    assert (date(2026, 12, 24), "Christmas Eve") in told.closures


@pytest.mark.parametrize("code", ["P1", "P2", "P3", "P4"])
def test_the_promised_due_times_are_the_ones_stored(people: None, code: str) -> None:
    # Tuesday 9 June 2026 08:15, before the desk opens: P1's 30 minutes run from 09:00.
    at = glasgow(2026, 6, 9, 8, 15)
    promised = {p.priority.code: p.due for p in sla.promises(now=at)}
    assert list(promised) == ["P1", "P2", "P3", "P4"]
    stored = fresh(log_issue(at, code))
    assert promised[code] == sla.DueTimes(
        respond_by=stored.response_due_at, resolve_by=stored.resolution_due_at
    )
    if code == "P1":
        assert promised[code].respond_by == glasgow(2026, 6, 9, 9, 30)


def test_a_request_without_a_priority_gets_the_default_priority(people: None) -> None:
    default = sla.default_priority()
    assert default is not None
    assert default.code == "P4"  # "not sure" is judged by a person, not an emergency
    with clock(glasgow(2026, 6, 9, 10, 0)):
        logged = actions.create_transaction(
            actor=user("customer"),
            application=Application.objects.get(code="service-issue"),
            title="What does alarm A03 mean?",
            profile=PROFILE,
        )
    assert logged.priority == default
