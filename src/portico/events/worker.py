"""`portico worker`: Django Tasks from the database queue (django-tasks-db's worker) and,
in the same loop, the periodic jobs (portico.events.periodic).

Each round runs the jobs that are due, then the ready tasks (at most `ROUND_TASKS`, so
a busy queue does not starve the schedule), then sleeps if there was nothing to do.
Any number of workers may run, on any machine: the queue hands each task to one worker
(FOR UPDATE SKIP LOCKED on PostgreSQL, an exclusive transaction on SQLite) and a
periodic run is claimed with a conditional UPDATE. SIGTERM or SIGINT stops the worker
after the job in hand (a second one stops it at once).

What the queue does not do — retry, or take back a task from a worker that died — the
sweeps do: the rows Portico owns (undispatched events, unsent deliveries) are the truth,
and a periodic sweep finishes whatever a dead worker left.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import socket
import time
from types import FrameType
from typing import Any

from django.db import OperationalError, close_old_connections
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker as QueueWorker
from django_tasks_db.models import DBTaskResult

from portico.events import periodic

log = logging.getLogger("portico.worker")

ROUND_TASKS = 50


def default_worker_id() -> str:
    """host:pid, readable in the task rows and the periodic runs' last_worker."""
    return f"{socket.gethostname()}:{os.getpid()}"[-64:]


class Worker(QueueWorker):
    def __init__(
        self, *, interval: float = 1.0, once: bool = False, worker_id: str | None = None
    ) -> None:
        super().__init__(
            queue_names=["*"],
            interval=interval,
            # The queue worker's own loop runs one round's tasks and returns.
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id or default_worker_id(),
            excluded_queue_names=[],
        )
        self.once = once
        self.jobs = periodic.discover()
        self.sleeping = False

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        # The queue library exits from inside its signal handler whenever no task is in
        # hand, and that can be half way through claiming one (a COMMIT half sent): the
        # exit then fails on a connection still busy, and the worker dies with status 1.
        # So a first signal exits at once only while the worker sleeps; anywhere else it
        # stops the loop, which ends at its next look at `running`. A second signal is
        # the library's: stop now.
        if self.running and not self.sleeping:
            log.warning("received %s: stopping after this round", signal.strsignal(signum))
            self.running = False
            return
        super().shutdown(signum, frame)

    def _sleep(self, seconds: float) -> None:
        self.sleeping = True
        try:
            time.sleep(seconds)
        finally:
            self.sleeping = False

    def serve(self) -> None:
        """Run rounds until stopped (or, with `once`, until nothing is due or ready)."""
        log.info(
            "worker %s started: tasks from the database queue, periodic jobs %s",
            self.worker_id,
            ", ".join(f"{job.name} every {job.every}" for job in self.jobs.values()) or "none",
        )
        if not self.once and self.interval:
            # Workers started together do not all ask the database at the same moment.
            self._sleep(random.random() * self.interval)  # noqa: S311
        while self.running:
            close_old_connections()
            worked = self.run_periodic()
            worked += self.run_tasks()
            if worked or not self.running:
                continue
            if self.once:
                break
            # A signal exits at once while asleep (shutdown), so this is cut short.
            self._sleep(self.interval)
        log.info("worker %s stopped", self.worker_id)

    def run_periodic(self) -> int:
        ran = 0
        try:
            due = periodic.due(self.jobs, now=timezone.now())
        except OperationalError as error:
            # The database is away or locked for longer than its timeout: the jobs are
            # still due, so try again next round.
            log.warning("periodic jobs not read: %s", error)
            return 0
        for job, seen in due:
            if not self.running:
                break
            # A job in hand: a signal now stops the worker after it, not inside it.
            self.running_task = True
            try:
                if not periodic.take(job, seen=seen, worker_id=self.worker_id, now=timezone.now()):
                    continue  # another worker took it
                outcome = periodic.run(job)
            except OperationalError as error:
                log.warning("periodic job %s not run: %s", job.name, error)
                continue
            finally:
                self.running_task = False
            ran += 1
            log.info(
                "periodic %s %s in %.3fs%s",
                job.name,
                "failed" if outcome.error else "done",
                outcome.seconds,
                f": {outcome.error}" if outcome.error else f" ({outcome.result!r})",
            )
        return ran

    def run_tasks(self) -> int:
        before = self._run_tasks
        self.max_tasks = before + ROUND_TASKS
        self.run()
        return self._run_tasks - before

    def run_task(self, db_task_result: DBTaskResult[..., Any]) -> None:
        started = time.monotonic()
        super().run_task(db_task_result)
        log.info(
            "task %s %s in %.3fs",
            db_task_result.task_path,
            db_task_result.status.lower(),
            time.monotonic() - started,
        )
