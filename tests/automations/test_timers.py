"""The time rules (issue 22): "a time-rule test moves a clock (not sleep) across a P1
breach and sees the escalation chain in order, once each, also with two workers
running"; a request waiting on the customer is reminded, then closed; a resolved one
closes when its reopen period ends. The clock is the `now` the worker's run is given."""

from __future__ import annotations

import datetime
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from bench.server import ROOT, portico_env
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portico.access import setup
from portico.audit.models import Event
from portico.automations import actions as automation_actions
from portico.automations import engine, tasks, timers
from portico.automations.models import Action, Failure, Firing, Rule
from portico.events import periodic
from portico.mail.models import Kind as MailKind
from portico.notify import delivery as deliverer
from portico.notify.models import Delivery, Notification
from portico.parties.models import Individual
from portico.service import actions
from portico.service.models import Application, Note, Status, Transaction
from tests.console.test_lists import create, individual, user
from tests.events.shared_database import SharedDatabase
from tests.mail import conftest as mail
from tests.mail.conftest import SmtpServer

# The real SMTP receiver of the mail tests, as a fixture here too.
smtp_server = mail.smtp_server

MINUTE = datetime.timedelta(minutes=1)
DAY = datetime.timedelta(days=1)


def p1(title: str = "Pumping station offline") -> Transaction:
    """A P1 service issue, assigned to the technician (whose supervisor is Morag)."""
    t = create(title, priority="P1")
    actions.assign(actor=user("supervisor"), transaction=t, assignees=[individual("technician")])
    t.refresh_from_db()
    return t


def due_in(t: Transaction, response: datetime.datetime) -> datetime.datetime:
    # The due times are business hours from creation; the test sets its own clock. The
    # resolution is made due days later, out of the way of the response's chain.
    Transaction.objects.filter(pk=t.pk).update(
        response_due_at=response, resolution_due_at=response + 3 * DAY
    )
    return response


def escalations(t: Transaction) -> list[tuple[str, set[str]]]:
    """The escalation notices about `t`, in the order written: (text, recipients)."""
    chain: list[tuple[str, set[str]]] = []
    for notice in Notification.objects.filter(
        transaction=t, kind=Notification.Kind.ESCALATED
    ).order_by("id"):
        if chain and chain[-1][0] == notice.text:
            chain[-1][1].add(notice.recipient.name)
        else:
            chain.append((notice.text, {notice.recipient.name}))
    return chain


def team_of(t: Transaction) -> set[str]:
    assert t.team_id is not None
    return {p.name for p in Individual.objects.filter(organization_id=t.team_id, active=True)}


def expected_chain(t: Transaction) -> list[tuple[str, set[str]]]:
    technician = individual("technician")
    assert technician.supervisor is not None
    words = f"{t.number} {t.title}"
    return [
        (f"Response due in 15 minutes: {words}", {technician.name}),
        (f"Response overdue: {words}", {technician.supervisor.name}),
        (f"Response 30 minutes overdue: {words}", team_of(t)),
    ]


# --- the P1 escalation chain -------------------------------------------------------------


def test_a_p1_escalates_to_the_assignee_then_the_supervisor_then_the_team_once_each(
    demo_people: None, smtp_server: SmtpServer
) -> None:
    t = p1()
    due = due_in(t, timezone.now() + datetime.timedelta(hours=1))
    chain = expected_chain(t)
    assert len(team_of(t)) >= 3  # a team, not one person
    steps = [
        (due - 20 * MINUTE, []),
        (due - 15 * MINUTE, chain[:1]),
        (due - MINUTE, chain[:1]),
        (due, chain[:2]),
        (due + 29 * MINUTE, chain[:2]),
        (due + 30 * MINUTE, chain),
        (due + 2 * DAY, chain),
    ]
    for now, seen in steps:
        timers.run(now=now)
        assert escalations(t) == seen, now - due
        # The worker looks every minute: looking again at the same moment repeats nothing.
        assert timers.run(now=now) == 0
        assert escalations(t) == seen
    # Each notice has its e-mail in the outbox, once.
    notices = Notification.objects.filter(transaction=t, kind=Notification.Kind.ESCALATED)
    mailed = Delivery.objects.filter(notification__in=notices)
    assert sorted(mailed.values_list("address", flat=True)) == sorted(
        n.recipient.email for n in notices if n.recipient.email
    )
    assert mailed.count() == notices.count() == sum(len(people) for _, people in chain)
    # …and reaches their mailboxes.
    assert deliverer.sweep().sent == mailed.count()
    supervisor = individual("technician").supervisor
    assert supervisor is not None
    got = [r.message["Subject"] for r in smtp_server.to(supervisor.email)]
    assert got == [text for text, people in chain if supervisor.name in people]
    assert chain[1][0] in got
    # The history names the rule as the one who acted.
    acted = Event.objects.filter(action="rule.acted", subject_id=t.pk).order_by("id")
    assert [e.actor_label for e in acted] == [
        "Rule “Escalate a response about to miss its service level”"
    ] * 3


def test_a_response_given_in_time_stops_the_chain(demo_people: None) -> None:
    t = p1()
    due = due_in(t, timezone.now() + datetime.timedelta(hours=1))
    timers.run(now=due - 15 * MINUTE)
    actions.add_note(
        actor=user("technician"),
        transaction=t,
        body="On my way to the site.",
        visibility=Note.Visibility.SHARED,
    )
    timers.run(now=due + DAY)
    assert escalations(t) == expected_chain(t)[:1]


def test_while_waiting_on_the_customer_nothing_is_overdue(demo_people: None) -> None:
    t = p1()
    due = due_in(t, timezone.now() + datetime.timedelta(hours=1))
    waiting = Status.objects.get(application=t.application, code="waiting")
    actions.change_status(actor=user("technician"), transaction=t, status=waiting)
    timers.run(now=due + 10 * MINUTE)
    assert escalations(t) == []


def test_a_moment_older_than_the_window_is_left_alone(demo_people: None) -> None:
    t = p1()
    due = due_in(t, timezone.now() - timers.WINDOW - DAY)
    Transaction.objects.filter(pk=t.pk).update(resolution_due_at=None)  # the response's only
    assert timers.run(now=timezone.now()) == 0
    assert escalations(t) == []
    assert timers.run(now=due + 30 * MINUTE) == 3


def test_a_run_asks_as_many_queries_however_many_transactions_are_watched(
    demo_people: None,
) -> None:
    due = timezone.now() + datetime.timedelta(hours=1)

    def quiet_run() -> int:
        # At a moment with all fired already: only the questions, no actions.
        with CaptureQueriesContext(connection) as queries:
            assert timers.run(now=due + DAY) == 0
        return len(queries)

    due_in(p1("First"), due)
    timers.run(now=due + DAY)
    one = quiet_run()
    for n in range(4):
        due_in(p1(f"Another {n}"), due)
    assert timers.run(now=due + DAY) == 4 * 3
    assert quiet_run() == one


def test_the_worker_runs_the_time_rules_every_minute() -> None:
    job = periodic.discover()["automations.timers"]
    assert job.every == MINUTE
    assert job.function is tasks.run_time_rules


# --- two workers -------------------------------------------------------------------------


@pytest.mark.slow
def test_with_two_workers_running_each_step_fires_once(
    transactional_db: None, demo_people: None, tmp_path: Path
) -> None:
    t = p1()
    due = due_in(t, timezone.now() + datetime.timedelta(hours=1))
    chain = expected_chain(t)
    moments = [due - 20 * MINUTE, due - 15 * MINUTE, due, due + 30 * MINUTE, due + 31 * MINUTE]
    shared = SharedDatabase(tmp_path)
    gate = tmp_path / "gate"
    gate.mkdir()
    env = portico_env(
        PYTHONPATH=f"{ROOT / 'src'}:{ROOT}",
        DATABASE_URL=shared.url,
        PORTICO_VAR_DIR=str(tmp_path / "var"),
        SECRET_KEY="timers-test-not-secret",
        PORTICO_WAKE_WORKER="0",
    )
    racers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.automations.racer",
                name,
                str(gate),
                *(m.isoformat() for m in moments),
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    fired = [0] * len(moments)
    for racer in racers:
        out, err = racer.communicate(timeout=120)
        assert racer.returncode == 0, err
        for line in out.splitlines():
            step, count = map(int, line.split())
            fired[step] += count
    # Of the two, one fired each step's action; neither fired it twice.
    assert fired == [0, 1, 1, 1, 0]
    rows = shared.rows(
        "SELECT n.text, i.first_name || ' ' || i.last_name FROM notify_notification n"
        " JOIN parties_individual i ON i.id = n.recipient_id"
        " WHERE n.transaction_id = %s AND n.kind = 'escalated' ORDER BY n.id",
        (t.pk,),
    )
    seen: list[tuple[str, set[str]]] = []
    for text, name in rows:
        if seen and seen[-1][0] == text:
            seen[-1][1].add(name)
        else:
            seen.append((text, {name}))
    assert seen == chain
    assert shared.value(
        "SELECT count(*) FROM notify_delivery d JOIN notify_notification n"
        " ON n.id = d.notification_id WHERE n.transaction_id = %s",
        (t.pk,),
    ) == len(rows)
    assert shared.value("SELECT count(*) FROM automations_firing") == 3


# --- waiting on the customer ---------------------------------------------------------------


def test_waiting_on_the_customer_a_reminder_after_3_days_then_closed_after_7(
    demo_people: None, worker: Callable[[], int], smtp_server: SmtpServer
) -> None:
    t = create("Dosing pump alarm", priority="P3")
    waiting = Status.objects.get(application=t.application, code="waiting")
    actions.change_status(actor=user("technician"), transaction=t, status=waiting)
    worker()  # the acknowledgement and "we are waiting on you", as on any day
    t.refresh_from_db()
    began = t.sla_paused_at
    assert began is not None
    # The clock: the wait began long enough ago for every step below.
    began = timezone.now() - 7 * DAY - MINUTE
    Transaction.objects.filter(pk=t.pk).update(sla_paused_at=began)
    mails = Delivery.objects.filter(transaction=t)
    before = set(mails.values_list("pk", flat=True))
    deliverer.sweep()
    sent_before = len(smtp_server.received)

    def new_mail() -> list[tuple[str, str]]:
        return list(mails.exclude(pk__in=before).order_by("id").values_list("kind", "address"))

    customer = t.requester
    assert customer is not None
    assert timers.run(now=began + 3 * DAY - MINUTE) == 0
    assert timers.run(now=began + 3 * DAY) == 1
    worker()
    assert new_mail() == [(MailKind.REMINDER, customer.email)]
    reminder = mails.get(kind=MailKind.REMINDER)
    assert "We asked you for something 7 days ago" in reminder.body  # days since it began
    assert timers.run(now=began + 3 * DAY + MINUTE) == 0
    assert timers.run(now=began + 7 * DAY - MINUTE) == 0
    assert new_mail() == [(MailKind.REMINDER, customer.email)]

    assert timers.run(now=began + 7 * DAY) == 1
    worker()  # the status change's rules: the customer is told it is closed
    t.refresh_from_db()
    assert t.status.code == "closed"
    assert t.closed_at is not None
    assert t.sla_paused_at is None  # the wait is over
    note = Note.objects.filter(transaction=t).latest("id")
    assert note.visibility == Note.Visibility.SHARED
    assert note.body.startswith("Closed: we have not heard back in 7 days.")
    assert new_mail() == [
        (MailKind.REMINDER, customer.email),
        (MailKind.CLOSED, customer.email),
    ]
    closed = mails.get(kind=MailKind.CLOSED)
    assert "we have not heard back in 7 days" in closed.body  # the why, in the one message
    assert timers.run(now=began + 8 * DAY) == 0
    worker()
    assert len(new_mail()) == 2
    # The customer's mailbox gets the two, in order.
    assert deliverer.sweep().sent == 2
    got = [r.message["Subject"] for r in smtp_server.received[sent_before:]]
    assert got == [
        f"[{t.number}] Still waiting for your reply: {t.title}",
        f"[{t.number}] Closed: {t.title}",
    ]
    # The history says which rule closed it.
    moved = Event.objects.filter(action="transaction.status_changed", subject_id=t.pk).latest("id")
    assert moved.actor_label == "Rule “Remind a customer we are waiting on, then close”"
    assert moved.data["status"] == {"before": "Waiting on customer", "after": "Closed"}


def test_a_customer_who_replies_is_not_reminded(demo_people: None) -> None:
    t = create("Dosing pump alarm", priority="P3")
    waiting = Status.objects.get(application=t.application, code="waiting")
    actions.change_status(actor=user("technician"), transaction=t, status=waiting)
    began = timezone.now() - 3 * DAY - MINUTE
    Transaction.objects.filter(pk=t.pk).update(sla_paused_at=began)
    actions.add_note(actor=user("customer"), transaction=t, body="Here it is.", visibility="shared")
    assert timers.run(now=began + 7 * DAY) == 0
    t.refresh_from_db()
    assert t.status.category == Status.Category.OPEN


# --- resolved ----------------------------------------------------------------------------


def resolved(title: str) -> Transaction:
    t = create(title, priority="P3")
    done = Status.objects.get(application=t.application, code="resolved")
    actions.change_status(
        actor=user("technician"), transaction=t, status=done, resolution="Replaced the fuse."
    )
    t.refresh_from_db()
    return t


def test_a_resolved_request_closes_when_its_reopen_period_ends_not_before(
    demo_people: None,
) -> None:
    t = resolved("Controller reboots")
    assert t.application.reopen_days == 14
    at = t.resolved_at
    assert at is not None
    assert timers.run(now=at + 14 * DAY - MINUTE) == 0
    t.refresh_from_db()
    assert t.status.code == "resolved"
    # Still open to reopening to the last minute of the period (status.reopen_deadline).
    assert timers.run(now=at + 14 * DAY) == 1
    t.refresh_from_db()
    assert t.status.code == "closed"
    assert t.resolution == "Replaced the fuse."  # the default rule adds no words of its own
    assert t.resolved_at == at  # closing keeps the moment it was resolved


def test_an_application_without_a_reopen_period_never_closes_by_time(demo_people: None) -> None:
    Application.objects.filter(code="service-issue").update(reopen_days=0)
    setup.forget()  # update() sends no signal to forget the kept applications
    t = resolved("Controller reboots")
    assert t.resolved_at is not None
    assert timers.run(now=t.resolved_at + 6 * DAY) == 0
    t.refresh_from_db()
    assert t.status.code == "resolved"


# --- switched off, failing -----------------------------------------------------------------


def test_a_rule_switched_off_does_nothing(demo_people: None) -> None:
    Rule.objects.filter(code="response-escalation").update(active=False)
    t = p1()
    due = due_in(t, timezone.now() + datetime.timedelta(hours=1))
    assert timers.run(now=due + DAY) == 0
    assert escalations(t) == []
    assert not Firing.objects.exists()


def test_a_rule_whose_conditions_do_not_hold_does_nothing(demo_people: None) -> None:
    rule = Rule.objects.get(code="response-escalation")
    rule.conditions.create(field="application", operator="is", value="complaint")
    t = p1()
    due = due_in(t, timezone.now() + datetime.timedelta(hours=1))
    assert timers.run(now=due + DAY) == 0
    assert escalations(t) == []


def test_a_failing_action_is_kept_as_a_failure_and_retried(
    demo_people: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    t = p1()
    due = due_in(t, timezone.now() + datetime.timedelta(hours=1))
    first = Action.objects.get(rule__code="response-escalation", after_minutes=-15)
    real = automation_actions.RUN[Action.Kind.NOTIFY]

    def broken(action: Action, context: object, actor: object) -> None:
        raise ConnectionError("the database of notices is away")

    monkeypatch.setitem(automation_actions.RUN, Action.Kind.NOTIFY, broken)
    assert timers.run(now=due - 15 * MINUTE) == 1
    failure = Failure.objects.get(action=first, transaction=t)
    assert failure.error == "ConnectionError: the database of notices is away"
    assert escalations(t) == []
    # The next minute's run does not fire it again: the retry has it.
    assert timers.run(now=due - 14 * MINUTE) == 0
    assert Failure.objects.count() == 1

    monkeypatch.setitem(automation_actions.RUN, Action.Kind.NOTIFY, real)
    assert engine.retry_failures(now=failure.next_try_at) == 1
    assert escalations(t) == expected_chain(t)[:1]
    failure.refresh_from_db()
    assert failure.done_at is not None


def test_a_failed_reminder_is_not_retried_once_the_customer_has_replied(
    demo_people: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    t = create("Dosing pump alarm", priority="P3")
    waiting = Status.objects.get(application=t.application, code="waiting")
    actions.change_status(actor=user("technician"), transaction=t, status=waiting)
    began = timezone.now() - 3 * DAY - MINUTE
    Transaction.objects.filter(pk=t.pk).update(sla_paused_at=began)

    def broken(action: Action, context: object, actor: object) -> None:
        raise ConnectionError("the outbox is away")

    monkeypatch.setitem(automation_actions.RUN, Action.Kind.EMAIL_CUSTOMER, broken)
    assert timers.run(now=began + 3 * DAY) == 1
    monkeypatch.undo()
    failure = Failure.objects.get(transaction=t)
    actions.add_note(actor=user("customer"), transaction=t, body="Here it is.", visibility="shared")
    assert engine.retry_failures(now=failure.next_try_at) == 0
    failure.refresh_from_db()
    assert failure.done_at is not None
    assert not Delivery.objects.filter(transaction=t, kind=MailKind.REMINDER).exists()


# --- closing -------------------------------------------------------------------------------


def test_a_flow_with_no_one_closed_status_is_not_closed_by_a_rule(demo_people: None) -> None:
    sale = create("Forty sensor packs", application="sales-opportunity", priority=None)
    assert actions.closing_status(sale) is None  # won or lost: a person decides
    closing = actions.closing_status(create("Dosing pump alarm"))
    assert closing is not None
    assert closing.code == "closed"


def test_a_sale_waiting_on_the_customer_is_neither_reminded_nor_closed(demo_people: None) -> None:
    sale = create(
        "Forty sensor packs", application="sales-opportunity", priority=None, requester="Ewan"
    )
    for code in ("qualified", "proposal"):
        status = Status.objects.get(application=sale.application, code=code)
        actions.change_status(actor=user("csr"), transaction=sale, status=status)
    sale.refresh_from_db()
    assert sale.sla_paused_at is not None
    assert timers.run(now=sale.sla_paused_at + 8 * DAY) == 0
    assert not Failure.objects.exists()


def test_a_time_rules_action_must_say_when(db: None) -> None:
    rule = Rule.objects.get(code="response-escalation")
    action = Action(rule=rule, kind=Action.Kind.NOTIFY, target=Action.Target.ASSIGNEES)
    with pytest.raises(ValidationError) as caught:
        automation_actions.clean(action)
    assert "after_minutes" in caught.value.message_dict
    action.after_minutes = -15
    automation_actions.clean(action)
    # Blank on a resolved rule: the application's reopen period.
    closing = Action(rule=Rule.objects.get(code="close-resolved"), kind=Action.Kind.CLOSE)
    automation_actions.clean(closing)
    # An event rule's actions run when the event happens.
    now = Action(
        rule=Rule.objects.get(code="acknowledge"),
        kind=Action.Kind.EMAIL_CUSTOMER,
        mail_kind="acknowledgement",
        after_minutes=5,
    )
    with pytest.raises(ValidationError) as caught:
        automation_actions.clean(now)
    assert "after_minutes" in caught.value.message_dict
