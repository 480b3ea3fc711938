"""portico mailin: take mail in. Serves SMTP (or LMTP) for an MTA to relay to, or polls
the mailboxes kept on IMAP servers (--imap)."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from portico.mail import imap
from portico.mail.server import MailinController

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Take mail in: serve SMTP/LMTP for an MTA, or poll IMAP mailboxes (--imap)."

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Set to stop: by SIGTERM/SIGINT, or by whoever runs the command in a thread.
        self.stop = threading.Event()

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--lmtp", action="store_true", help="Serve LMTP instead of SMTP.")
        parser.add_argument("--host", default=None, help="Default: PORTICO_MAILIN_HOST.")
        parser.add_argument("--port", type=int, default=None, help="Default: PORTICO_MAILIN_PORT.")
        parser.add_argument(
            "--imap", action="store_true", help="Poll the mailboxes with an IMAP host instead."
        )
        parser.add_argument("--once", action="store_true", help="With --imap: one pass, then stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = self.stop

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()

        # Signals reach the main thread only (a test runs the command in another).
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, on_signal)
        if options["imap"]:
            self._poll(stop, once=options["once"])
        else:
            self._serve(stop, options)

    def _serve(self, stop: threading.Event, options: dict[str, Any]) -> None:
        # aiosmtpd logs every command of every session (addresses included) at INFO:
        # noise in a log read for what went wrong.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        host = options["host"] or settings.PORTICO_MAILIN_HOST
        port = options["port"] if options["port"] is not None else settings.PORTICO_MAILIN_PORT
        lmtp = bool(options["lmtp"])
        controller = MailinController(host=host, port=port, lmtp=lmtp)
        controller.start()
        self.stdout.write(f"Mail-in ({'LMTP' if lmtp else 'SMTP'}) on {host}:{port}")
        self.stdout.flush()
        try:
            while not stop.wait(0.5):
                pass
        finally:
            controller.stop()

    def _poll(self, stop: threading.Event, *, once: bool) -> None:
        mailboxes = imap.pollable()
        self.stdout.write(
            f"Mail-in (IMAP) polling {len(mailboxes)} mailbox(es)"
            + ("" if once else f" every {settings.PORTICO_IMAP_POLL_SECONDS:g} s")
        )
        self.stdout.flush()
        while True:
            try:
                for message in imap.poll_all():
                    self.stdout.write(f"{message.from_address}: {message.get_outcome_display()}")
            except Exception:
                if once:
                    raise
                log.exception("Mail-in: an IMAP pass failed; trying again at the next")
            if once or stop.wait(settings.PORTICO_IMAP_POLL_SECONDS):
                return
            # A long-running poller outlives database connections: each pass after the
            # first starts with a sound one (as Django does between requests).
            close_old_connections()
