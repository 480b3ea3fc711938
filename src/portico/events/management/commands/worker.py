import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portico.events.worker import Worker, default_worker_id


class Command(BaseCommand):
    help = (
        "Run background work: the tasks queued in the database (event dispatch, e-mail)"
        " and the periodic jobs (sweeps, retention). Runs until SIGTERM or Ctrl-C, which"
        " stop it after the job in hand; start as many as you like, on any machine."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait when nothing is due or ready (default 1).",
        )
        parser.add_argument(
            "--once",
            "--batch",
            action="store_true",
            dest="once",
            help="Run what is due and ready now, then exit (for cron and tests).",
        )
        parser.add_argument(
            "--worker-id",
            default=None,
            help="A name unique among the running workers (default: host:pid).",
        )

    def handle(
        self, *args: Any, interval: float, once: bool, worker_id: str | None, **options: Any
    ) -> None:
        if interval < 0:
            raise CommandError("--interval must be zero or more.")
        if worker_id is not None and not 0 < len(worker_id) <= 64:
            raise CommandError("--worker-id must be 1 to 64 characters.")
        # One line a job comes from portico.worker; the queue library's own lines (its
        # "started"/"finished" pair per task, "no more tasks" every round) are noise here.
        # Its warnings (a signal received) and errors (a task failed) still show.
        for name in ("django_tasks_db", "django.tasks"):
            logging.getLogger(name).setLevel(logging.WARNING)
        worker = Worker(interval=interval, once=once, worker_id=worker_id or default_worker_id())
        worker.configure_signals()
        worker.serve()
