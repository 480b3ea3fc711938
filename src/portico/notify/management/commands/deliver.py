import datetime
import signal
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from portico.notify import delivery


class Command(BaseCommand):
    # `portico worker` sends the outbox (its notify.outbox sweep); this is the same
    # pass by hand, for draining it once or with a lease and backoff of one's choosing.
    help = (
        "Send the outbox now: e-mails of notifications not yet sent, retrying failures"
        " with backoff (the worker does this by itself). Runs until stopped (SIGTERM or"
        " Ctrl-C end it after the current message), or with --once until nothing is due."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Send what is due now, then stop.")
        parser.add_argument("--batch", type=int, default=delivery.BATCH, help="Rows per claim.")
        parser.add_argument(
            "--interval", type=float, default=2.0, help="Seconds to wait when nothing is due."
        )
        parser.add_argument(
            "--lease",
            type=float,
            default=delivery.LEASE.total_seconds(),
            help="Seconds a claim lasts; a deliverer that dies gives its rows up after it.",
        )
        parser.add_argument(
            "--backoff",
            type=float,
            default=delivery.BACKOFF.total_seconds(),
            help="Seconds before the first retry of a failed send; doubled each time.",
        )

    def handle(
        self,
        *args: Any,
        once: bool,
        batch: int,
        interval: float,
        lease: float,
        backoff: float,
        **options: Any,
    ) -> None:
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        sent = failed = 0
        while not stopping:
            done = delivery.deliver(
                limit=batch,
                lease=datetime.timedelta(seconds=lease),
                base=datetime.timedelta(seconds=backoff),
            )
            sent += done.sent
            failed += done.failed
            # Go on at once while sending works; when nothing was due, or nothing
            # could be sent (the mail server is down), stop or wait. So --once ends
            # even when every send fails.
            if done.sent:
                continue
            if once:
                break
            # A long-lived process: drop connections the database may have closed.
            close_old_connections()
            # Sleep in short steps so a signal is answered promptly.
            deadline = time.monotonic() + interval
            while not stopping and time.monotonic() < deadline:
                time.sleep(min(0.2, interval))
        self.stdout.write(f"Sent {sent}, failed {failed} (to be retried).")
