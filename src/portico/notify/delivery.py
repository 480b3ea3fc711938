"""Sending what the outbox holds (portico.notify.models.Delivery).

A deliverer claims due rows for a while (a lease), sends each, and marks it sent. Any
number of deliverers may run: on PostgreSQL they claim with SELECT … FOR UPDATE SKIP
LOCKED, so each takes rows no other is taking; everywhere the claim is also a
conditional UPDATE (only rows still unsent and unclaimed), which is what serialises
them on SQLite. A deliverer that dies holding rows lets the lease lapse and another
takes them. A send that fails is tried again later, backing off; nothing is dropped.

Delivery is at least once (a deliverer killed after sending and before marking sends
again) and, through the row's key carried as the Message-ID, once for the receiver.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from portico.events import retry
from portico.notify.models import Delivery

log = logging.getLogger(__name__)

BATCH = 20
# How a row the deliverer skipped (a suppressed address) begins its last_error: the
# campaigns count these apart from the messages that went.
NOT_SENT = "Not sent:"
# Longer than a batch takes to send (each message has EMAIL_TIMEOUT, 30 s by default,
# and most take milliseconds), so a live deliverer's rows are not taken from it; a dead
# one's wait this long for another (PORTICO_OUTBOX_LEASE_SECONDS, 5 minutes).
LEASE = datetime.timedelta(seconds=settings.PORTICO_OUTBOX_LEASE_SECONDS)
BACKOFF = datetime.timedelta(seconds=30)
MAX_BACKOFF = datetime.timedelta(hours=1)


@dataclass
class Pass:
    """What one pass of the deliverer did."""

    sent: int = 0
    failed: int = 0
    skipped: int = 0  # not to be sent after all (portico.mail: a suppressed address)

    @property
    def claimed(self) -> int:
        return self.sent + self.failed + self.skipped


def message_id(key: str) -> str:
    """The Message-ID every attempt of a delivery carries: the same each time."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "portico.invalid"
    return f"<{key}@{domain}>"


def _unclaimed(now: datetime.datetime) -> Q:
    return Q(sent_at__isnull=True, due_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def claim(
    *, limit: int = BATCH, lease: datetime.timedelta = LEASE, ids: Iterable[int] | None = None
) -> tuple[str, list[Delivery]]:
    """Take up to `limit` due rows (of `ids`, if given) for `lease`, oldest first, and
    count the attempt. Returns the claim's token and the rows."""
    now = timezone.now()
    token = uuid.uuid4().hex
    with transaction.atomic():
        due: QuerySet[Delivery] = Delivery.objects.filter(_unclaimed(now))
        if ids is not None:
            due = due.filter(pk__in=list(ids))
        # SKIP LOCKED: two deliverers on PostgreSQL take different rows instead of
        # queueing behind each other. SQLite has no row locks (the statement is ignored
        # there); its writers are serialised by the database lock, and the conditional
        # UPDATE below refuses a row another deliverer took in between.
        picked = list(
            due.select_for_update(skip_locked=True)
            .order_by("due_at", "id")
            .values_list("pk", flat=True)[:limit]
        )
        if not picked:
            return token, []
        Delivery.objects.filter(_unclaimed(now), pk__in=picked).update(
            claimed_by=token, claimed_until=now + lease, attempts=F("attempts") + 1
        )
    return token, list(
        Delivery.objects.filter(claimed_by=token, sent_at__isnull=True).order_by("due_at", "id")
    )


def email_for(delivery: Delivery) -> EmailMessage:
    headers = {"Message-ID": message_id(delivery.key), "X-Portico-Delivery": delivery.key}
    if not delivery.kind:
        # A staff notice: plain text from the site's address.
        return EmailMessage(
            subject=delivery.subject,
            body=delivery.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[delivery.address],
            headers=headers,
        )
    # A message to a customer (portico.mail.outbound): Django sends `from_email` as the
    # SMTP envelope sender (here the VERP bounce address) and a From header, if given,
    # as the From readers see (the mailbox).
    message = EmailMultiAlternatives(
        subject=delivery.subject,
        body=delivery.body,
        from_email=delivery.sender or settings.DEFAULT_FROM_EMAIL,
        to=[delivery.address],
        cc=list(delivery.cc),
        reply_to=[delivery.reply_to] if delivery.reply_to else None,
        headers={
            **delivery.headers,
            **headers,
            **({"From": delivery.from_header} if delivery.from_header else {}),
        },
    )
    if delivery.html:
        message.attach_alternative(delivery.html, "text/html")
    for attachment in delivery.attachments.filter(deleted_at__isnull=True):
        with attachment.file.open("rb") as data:
            message.attach(attachment.name, data.read(), attachment.content_type)
    for made in delivery.files.order_by("pk"):
        message.attach(made.name, bytes(made.data), made.content_type)
    return message


def send(delivery: Delivery) -> None:
    """Hand one delivery to the mail server; raises if it was not accepted."""
    if delivery.channel != Delivery.Channel.EMAIL:
        raise ValueError(f"No way to send a {delivery.channel} delivery yet.")
    # One connection a message: a failure cannot leave a broken connection for the next.
    if mailers.default.send_messages([email_for(delivery)]) != 1:
        raise RuntimeError("The mail backend did not accept the message.")


def _suppressed_since(delivery: Delivery) -> str:
    """Why a customer message is not to be sent after all: its address was suppressed
    (repeated hard bounces) after it was written. Empty: send it. Copies to suppressed
    addresses are dropped from it instead."""
    if not delivery.kind:
        return ""
    # Imported here: the outbox serves staff notices too, without the mail app's tables.
    from portico.mail.models import Address

    wanted = {delivery.address.lower(), *(a.lower() for a in delivery.cc)}
    stopped = set(
        Address.objects.filter(address__in=wanted, suppressed_at__isnull=False).values_list(
            "address", flat=True
        )
    )
    if delivery.address.lower() in stopped:
        return f"{NOT_SENT} {delivery.address} is suppressed after hard bounces."
    delivery.cc = [a for a in delivery.cc if a.lower() not in stopped]
    return ""


def _count_sent(delivery: Delivery) -> None:
    if not delivery.kind:
        return
    from portico.mail.models import Address

    for address in {delivery.address.lower(), *(a.lower() for a in delivery.cc)}:
        Address.objects.get_or_create(address=address)
        Address.objects.filter(address=address).update(sent=F("sent") + 1)


def mark_skipped(delivery: Delivery, reason: str) -> None:
    # Done, not retried: nothing will make the address good but a person clearing it.
    Delivery.objects.filter(pk=delivery.pk, sent_at__isnull=True).update(
        sent_at=timezone.now(), claimed_until=None, last_error=reason
    )


def mark_sent(delivery: Delivery) -> None:
    # Whoever holds the claim now: the message has gone, so the row is done.
    Delivery.objects.filter(pk=delivery.pk, sent_at__isnull=True).update(
        sent_at=timezone.now(), claimed_until=None
    )


def backoff(attempts: int, base: datetime.timedelta = BACKOFF) -> datetime.timedelta:
    """base, 2×base, 4×base… after the 1st, 2nd, 3rd failed attempt, at most an hour."""
    return retry.backoff(attempts, base=base, cap=MAX_BACKOFF)


def mark_failed(
    delivery: Delivery, token: str, error: BaseException, *, base: datetime.timedelta = BACKOFF
) -> None:
    Delivery.objects.filter(pk=delivery.pk, claimed_by=token, sent_at__isnull=True).update(
        due_at=timezone.now() + backoff(delivery.attempts, base),
        claimed_until=None,
        last_error=f"{type(error).__name__}: {error}"[:2000],
    )


def deliver(
    *,
    limit: int = BATCH,
    lease: datetime.timedelta = LEASE,
    base: datetime.timedelta = BACKOFF,
    ids: Iterable[int] | None = None,
) -> Pass:
    """One pass: claim up to `limit` due deliveries, send each, mark it sent (or due
    again later, if the send failed)."""
    token, rows = claim(limit=limit, lease=lease, ids=ids)
    done = Pass()
    for delivery in rows:
        if reason := _suppressed_since(delivery):
            mark_skipped(delivery, reason)
            done.skipped += 1
            continue
        try:
            send(delivery)
        except Exception as error:  # a mail server's refusal, a timeout, a reset…
            log.warning(
                "delivery %s failed (attempt %d): %s", delivery.key, delivery.attempts, error
            )
            mark_failed(delivery, token, error, base=base)
            done.failed += 1
            continue
        mark_sent(delivery)
        _count_sent(delivery)
        done.sent += 1
    return done


def sweep(*, limit: int = BATCH) -> Pass:
    """Pass after pass until a pass claims nothing: every due delivery is tried once
    (a failed one is due again only after its backoff, so the sweep ends even when the
    mail server is down)."""
    total = Pass()
    while (done := deliver(limit=limit)).claimed:
        total.sent += done.sent
        total.failed += done.failed
        total.skipped += done.skipped
    return total


def pending() -> QuerySet[Delivery]:
    return Delivery.objects.filter(sent_at__isnull=True)
