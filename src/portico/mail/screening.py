"""Mail that must not be answered or believed: automatic mail and our own (the loops
two robots would make), and a DMARC failure as our own MTA reports it. Asked by mail-in
(portico.mail.inbound) before it acts on a message."""

from __future__ import annotations

import re
from email.utils import parseaddr

from django.conf import settings

from portico.mail import addresses, parsing
from portico.mail.models import Mailbox


def automatic(parsed: parsing.Parsed, envelope_from: str) -> str | None:
    """Why this is automatic mail or our own (never to be answered), or None."""
    auto = parsed.auto_submitted.partition(";")[0].strip()
    if auto and auto != "no":
        return f"Automatic mail (Auto-Submitted: {auto})"
    precedence = parsed.header("Precedence").strip().lower()
    if precedence in {"bulk", "junk", "auto_reply"}:
        return f"Automatic mail (Precedence: {precedence})"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autorespond-Reason"):
        if parsed.header(name):
            return f"An automatic reply ({name})"
    if envelope_from.strip() == "<>" or parsed.header("Return-Path").strip() == "<>":
        return "A message with no return address (null sender)"
    if _ours(parsed.from_address):
        return "Mail from Portico's own address"
    return None


def _ours(address: str) -> bool:
    if not address:
        return False
    local, _, host = address.partition("@")
    if addresses.parse_reply_address(address) or addresses.parse_bounce_address(address):
        return True
    own = {a.lower() for a in Mailbox.objects.values_list("address", flat=True)}
    own.add(parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower())
    return address in own or f"{local.partition('+')[0]}@{host}" in own


_DMARC_FAIL = re.compile(r"\bdmarc\s*=\s*fail\b", re.IGNORECASE)


def dmarc_failed(parsed: parsing.Parsed) -> bool:
    """DMARC failed, as our own MTA says: only an Authentication-Results header with its
    authserv-id counts (RFC 8601; the MTA removes any that claim its id on the way in),
    and of those only the first, the one it added. No id configured: none count."""
    ours = settings.PORTICO_MAIL_AUTHSERV_ID.strip().lower()
    if not ours:
        return False
    for value in parsed.header_all("Authentication-Results"):
        authserv = value.strip().split(";", 1)[0].split()
        if authserv and authserv[0].lower() == ours:
            return bool(_DMARC_FAIL.search(value))
    return False
