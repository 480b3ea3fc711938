"""The addresses Portico writes from and is written to.

Every message to a customer about a transaction comes From its application's mailbox
with Reply-To a plus-address of that mailbox naming the transaction and a token
(support+SI-000123.k3j9x2mq7d@…). The token is a keyed hash of the number: a reply to
it finds its transaction even when the subject was edited, and nobody can make up the
reply address of a transaction they were never written about. Bounces come back to
the envelope sender, bounces+<delivery key>@… (VERP), which names the message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from email.utils import formataddr, parseaddr

from django.conf import settings

from portico.mail.models import Mailbox
from portico.service.models import Application

TOKEN_LENGTH = 10
_REPLY = re.compile(r"^(?P<base>[^+@]+)\+(?P<number>[A-Za-z0-9-]+)\.(?P<token>[a-z2-7]+)$")
_BOUNCE = re.compile(r"^bounces\+(?P<key>[0-9a-f]{32})$")


def reply_token(number: str, key: str | None = None) -> str:
    digest = hmac.new(
        (key or settings.SECRET_KEY).encode(),
        b"portico.mail.reply:" + number.upper().encode(),
        hashlib.sha256,
    ).digest()
    return base64.b32encode(digest).decode().lower()[:TOKEN_LENGTH]


def domain() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "portico.invalid"


def mailbox_for(application: Application) -> Mailbox | None:
    return Mailbox.objects.filter(application=application, active=True).order_by("pk").first()


def from_address(mailbox: Mailbox | None) -> str:
    """The From of a message about a transaction: its mailbox, else the site's sender."""
    if mailbox is None:
        return settings.DEFAULT_FROM_EMAIL
    name = parseaddr(settings.DEFAULT_FROM_EMAIL)[0] or "Portico"
    return formataddr((f"{name} {mailbox.name}".strip(), mailbox.address))


def reply_address(number: str, mailbox: Mailbox | None) -> str:
    base = mailbox.address if mailbox is not None else parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    local, _, host = base.partition("@")
    return f"{local}+{number}.{reply_token(number)}@{host}"


def parse_reply_address(address: str) -> tuple[str, str] | None:
    """(mailbox address, transaction number) if `address` is a genuine reply address;
    None for anything else, including a reply address whose token does not match."""
    local, _, host = parseaddr(address)[1].partition("@")
    match = _REPLY.match(local)
    if match is None or not host:
        return None
    number = match["number"].upper()
    # A key retired by a rotation (SECRET_KEY_FALLBACKS) still opens the reply
    # addresses of the mail sent before it: customers answer old messages.
    keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    if not any(hmac.compare_digest(match["token"], reply_token(number, key)) for key in keys):
        return None
    return f"{match['base']}@{host}".lower(), number


def bounce_address(key: str) -> str:
    """The envelope sender of a delivery: a bounce to it names the delivery (VERP)."""
    return f"bounces+{key}@{domain()}"


def parse_bounce_address(address: str) -> str | None:
    """The delivery key a VERP bounce address names, or None."""
    local, _, host = parseaddr(address)[1].partition("@")
    match = _BOUNCE.match(local.lower())
    return match["key"] if match and host.lower() == domain().lower() else None
