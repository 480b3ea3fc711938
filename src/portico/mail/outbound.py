"""Writing the messages customers are sent into the outbox (portico.notify.models.Delivery).

Called by the automation rules (portico.automations.actions) and mail-in's refusals,
in the worker's transaction that dispatches an event: the row is written with the
event's dispatch, once, and sent after that commit by the deliverer
(portico.notify.delivery), like every staff notice.

Every message about a transaction comes From its application's mailbox, with Reply-To a
per-transaction address (portico.mail.addresses), the number in brackets in the subject
and threading headers, so that a reply finds its transaction and a mail client shows
the conversation as one thread. Bounces come back to a VERP envelope sender that names
the delivery.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Mapping
from email.utils import parseaddr
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction as db
from django.urls import reverse
from django.utils import timezone

from portico.access import links
from portico.mail import addresses, templates
from portico.mail.models import Address, ApplicationMail, Inbound, Kind, Mailbox
from portico.notify.delivery import message_id
from portico.notify.models import Delivery, new_delivery_key
from portico.notify.services import _deliver_after_commit
from portico.parties.models import Individual, Portal
from portico.service.models import Note, Transaction

log = logging.getLogger(__name__)

UNSUBSCRIBE = "mail.unsubscribe"
UNSUBSCRIBE_AGE = datetime.timedelta(days=365)
# A References header names the thread's first message and the one answered; more would
# only grow with every message (RFC 5322 lets us shorten it, keeping the first).
_HEADER_LIMIT = 900
# What a person wrote is not automatic mail: a staff member's note goes without
# Auto-Submitted, so the customer's auto-responder may answer it as it would a person.
_WRITTEN_BY_A_PERSON = {Kind.NOTE}


def unsubscribe_link(person: Individual) -> str:
    token = links.make(person, UNSUBSCRIBE, age=UNSUBSCRIBE_AGE)
    return settings.PORTICO_SITE_URL + reverse("mail:unsubscribe", kwargs={"token": token})


def portal_link(person: Individual, transaction: Transaction) -> str:
    """The request's page in the portal the person uses (the console for staff)."""
    portal = person.user_group.portal
    if portal == Portal.CONSOLE:
        path = reverse("console:transaction", kwargs={"number": transaction.number})
    else:
        path = reverse(f"portal:{portal}-transaction", kwargs={"number": transaction.number})
    return settings.PORTICO_SITE_URL + path


def suppressed(emails: Iterable[str]) -> set[str]:
    """Those of `emails` (lower-cased) that Portico no longer writes to (hard bounces)."""
    lowered = {e.lower() for e in emails if e}
    if not lowered:
        return set()
    return set(
        Address.objects.filter(address__in=lowered, suppressed_at__isnull=False).values_list(
            "address", flat=True
        )
    )


def sends(transaction: Transaction, kind: str) -> bool:
    """The application's switch for this kind of message (no settings row: every kind)."""
    row = ApplicationMail.objects.filter(application_id=transaction.application_id).first()
    return row is None or row.sends(kind)


def _may_write(person: Individual, transaction: Transaction) -> bool:
    # A person who opted out still hears about their own requests (issue 21): those
    # are the messages they asked for by asking.
    if not person.active or not person.email:
        return False
    return person.mail_opted_out_at is None or person.pk == transaction.requester_id


def _thread(transaction: Transaction, parent: str | None) -> tuple[str, str]:
    """(In-Reply-To, References) for the next message about `transaction`: the latest
    message the customer sent us about it, else the last one we sent them."""
    inbound = Inbound.objects.filter(transaction=transaction).exclude(message_id="")
    sent = Delivery.objects.filter(transaction=transaction).exclude(kind="")
    if parent is not None:
        parent = _bracketed(parent)
    else:
        latest_in = inbound.order_by("-received_at", "-id").values_list("message_id", flat=True)
        latest_out = sent.order_by("-created_at", "-id").values_list("key", flat=True)
        newest = latest_in.first()
        key = latest_out.first()
        parent = _bracketed(newest) if newest else (message_id(key) if key else None)
    if not parent:
        return "", ""
    first_in = inbound.order_by("received_at", "id").values_list("message_id", "received_at")
    first_out = sent.order_by("created_at", "id").values_list("key", "created_at")
    starts = [(at, _bracketed(mid)) for mid, at in first_in[:1]] + [
        (at, message_id(key)) for key, at in first_out[:1]
    ]
    first = min(starts)[1] if starts else parent
    references = " ".join(dict.fromkeys([first, parent]))
    if len(references) > _HEADER_LIMIT:
        references = parent
    return parent, references


def _bracketed(mid: str) -> str:
    # Message-IDs are kept as they came (a sender's choice): a header carries them in
    # angle brackets, without the line breaks or spaces a hostile one might hold.
    mid = "".join(mid.split())[:250]
    return mid if mid.startswith("<") else f"<{mid}>"


def _context(
    kind: str,
    transaction: Transaction,
    person: Individual,
    *,
    note: Note | None,
    opt_out: str,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    requester = transaction.requester
    values = {
        "name": person.name,
        "number": transaction.number,
        "title": transaction.title,
        "requester_name": requester.name if requester else "",
        "portal_link": portal_link(person, transaction),
        "status": transaction.status.name,
        "respond_by": templates.when(transaction.response_due_at)
        if transaction.first_response_at is None
        else "",
        "note": note.body if note is not None else "",
        "resolution": transaction.resolution,
        "days": _days_waiting(transaction),
        "site_name": templates.site_name(),
        "unsubscribe_link": opt_out,
        **(extra or {}),
    }
    return {name: values.get(name, "") for name in templates.VARIABLES[kind]}


def _days_waiting(transaction: Transaction) -> str:
    """Whole days since we began waiting on the customer (a reminder's "days")."""
    if transaction.sla_paused_at is None:
        return ""
    return str(max((timezone.now() - transaction.sla_paused_at).days, 0))


def compose(
    kind: str,
    transaction: Transaction,
    recipient: Individual,
    *,
    note: Note | None = None,
    cc: Iterable[Individual] = (),
    in_reply_to: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> Delivery | None:
    """The outbox row of one message about `transaction` to `recipient` (copied to
    `cc`), or None when nothing is to be sent: the application does not send this kind,
    the note is internal, or no one left may be written to. `in_reply_to`: the message
    it answers (else the thread's latest). `extra`: values of the kind's own
    placeholders that its caller makes (a survey's links, made for that person)."""
    if note is not None and note.visibility != Note.Visibility.SHARED:
        return None  # never an internal note, whoever asks
    if not sends(transaction, kind):
        return None
    people = [p for p in dict.fromkeys([recipient, *cc]) if _may_write(p, transaction)]
    stopped = suppressed(p.email for p in people)
    people = [p for p in people if p.email.lower() not in stopped]
    if not people:
        return None
    to, *copied = people
    template = templates.choose(kind, transaction.application, to.language)
    if template is None:
        log.warning("no %s template for %s: nothing sent", kind, transaction.number)
        return None
    # Opting out stops mail not about the person's own requests, so only such a message
    # offers it; and only one sent to that person alone, since the link opts out
    # whoever it was made for, and a copy's reader must not opt out someone else.
    opt_out = "" if to.pk == transaction.requester_id or copied else unsubscribe_link(to)
    rendered = templates.render(
        template, _context(kind, transaction, to, note=note, opt_out=opt_out, extra=extra)
    )
    mailbox = addresses.mailbox_for(transaction.application)
    parent, references = _thread(transaction, in_reply_to)
    headers: dict[str, str] = {}
    if parent:
        headers |= {"In-Reply-To": parent, "References": references}
    if kind not in _WRITTEN_BY_A_PERSON:
        headers["Auto-Submitted"] = "auto-generated"
    if opt_out:
        # RFC 8058: a mail provider's unsubscribe button POSTs to the link, no log-in.
        headers |= {
            "List-Unsubscribe": f"<{opt_out}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    key = new_delivery_key()
    delivery = Delivery.objects.create(
        key=key,
        channel=Delivery.Channel.EMAIL,
        kind=kind,
        address=to.email,
        cc=[p.email for p in copied],
        subject=f"[{transaction.number}] {rendered.subject}"[:300],
        body=rendered.text,
        html=rendered.html,
        from_header=addresses.from_address(mailbox),
        reply_to=addresses.reply_address(transaction.number, mailbox),
        sender=addresses.bounce_address(key),
        headers=headers,
        transaction=transaction,
        note=note,
    )
    if note is not None:
        delivery.attachments.set(note.attachments.filter(deleted_at__isnull=True))
    _send_after_commit(delivery)
    return delivery


def refuse(
    kind: str,
    to_address: str,
    *,
    mailbox: Mailbox | None,
    subject: str,
    in_reply_to: str,
    person: Individual | None = None,
    number: str = "",
) -> Delivery | None:
    """A polite refusal to mail that came in (a reply that may not be added, a message
    from an unknown address), or None: the address is suppressed, or was answered
    PORTICO_MAIL_REPLIES_PER_HOUR times in the last hour — so that two auto-responders
    cannot keep each other, and us, busy."""
    if kind not in (Kind.REFUSED, Kind.UNKNOWN_SENDER):
        raise ValueError(f"{kind} is not a refusal.")
    address = parseaddr(to_address)[1]
    try:
        validate_email(address)  # a sender's address: nothing a header could not carry
    except ValidationError:
        return None
    if suppressed([address]):
        return None
    hour_ago = timezone.now() - datetime.timedelta(hours=1)
    recent = Delivery.objects.filter(address__iexact=address, created_at__gte=hour_ago)
    if recent.count() >= settings.PORTICO_MAIL_REPLIES_PER_HOUR:
        return None
    application = mailbox.application if mailbox is not None else None
    template = templates.choose(kind, application, person.language if person else "")
    if template is None:
        return None
    values = {
        "name": person.name if person else "",
        "number": number,
        "subject": " ".join(subject.split()),
        "site_name": templates.site_name(),
    }
    rendered = templates.render(template, values)
    headers = {"Auto-Submitted": "auto-replied"}
    if in_reply_to:
        parent = _bracketed(in_reply_to)
        headers |= {"In-Reply-To": parent, "References": parent}
    key = new_delivery_key()
    delivery = Delivery.objects.create(
        key=key,
        channel=Delivery.Channel.EMAIL,
        kind=kind,
        address=address,
        subject=rendered.subject[:300],
        body=rendered.text,
        html=rendered.html,
        from_header=addresses.from_address(mailbox),
        sender=addresses.bounce_address(key),
        headers=headers,
    )
    _send_after_commit(delivery)
    return delivery


def _send_after_commit(delivery: Delivery) -> None:
    if settings.PORTICO_WAKE_WORKER:
        db.on_commit(partial(_deliver_after_commit, [delivery.pk]))
