"""`portico worker` (issue 20, "A real worker"): the periodic jobs' schedule, and the
crash test of the issue's "Done when" — of two workers side by side, one killed with
SIGKILL mid-dispatch and the other mid-delivery, a third started in their place: every
event dispatched exactly once (one notice per recipient, one webhook delivery per
event), every e-mail and every webhook delivery received at least once under its own
key (Message-ID, X-Portico-Delivery), none lost, every row marked sent."""

from __future__ import annotations

import datetime
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from bench.server import BIN, ROOT, portico_env
from django.test.utils import override_settings
from django.utils import timezone

from portico.events import periodic
from portico.events.models import PeriodicRun
from portico.notify import delivery
from portico.service import actions
from portico.service.models import Note
from portico.webhooks import services as webhooks
from tests.console.test_lists import create, individual, user
from tests.events.shared_database import SharedDatabase
from tests.notify.mailbox import Mailbox
from tests.webhooks.conftest import Receiver, admin, serving

# --- the schedule -----------------------------------------------------------------------


def test_every_app_registers_its_periodic_jobs_in_its_tasks_module() -> None:
    jobs = periodic.discover()
    assert {
        "events.sweep",
        "notify.outbox",
        "events.task_results_retention",
        "api.idempotency_keys_retention",
        "login.expired_sessions_retention",
    } <= set(jobs)
    assert jobs["events.sweep"].every <= datetime.timedelta(seconds=10)
    assert jobs["notify.outbox"].every <= datetime.timedelta(seconds=10)


def test_a_run_is_claimed_by_one_worker_and_falls_due_again_after_its_interval(db: None) -> None:
    job = periodic.Periodic("test.job", datetime.timedelta(seconds=30), lambda: None)
    now = timezone.now()
    # Two workers, at the same moment: one gets the run.
    taken = [periodic.claim(job, worker_id=w, now=now) for w in ("a", "b")]
    assert taken == [True, False]
    row = PeriodicRun.objects.get(name="test.job")
    assert (row.last_worker, row.next_run_at) == ("a", now + job.every)
    later = now + datetime.timedelta(seconds=29)
    assert not periodic.claim(job, worker_id="b", now=later)
    later = now + datetime.timedelta(seconds=30)
    assert [periodic.claim(job, worker_id=w, now=later) for w in ("b", "a")] == [True, False]
    # A worker that read the row before another moved it on takes nothing.
    stale = PeriodicRun.objects.get(name="test.job").next_run_at - job.every
    assert (
        PeriodicRun.objects.filter(name="test.job", next_run_at=stale).update(next_run_at=later)
        == 0
    )
    # An interval shortened in the code takes effect at once, not after the old one.
    shorter = periodic.Periodic("test.job", datetime.timedelta(seconds=5), lambda: None)
    assert periodic.claim(shorter, worker_id="a", now=later + datetime.timedelta(seconds=1))


def test_a_failing_job_is_kept_on_its_row_and_does_not_stop_the_others(db: None) -> None:
    def broken() -> None:
        raise RuntimeError("the disk is full")

    job = periodic.Periodic("test.broken", datetime.timedelta(minutes=1), broken)
    assert periodic.claim(job, worker_id="a", now=timezone.now())
    outcome = periodic.run(job)
    assert outcome.error == "RuntimeError: the disk is full"
    row = PeriodicRun.objects.get(name="test.broken")
    assert row.last_error == "RuntimeError: the disk is full"
    assert row.last_finished_at is not None
    fine = periodic.Periodic("test.fine", datetime.timedelta(minutes=1), lambda: 3)
    assert periodic.claim(fine, worker_id="a", now=timezone.now())
    assert periodic.run(fine).result == 3


# --- killed and restarted ---------------------------------------------------------------

ISSUES = 20  # each: created, assigned, noted by the customer -> 3 notices
LEASE = 2  # seconds before a killed worker's claimed outbox rows are taken by another


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    # A slow mail server: the worker spends most of its sending time waiting on it, so
    # a kill lands mid-conversation as often as not.
    box = Mailbox(delay=0.03).start()
    yield box
    box.stop()


def _worker(
    shared: SharedDatabase, box: Mailbox, tmp_path: Path, n: int
) -> subprocess.Popen[bytes]:
    env = portico_env(
        PYTHONPATH=str(ROOT / "src"),
        DATABASE_URL=shared.url,
        PORTICO_VAR_DIR=str(tmp_path / "var"),
        SECRET_KEY="worker-test-not-secret",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(box.port),
        EMAIL_TIMEOUT="10",
        PORTICO_OUTBOX_LEASE_SECONDS=str(LEASE),
        PORTICO_WEBHOOK_LEASE_SECONDS=str(LEASE),
    )
    with (tmp_path / f"worker-{n}.log").open("wb") as log:
        return subprocess.Popen(
            [BIN / "portico", "worker", "--interval", "0.2", "--worker-id", f"test-{n}"],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip


def _kill_when(
    process: subprocess.Popen[bytes], ready: Callable[[], bool], log: Path, timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serving() as state:
        yield state


@pytest.mark.slow
def test_a_worker_killed_mid_way_loses_nothing_and_repeats_no_notice(
    transactional_db: None,
    demo_people: None,
    tmp_path: Path,
    mailbox: Mailbox,
    receiver: Receiver,
) -> None:
    started = time.monotonic()
    # An integration subscribed to everything, behind a slow endpoint.
    receiver.delay = 0.03
    hook = webhooks.create_subscription(owner=admin(), url=receiver.url, events=["*"])
    # Recorded with no wake-up queued: only the worker's sweep can find these events.
    with override_settings(PORTICO_WAKE_WORKER=False):
        for i in range(ISSUES):
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
    shared = SharedDatabase(tmp_path)
    undispatched = "SELECT count(*) FROM audit_event WHERE dispatched_at IS NULL"
    events = shared.value(undispatched)
    assert events >= 3 * ISSUES  # created (acknowledged), assigned, noted
    assert shared.value("SELECT count(*) FROM notify_notification") == 0

    # Two workers side by side, as in production; the first is killed in the middle of
    # dispatching (some events done, not all), and a third started in its place…
    first, second = (_worker(shared, mailbox, tmp_path, n) for n in (1, 2))
    _kill_when(
        first, lambda: shared.value(undispatched) < events * 2 // 3, tmp_path / "worker-1.log"
    )
    left = shared.value(undispatched)
    third = _worker(shared, mailbox, tmp_path, 3)
    # …then the second in the middle of sending.
    _kill_when(second, lambda: len(mailbox.received) >= ISSUES, tmp_path / "worker-2.log")
    unsent = shared.value("SELECT count(*) FROM notify_delivery WHERE sent_at IS NULL")
    hooked = len(receiver.received)
    # The third finishes (the killed ones' claimed rows once their lease has lapsed) and
    # stops cleanly on SIGTERM.
    deadline = time.monotonic() + 90
    unfinished = (
        "SELECT (SELECT count(*) FROM notify_delivery WHERE sent_at IS NULL)"
        " + (SELECT count(*) FROM webhooks_delivery WHERE succeeded_at IS NULL)"
    )
    while shared.value(undispatched) or shared.value(unfinished):
        assert third.poll() is None, (tmp_path / "worker-3.log").read_text()
        assert time.monotonic() < deadline, (tmp_path / "worker-3.log").read_text()
        time.sleep(0.1)
    third.send_signal(signal.SIGTERM)
    assert third.wait(timeout=15) == 0, (tmp_path / "worker-3.log").read_text()

    # Every event dispatched, each once: one notice a recipient an event, no repeat.
    notices = shared.rows(
        "SELECT recipient_id, transaction_id, kind, text FROM notify_notification"
    )
    assert len(notices) == 3 * ISSUES
    assert len(set(notices)) == len(notices), "a notice written twice"
    # One outbox row a notice (every demo recipient has an address), and one for each
    # request's acknowledgement to its customer (portico.mail), each sent…
    rows = shared.rows("SELECT key, sent_at IS NOT NULL, attempts FROM notify_delivery")
    keys = {key for key, _, _ in rows}
    # The demo's birthday card goes too, once, if the workers' greetings job found the
    # day begun (09:00) in its reader's time zone.
    cards = shared.value(
        "SELECT count(*) FROM notify_delivery WHERE kind IN ('birthday', 'anniversary')"
    )
    assert cards <= 1
    assert len(rows) == len(keys) == len(notices) + ISSUES + cards
    assert all(sent for _, sent, _ in rows), "every delivery is marked sent"
    # …and received at least once, under its own key and Message-ID: none lost, none
    # invented, and a repeat (a message sent but not marked before the kill) is
    # recognisable as the same delivery.
    received = mailbox.by_key()
    assert set(received) == keys
    assert {r.message_id for r in mailbox.received} == {delivery.message_id(k) for k in keys}
    # Every event reached the integration: one delivery each (a second row for an event
    # would be a second id), received at least once over HTTP, always under its own id,
    # correctly signed. Only the newest 50 rows a subscription are kept once sent.
    # The events include those the automation rules recorded while dispatching (who
    # they told): the integration is subscribed to everything.
    got = [r.headers["X-Portico-Delivery"] for r in receiver.received]
    ids = set(got)
    assert len(ids) == shared.value("SELECT count(*) FROM audit_event") > events
    kept = shared.rows("SELECT delivery_id, succeeded_at IS NOT NULL FROM webhooks_delivery")
    assert all(done for _, done in kept), "every kept delivery is marked sent"
    assert {str(uuid.UUID(str(delivery_id))) for delivery_id, _ in kept} <= ids
    assert all(r.signed_with(hook.secret) for r in receiver.received)
    # The hourly jobs never ran twice between the three workers (each run is claimed by
    # one). A worker killed after claiming one and before finishing it leaves that run
    # to the job's next time, an hour on: the jobs are idempotent, so a skipped run
    # costs nothing, and a run done twice would be the bug.
    logs = "".join((tmp_path / f"worker-{n}.log").read_text() for n in (1, 2, 3))
    for name in ("events.task_results_retention", "api.idempotency_keys_retention"):
        claimed_by = shared.value(
            "SELECT last_worker FROM events_periodicrun WHERE name = %s", (name,)
        )
        assert claimed_by in {"test-1", "test-2", "test-3"}, f"{name} was never claimed"
        assert logs.count(f"periodic {name} done") <= 1, logs
    print(
        f"\nworker crash: {events} events ({left} undispatched after the 1st kill), "
        f"{len(keys)} e-mails ({unsent} unsent after the 2nd kill); SMTP received "
        f"{sum(received.values())} messages, {len(received)} distinct keys; webhooks "
        f"{len(got)} requests for {len(ids)} deliveries ({hooked} received by the 2nd kill); "
        f"{time.monotonic() - started:.1f} s"
    )
