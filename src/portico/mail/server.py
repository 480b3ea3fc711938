"""`portico mailin`'s SMTP and LMTP server (aiosmtpd), for an MTA to relay to.

It takes mail only for our own addresses (a mailbox, its plus-addresses, the VERP bounce
address): anything else is refused at RCPT with 550, so it is no open relay. A message
is answered 250 only once `receive` has committed its record and outcome, so an
acknowledged message is never lost; an unexpected failure is answered 451 and the MTA
tries again; one over the size limit is refused at DATA with 552 (aiosmtpd's limit).
The ORM is synchronous: `receive` runs in a small pool of threads beside the event loop.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from email.utils import parseaddr
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.db import close_old_connections, connections

from portico.mail import addresses, inbound
from portico.mail.models import Inbound, Mailbox

log = logging.getLogger(__name__)


def accepts(address: str) -> bool:
    """Whether mail to this address is ours to take."""
    address = parseaddr(address)[1].lower()
    local, _, host = address.partition("@")
    if not host:
        return False
    if addresses.parse_bounce_address(address):
        return True
    base = f"{local.partition('+')[0]}@{host}"
    return Mailbox.objects.filter(active=True, address__iexact=base).exists()


def _in_thread(function: Any, *args: Any, **kwargs: Any) -> Any:
    close_old_connections()
    try:
        return function(*args, **kwargs)
    finally:
        # Each job gives its connection back: a pool thread may sit idle for hours, and
        # a stopped server must leave no session open on the database.
        connections.close_all()


class Handler:
    def __init__(self, *, lmtp: bool, executor: ThreadPoolExecutor) -> None:
        self.lmtp = lmtp
        self.executor = executor

    async def _run(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self.executor, lambda: _in_thread(function, *args, **kwargs)
        )

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        try:
            ours = await self._run(accepts, address)
        except Exception:
            log.exception("Mail-in could not check recipient %s", address)
            return "451 4.3.0 Cannot check the recipient now; try again later"
        if not ours:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content
        raw = content if isinstance(content, bytes) else str(content or "").encode()
        try:
            received: Inbound | None = await self._run(
                inbound.receive,
                raw,
                via=Inbound.Via.LMTP if self.lmtp else Inbound.Via.SMTP,
                envelope_from=envelope.mail_from or "<>",
                envelope_to=list(envelope.rcpt_tos),
            )
        except Exception:
            log.exception("Mail-in could not record a message")
            received = None
        if received is None or inbound.failed(received):
            status = "451 4.3.0 The message could not be processed now; try again later"
        else:
            status = f"250 2.0.0 Received ({received.get_outcome_display()})"
        # LMTP answers DATA once per recipient; the message was decided once for all.
        count = len(envelope.rcpt_tos) if self.lmtp else 1
        return "\r\n".join([status] * max(count, 1))


class MailinController(Controller):
    """aiosmtpd's threaded controller, serving SMTP or LMTP with our size limit."""

    def __init__(self, *, host: str, port: int, lmtp: bool, workers: int = 2) -> None:
        self.lmtp = lmtp
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mailin")
        super().__init__(
            Handler(lmtp=lmtp, executor=self.executor),
            hostname=host,
            port=port,
            data_size_limit=inbound.message_limit(),
        )

    def factory(self) -> SMTP:
        server_class = LMTP if self.lmtp else SMTP
        return server_class(self.handler, **self.SMTP_kwargs)

    def stop(self, no_assert: bool = False) -> None:
        super().stop(no_assert=no_assert)
        self.executor.shutdown(wait=True)
