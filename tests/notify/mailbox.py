"""A real SMTP server for the outbox tests (aiosmtpd), on 127.0.0.1 and a free port,
that records each message it accepts by Message-ID and delivery key. It can refuse the
first tries of each message, as a mail server in trouble does (451, try again later),
and take its time over each (`delay`), as a slow one does. It stops when the test is
done, or by itself after `lifetime` seconds."""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from collections import Counter
from dataclasses import dataclass
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass(frozen=True)
class Received:
    message_id: str
    key: str
    to: tuple[str, ...]
    subject: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Mailbox:
    def __init__(
        self, *, refuse_first: int = 0, lifetime: float = 120.0, delay: float = 0.0
    ) -> None:
        self.port = free_port()
        self.refuse_first = refuse_first
        self.delay = delay
        self.received: list[Received] = []
        self.refused = 0
        self._tries: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._running = False
        self._timer = threading.Timer(lifetime, self.stop)
        self._timer.daemon = True

    def start(self) -> Mailbox:
        self._controller.start()
        self._running = True
        self._timer.start()
        return self

    def stop(self) -> None:
        with self._lock:
            if not self._running:
                return
            self._running = False
        self._timer.cancel()
        self._controller.stop()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        content = envelope.content
        assert isinstance(content, bytes)
        message: Message = email.message_from_bytes(content)
        key = str(message["X-Portico-Delivery"])
        with self._lock:
            self._tries[key] += 1
            if self._tries[key] <= self.refuse_first:
                self.refused += 1
                return "451 4.3.0 Mail server busy, try again later"
            self.received.append(
                Received(
                    message_id=str(message["Message-ID"]),
                    key=key,
                    to=tuple(str(a) for a in envelope.rcpt_tos),
                    subject=str(message["Subject"]),
                )
            )
        return "250 2.0.0 Accepted"

    def by_key(self) -> Counter[str]:
        with self._lock:
            return Counter(r.key for r in self.received)

    def mailer(self) -> dict[str, Any]:
        """A MAILERS entry that sends here."""
        return {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": 10},
        }
