"""`portico mailin --imap`: fetching new mail from mailboxes kept on an IMAP server.

Each message not yet seen is fetched without marking it (BODY.PEEK), handed to
`receive`, and only then marked \\Seen; one whose processing failed is left unseen for
the next poll. A crash between the two is harmless: the next poll hands the message
again and its Message-ID makes it a repeat."""

from __future__ import annotations

import ipaddress
import logging
import os
import ssl

from django.utils import timezone
from imapclient import IMAPClient  # type: ignore[import-untyped]
from imapclient.imapclient import SEEN  # type: ignore[import-untyped]

from portico.mail import inbound
from portico.mail.models import Inbound, Mailbox

log = logging.getLogger(__name__)


def pollable() -> list[Mailbox]:
    return list(Mailbox.objects.filter(active=True).exclude(imap_host="").order_by("pk"))


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _connect(mailbox: Mailbox) -> IMAPClient:
    security = mailbox.imap_security
    if security == Mailbox.Security.NONE and not _loopback(mailbox.imap_host):
        # A password in the clear crosses no network.
        raise ValueError("IMAP without TLS is allowed only to this machine (127.0.0.1).")
    context = ssl.create_default_context()
    client = IMAPClient(
        mailbox.imap_host,
        port=mailbox.imap_port,
        ssl=security == Mailbox.Security.TLS,
        ssl_context=context if security == Mailbox.Security.TLS else None,
        timeout=30,
    )
    if security == Mailbox.Security.STARTTLS:
        client.starttls(context)
    variable = mailbox.imap_password_variable
    if variable and variable not in os.environ:
        client.logout()
        raise ValueError(f"The environment variable {variable} (the IMAP password) is not set.")
    client.login(mailbox.imap_username, os.environ.get(variable, "") if variable else "")
    return client


def poll(mailbox: Mailbox) -> list[Inbound]:
    """One pass over one mailbox. Records when it was polled and the error, if any."""
    received: list[Inbound] = []
    error = ""
    try:
        client = _connect(mailbox)
        try:
            client.select_folder(mailbox.imap_folder)
            for uid in client.search(["UNSEEN"]):
                fetched = client.fetch([uid], ["BODY.PEEK[]"]).get(uid, {})
                raw = fetched.get(b"BODY[]")
                if not isinstance(raw, bytes):
                    continue
                message = inbound.receive(raw, via=Inbound.Via.IMAP, envelope_to=[mailbox.address])
                received.append(message)
                if not inbound.failed(message) or _given_up(message):
                    client.add_flags([uid], [SEEN])
        finally:
            try:
                client.logout()
            except Exception:
                log.debug("IMAP logout failed", exc_info=True)
    except Exception as failure:
        log.warning("IMAP poll of %s failed: %s", mailbox, failure)
        error = f"{type(failure).__name__}: {failure}"
    Mailbox.objects.filter(pk=mailbox.pk).update(
        last_polled_at=timezone.now(), last_poll_error=error[:2000]
    )
    return received


# A message whose processing fails this often is marked seen all the same: the staff
# have its failed records (with the raw message) in Systems Admin, and a message that
# always fails would otherwise be tried, and recorded, at every poll for ever.
GIVE_UP_AFTER = 5


def _given_up(message: Inbound) -> bool:
    if not message.message_id:
        return True
    failures = Inbound.objects.filter(
        message_id=message.message_id,
        mailbox=message.mailbox,
        outcome=Inbound.Outcome.REFUSED,
        reason__startswith=inbound.FAILED,
    ).count()
    return failures >= GIVE_UP_AFTER


def poll_all() -> list[Inbound]:
    received: list[Inbound] = []
    for mailbox in pollable():
        received += poll(mailbox)
    return received
