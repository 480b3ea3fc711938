"""Side effects exactly once (issue "Reliability proof", item 2; issue 20, the outbox on
the worker).

An action writes its event and nothing else; the worker dispatches the event, writing
each notice and the outbox row (Delivery) for its e-mail in one transaction, once. The
rows are sent to a real SMTP server on 127.0.0.1 — quickly by a task queued after that
commit, and in any case by the worker's outbox sweep. A deliverer killed with SIGKILL
between "sent" and "marked sent" sends that message again when restarted, and the
receiver, counting by the delivery key the message carries as its Message-ID, has each
exactly once and none missing. A mail server that refuses for a while gets the messages
after retries."""

from __future__ import annotations

import datetime
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from bench.server import ROOT, portico_env
from django.core import mail
from django.db import transaction
from django.test.utils import override_settings
from django_tasks_db.models import DBTaskResult

from portico.audit.models import Event
from portico.events import dispatch
from portico.mail.models import ApplicationMail
from portico.notify import delivery, tasks
from portico.notify.models import Delivery, Notification
from portico.service import actions
from portico.service.models import Application, Note, Transaction
from tests.console.test_lists import create, individual, user
from tests.events.shared_database import SharedDatabase
from tests.notify.crashing import KILL_AFTER
from tests.notify.mailbox import Mailbox

LEASE = 1.0  # seconds: how long a killed deliverer's claim keeps its rows from others

Worker = Callable[[], int]


SWITCHES = ("acknowledgement", "note", "waiting", "resolved", "closed", "thanks")


def staff_notices_only() -> None:
    """These tests count the staff's notices and their e-mails: the messages customers
    are sent about the same transactions (tests/mail/) are switched off here."""
    ApplicationMail.objects.bulk_create(
        ApplicationMail(application=application, **dict.fromkeys(SWITCHES, False))
        for application in Application.objects.all()
    )


@pytest.fixture
def people(demo_people: None) -> None:
    """The demo people (tests/conftest.py), and no customer mail."""
    staff_notices_only()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox().start()
    yield box
    box.stop()


def noted(count: int) -> list[Transaction]:
    """`count` issues logged by the CSR, each assigned to the technician (a notice to
    him and one to his supervisor) and then noted by the customer (a notice to the
    technician): three events that notify, three notices and e-mails each, once the
    worker has dispatched them."""
    made = []
    for i in range(count):
        issue = create(f"Dosing pump {i} alarm")
        actions.assign(
            actor=user("supervisor"), transaction=issue, assignees=[individual("technician")]
        )
        actions.add_note(
            actor=user("customer"),
            transaction=issue,
            body=f"Still alarming ({i}).",
            visibility=Note.Visibility.SHARED,
            channel="web",
        )
        made.append(issue)
    return made


# --- (a) the action writes the event; the worker writes notices and rows, once ----------


def test_the_worker_writes_each_notice_and_outbox_row_once(people: None, worker: Worker) -> None:
    (issue,) = noted(1)
    notices = Notification.objects.filter(transaction=issue)
    rows = Delivery.objects.filter(notification__transaction=issue)
    # The action wrote its events only; nothing has been told yet.
    assert Event.objects.filter(dispatched_at=None, action="note.added").exists()
    assert not notices.exists()
    assert not rows.exists()

    waiting = dispatch.pending()
    assert waiting >= 2  # assigned, noted
    assert worker() == waiting
    assert notices.count() == 3
    assert sorted((d.address, d.subject) for d in rows) == sorted(
        (n.recipient.email, n.text) for n in notices
    )
    for row in rows:
        assert row.sent_at is None
        assert row.attempts == 0
        assert f"/console/transactions/{issue.number}/" in row.body
    assert len({row.key for row in rows}) == 3
    assert not Event.objects.filter(dispatched_at=None).exists()

    # The worker again (a second worker, a sweep after a lost wake-up): nothing more.
    assert worker() == 0
    assert (notices.count(), rows.count()) == (3, 3)


def test_a_change_rolled_back_leaves_no_event_for_the_worker(people: None, worker: Worker) -> None:
    (issue,) = noted(1)
    worker()
    before = (Note.objects.count(), Notification.objects.count(), Delivery.objects.count())

    # The customer's next note, in a transaction that fails after it: the note and its
    # event go together, so the worker has nothing to tell anyone.
    def note_then_fail() -> None:
        with transaction.atomic():
            actions.add_note(
                actor=user("customer"),
                transaction=issue,
                body="Any news?",
                visibility=Note.Visibility.SHARED,
                channel="web",
            )
            raise RuntimeError("the disk is full")

    with pytest.raises(RuntimeError, match="disk is full"):
        note_then_fail()
    assert worker() == 0
    after = (Note.objects.count(), Notification.objects.count(), Delivery.objects.count())
    assert after == before


def test_after_the_dispatch_commits_the_emails_go_with_their_keys(
    people: None, worker: Worker, mailbox: Mailbox, django_capture_on_commit_callbacks: Any
) -> None:
    issue = create("Sensor pack offline")
    actions.assign(
        actor=user("supervisor"), transaction=issue, assignees=[individual("technician")]
    )
    with django_capture_on_commit_callbacks(execute=True):
        worker()
    rows = {d.key: d for d in Delivery.objects.filter(notification__transaction=issue)}
    assert len(rows) == 2  # the technician's notice, his supervisor's
    # The quick path: a task queued for the rows each notice wrote…
    queued = [
        r.args_kwargs["kwargs"]
        for r in DBTaskResult.objects.filter(task_path="portico.notify.tasks.deliver")
    ]
    assert sorted(pk for kwargs in queued for pk in kwargs["ids"]) == sorted(
        d.pk for d in rows.values()
    )
    with override_settings(MAILERS={"default": mailbox.mailer()}):
        assert sum(tasks.deliver.call(**kwargs) for kwargs in queued) == 2
        # …and the sweep behind it finds nothing left to send.
        assert tasks.sweep_outbox() == 0
    assert mailbox.by_key() == Counter(dict.fromkeys(rows, 1))
    for message in mailbox.received:
        assert message.message_id == f"<{message.key}@portico.example>"
        assert message.to == (rows[message.key].address,)
    assert not delivery.pending().exists()
    assert all(d.attempts == 1 for d in Delivery.objects.all())


def test_the_outbox_sweep_sends_what_no_task_was_queued_for(
    people: None, worker: Worker, mailbox: Mailbox
) -> None:
    noted(2)
    worker()  # no commit here, so no task was queued: only the sweep can send them
    keys = set(Delivery.objects.values_list("key", flat=True))
    assert len(keys) == 6
    with override_settings(MAILERS={"default": mailbox.mailer()}):
        assert tasks.sweep_outbox() == 6
        assert tasks.sweep_outbox() == 0
    assert mailbox.by_key() == Counter(dict.fromkeys(keys, 1))


def test_a_title_with_line_breaks_is_still_mailed(people: None, worker: Worker) -> None:
    # Titles are one line now (service/rules.py), but a row written before that rule may
    # still hold line breaks, and a mail header may not carry them.
    issue = create("Pump alarm")
    Transaction.objects.filter(pk=issue.pk).update(
        title="Pump alarm\r\nBcc: someone@elsewhere.example"
    )
    issue.refresh_from_db()
    actions.assign(
        actor=user("supervisor"), transaction=issue, assignees=[individual("technician")]
    )
    worker()
    delivery.sweep()
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert "Pump alarm Bcc: someone@elsewhere.example" in message.subject
        assert message.message()["Bcc"] is None
    assert not delivery.pending().exists()


# --- (c) a mail server in trouble: retries with backoff, then delivered ----------------


def test_backoff_doubles_up_to_an_hour() -> None:
    second = datetime.timedelta(seconds=1)
    assert [delivery.backoff(n, second).total_seconds() for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert delivery.backoff(500, second) == datetime.timedelta(hours=1)


def test_a_failing_mail_server_gets_every_email_after_retries(people: None, worker: Worker) -> None:
    noted(2)
    worker()
    keys = set(Delivery.objects.values_list("key", flat=True))
    base = datetime.timedelta(milliseconds=300)
    # Nobody listening yet: the first attempt of each is refused at connect.
    box = Mailbox(refuse_first=1)
    with override_settings(MAILERS={"default": box.mailer()}):
        first = delivery.deliver(base=base)
        assert (first.sent, first.failed) == (0, len(keys))
        assert {d.last_error.split(":")[0] for d in delivery.pending()} == {
            "ConnectionRefusedError"
        }
        # Not due again until the backoff has passed.
        assert delivery.deliver(base=base).claimed == 0
        box.start()
        try:
            passes = 0
            while delivery.pending().exists() and passes < 100:
                passes += 1
                time.sleep(0.05)
                delivery.deliver(base=base)
        finally:
            box.stop()
    assert not delivery.pending().exists()
    # The second attempt met "451 try again", the third got through.
    assert box.refused == len(keys)
    assert box.by_key() == Counter(dict.fromkeys(keys, 1))
    for row in Delivery.objects.all():
        assert row.attempts == 3
        assert "451" in row.last_error
        assert row.sent_at is not None


# --- (b) a deliverer killed between "sent" and "marked sent" --------------------------


def outbox_rows(shared: SharedDatabase) -> list[tuple[str, bool, int]]:
    """(key, sent, attempts) of every delivery, as the deliverer processes see them."""
    return [
        (str(k), bool(sent), int(a))
        for k, sent, a in shared.rows(
            "SELECT key, sent_at IS NOT NULL, attempts FROM notify_delivery ORDER BY id"
        )
    ]


def deliverer(
    outbox: SharedDatabase,
    box: Mailbox,
    tmp_path: Path,
    *,
    kill_after: int | None = None,
    lease: float = 60.0,
) -> subprocess.Popen[str]:
    env = portico_env(
        DJANGO_SETTINGS_MODULE="tests.notify.crashing_settings",
        PYTHONPATH=str(ROOT),
        DATABASE_URL=outbox.url,
        PORTICO_VAR_DIR=str(tmp_path / "var"),
        SECRET_KEY="outbox-test-not-secret",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(box.port),
        EMAIL_TIMEOUT="10",
        PORTICO_LOG_LEVEL="ERROR",
    )
    env.pop(KILL_AFTER, None)
    if kill_after is not None:
        env[KILL_AFTER] = str(kill_after)
    return subprocess.Popen(
        [sys.executable, "-m", "portico", "deliver", "--once", "--batch", "8",
         "--lease", str(lease), "--backoff", "0.2"],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def finished(process: subprocess.Popen[str]) -> tuple[int, str]:
    try:
        output, _ = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return process.returncode, output


def test_a_deliverer_killed_after_sending_sends_each_email_once_and_loses_none(
    transactional_db: None, demo_people: None, tmp_path: Path, mailbox: Mailbox, worker: Worker
) -> None:
    staff_notices_only()
    noted(12)
    worker()
    notices = Notification.objects.count()
    outbox = SharedDatabase(tmp_path)
    keys = {key for key, _, _ in outbox_rows(outbox)}
    assert len(keys) == notices == 36

    # Killed right after the mail server accepted its 5th message, then, restarted,
    # after its 9th: each time that message is sent but not marked, and the rest of
    # its claimed batch is held until the lease lapses.
    for kill_after in (5, 9):
        killed = deliverer(outbox, mailbox, tmp_path, kill_after=kill_after, lease=LEASE)
        code, output = finished(killed)
        assert code == -signal.SIGKILL, output
        time.sleep(LEASE + 0.2)
    # Then two deliverers side by side finish the rest: they claim different rows (and
    # hold them for a minute, longer than they take), so they add no repeat.
    for process in [deliverer(outbox, mailbox, tmp_path) for _ in range(2)]:
        code, output = finished(process)
        assert code == 0, output

    rows = outbox_rows(outbox)
    assert all(sent for _, sent, _ in rows), "every delivery is marked sent"
    received = mailbox.by_key()
    raw, distinct = sum(received.values()), len(received)
    print(
        f"\noutbox: {notices} notifications, {len(rows)} deliveries; SMTP received"
        f" {raw} messages (raw), {distinct} distinct delivery keys; 2 deliverers killed,"
        " then 2 side by side"
    )
    assert set(received) == keys, "none lost, none invented"
    # The two killed mid-delivery went twice on the wire (same key, same Message-ID)…
    twice = {key for key, count in received.items() if count == 2}
    assert len(twice) == 2
    assert raw == notices + 2
    assert max(received.values()) == 2
    # …and were claimed twice, as was the rest of each killed deliverer's batch (held
    # until its lease lapsed, then sent once by the next); counted by key, each arrived
    # exactly once.
    retried = {key for key, _, attempts in rows if attempts > 1}
    assert twice <= retried
    assert all(received[key] == 1 for key in retried - twice)
    assert {r.message_id for r in mailbox.received} == {delivery.message_id(key) for key in keys}
