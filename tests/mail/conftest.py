"""A real SMTP server for the mail tests: aiosmtpd on 127.0.0.1 and a free port, keeping
every envelope it accepts (the SMTP sender and recipients, and the message parsed as a
mail client would). While it runs, Portico's mailer sends to it."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.test.utils import override_settings


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage


@dataclass
class SmtpServer:
    port: int
    received: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content
        assert isinstance(content, bytes)
        message = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.received.append(
                Received(
                    mail_from=str(envelope.mail_from),
                    rcpt_tos=tuple(str(a) for a in envelope.rcpt_tos),
                    message=message,
                )
            )
        return "250 2.0.0 Accepted"

    def to(self, address: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if address in r.rcpt_tos]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(port=_free_port())
    controller = Controller(server, hostname="127.0.0.1", port=server.port)
    controller.start()
    mailer = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 10},
    }
    try:
        with override_settings(MAILERS={"default": mailer}):
            yield server
    finally:
        controller.stop()
