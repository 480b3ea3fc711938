"""Side effects exactly once (issue "Reliability proof", item 2).

Every notice's e-mail is an outbox row (Delivery) written in the same database
transaction as the change that causes it, and rolled back with it. Deliverers send the
rows to a real SMTP server on 127.0.0.1; one killed with SIGKILL between "sent" and
"marked sent" sends that message again when restarted, and the receiver, counting by
the delivery key the message carries as its Message-ID, has each exactly once and none
missing. A mail server that refuses for a while gets the messages after retries."""

from __future__ import annotations

import datetime
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from bench.server import ROOT, portico_env
from django.core import mail
from django.db import connection, transaction
from django.test.utils import override_settings

from portico.audit import services as audit
from portico.notify import delivery
from portico.notify.models import Delivery, Notification
from portico.service import actions
from portico.service.models import Note, Transaction
from tests.console.test_lists import create, individual, user
from tests.notify.crashing import KILL_AFTER
from tests.notify.mailbox import Mailbox

LEASE = 1.0  # seconds: how long a killed deliverer's claim keeps its rows from others


@pytest.fixture
def people(demo_people: None) -> None:
    """The demo people (tests/conftest.py)."""


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox().start()
    yield box
    box.stop()


def dispatched(count: int) -> list[Transaction]:
    """`count` issues logged by the CSR, each assigned to the technician (a notice to
    him and one to his supervisor) and then noted by the customer (a notice to the
    technician): three notices, three e-mails each."""
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


# --- (a) written with the change, rolled back with it ----------------------------------


@override_settings(PORTICO_DELIVER_ON_COMMIT=False)
def test_the_outbox_row_is_written_and_rolled_back_with_the_change(
    people: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    (issue,) = dispatched(1)
    notices = Notification.objects.filter(transaction=issue)
    assert notices.count() == 3
    rows = Delivery.objects.filter(notification__transaction=issue)
    assert sorted((d.address, d.subject) for d in rows) == sorted(
        (n.recipient.email, n.text) for n in notices
    )
    for row in rows:
        assert row.sent_at is None
        assert row.attempts == 0
        assert f"/console/transactions/{issue.number}/" in row.body
    assert len({row.key for row in rows}) == 3

    # The customer's next note notifies the technician, then the service fails writing
    # its audit event: the note, the notice and the e-mail all go.
    before = (Note.objects.count(), Notification.objects.count(), Delivery.objects.count())
    record = audit.record

    def fail_on_note(**kwargs: Any) -> object:
        if kwargs["action"] == "note.added":
            assert Delivery.objects.count() == before[2] + 1, "notify ran in the transaction"
            raise RuntimeError("the disk is full")
        return record(**kwargs)

    monkeypatch.setattr(audit, "record", fail_on_note)
    with pytest.raises(RuntimeError, match="disk is full"):
        actions.add_note(
            actor=user("customer"),
            transaction=issue,
            body="Any news?",
            visibility=Note.Visibility.SHARED,
            channel="web",
        )
    after = (Note.objects.count(), Notification.objects.count(), Delivery.objects.count())
    assert after == before


def test_after_commit_a_task_sends_the_email_with_its_key(
    people: None, django_capture_on_commit_callbacks: Any
) -> None:
    issue = create("Sensor pack offline")

    def assign(*, fail: bool) -> None:
        with transaction.atomic():
            actions.assign(
                actor=user("supervisor"), transaction=issue, assignees=[individual("technician")]
            )
            if fail:
                raise RuntimeError("rolled back")

    # Rolled back: no task, no e-mail, no row.
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        assign(fail=True)
    assert callbacks == []
    assert mail.outbox == []
    assert not Delivery.objects.exists()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assign(fail=False)
    assert len(callbacks) == 2  # one task for each notice: the technician's, his supervisor's
    rows = {d.key: d for d in Delivery.objects.filter(notification__transaction=issue)}
    assert len(rows) == 2
    assert {m.extra_headers["X-Portico-Delivery"] for m in mail.outbox} == set(rows)
    for message in mail.outbox:
        key = message.extra_headers["X-Portico-Delivery"]
        assert message.extra_headers["Message-ID"] == f"<{key}@portico.example>"
        assert message.to == [rows[key].address]
        assert str(message.message()["Message-ID"]) == f"<{key}@portico.example>"
    assert not delivery.pending().exists()
    assert all(d.attempts == 1 for d in Delivery.objects.all())


def test_a_title_with_line_breaks_is_still_mailed(
    people: None, django_capture_on_commit_callbacks: Any
) -> None:
    # Titles are one line now (service/rules.py), but a row written before that rule may
    # still hold line breaks, and a mail header may not carry them.
    issue = create("Pump alarm")
    Transaction.objects.filter(pk=issue.pk).update(
        title="Pump alarm\r\nBcc: someone@elsewhere.example"
    )
    issue.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        actions.assign(
            actor=user("supervisor"), transaction=issue, assignees=[individual("technician")]
        )
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


@override_settings(PORTICO_DELIVER_ON_COMMIT=False)
def test_a_failing_mail_server_gets_every_email_after_retries(people: None) -> None:
    dispatched(2)
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


class Outbox:
    """The outbox the deliverer processes share with the test: on PostgreSQL the test
    database itself; on SQLite (whose test database lives in memory) a file copy."""

    def __init__(self, tmp_path: Path) -> None:
        self.sqlite: Path | None = None
        settings = connection.settings_dict
        if connection.vendor == "sqlite":
            self.sqlite = tmp_path / "outbox.sqlite3"
            connection.ensure_connection()
            with closing(sqlite3.connect(self.sqlite)) as copy:
                connection.connection.backup(copy)
            self.url = f"sqlite:///{self.sqlite}"
        else:
            self.url = (
                f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}"
                f"/{settings['NAME']}"
            )

    def rows(self) -> list[tuple[str, bool, int]]:
        """(key, sent, attempts) of every delivery."""
        sql = "SELECT key, sent_at IS NOT NULL, attempts FROM notify_delivery ORDER BY id"
        if self.sqlite is not None:
            with closing(sqlite3.connect(self.sqlite)) as db:
                return [(str(k), bool(s), int(a)) for k, s, a in db.execute(sql)]
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return [(str(k), bool(s), int(a)) for k, s, a in cursor.fetchall()]


def deliverer(
    outbox: Outbox,
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


@override_settings(PORTICO_DELIVER_ON_COMMIT=False)
def test_a_deliverer_killed_after_sending_sends_each_email_once_and_loses_none(
    transactional_db: None, demo_people: None, tmp_path: Path, mailbox: Mailbox
) -> None:
    dispatched(12)
    notices = Notification.objects.count()
    outbox = Outbox(tmp_path)
    keys = {key for key, _, _ in outbox.rows()}
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

    rows = outbox.rows()
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
