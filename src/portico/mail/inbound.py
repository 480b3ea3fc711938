"""Mail in: what becomes of a message `portico mailin` was handed.

`receive` first records the message (the raw bytes stored, outcome "being received")
and commits, so that nothing acknowledged is ever lost. It then decides, writing the
outcome and everything it adds in one database transaction: a failure anywhere leaves
the message marked refused with the reason, and no note, transaction or file behind.

In order: a repeat (the same Message-ID again) is ignored; a bounce is matched to the
message it reports and counted against the address; automatic mail and our own is
ignored, never answered (no loops); a DMARC failure reported by our own MTA is
quarantined for the staff; an oversized message is refused. Then the message is routed:
by the reply address it was sent to, then by In-Reply-To/References, then by the number
in its subject (only for a sender who may add to that transaction; subject text alone
never). A reply from a person with the right becomes a shared e-mail note (a resolved
transaction is reopened; a closed one gets a new related request); anything else opens
a transaction of the mailbox's application for its sender. Everything is done as the
sender, through the same actions and access rules as the portal."""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction as db
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from portico import access
from portico.mail import addresses, bounces, outbound, parsing, quotes, screening, senders
from portico.mail.models import Inbound, Kind, Mailbox
from portico.notify.models import Delivery
from portico.parties.models import Individual, User
from portico.service import actions
from portico.service.models import Attachment, Channel, Note, Status, Transaction

log = logging.getLogger(__name__)

Outcome = Inbound.Outcome
# The reason of a message whose processing failed (not a decision): it is answered 451,
# or left unseen on IMAP, and its next delivery is processed again, not taken for a repeat.
FAILED = "Failed while processing: "
_NUMBER = re.compile(r"\b([A-Za-z]{1,10}-\d{6,})\b")
_SUBJECT_PREFIX = re.compile(r"^\s*((re|aw|sv|fw|fwd|wg|tr)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
_NOTE_LIMIT = 50_000
_CUT = "\n\n[… cut: the whole message is attached.]"
NO_TEXT = "(No text: see the attached message.)"


def message_limit() -> int:
    """The largest message taken: the attachment limit, as the whole message is kept as
    a file (`portico mailin` refuses a larger one at DATA with 552)."""
    return actions.attachment_limit()


def failed(inbound: Inbound) -> bool:
    """Whether processing failed (to be retried), as opposed to a decision."""
    return inbound.outcome in {Outcome.RECEIVING, Outcome.REFUSED} and (
        inbound.outcome == Outcome.RECEIVING or inbound.reason.startswith(FAILED)
    )


def receive(
    raw: bytes, *, via: str, envelope_from: str = "", envelope_to: Sequence[str] = ()
) -> Inbound:
    """Record and decide one message. Never raises for what the message says; an
    unexpected error leaves it REFUSED with the reason starting FAILED (see `failed`)."""
    parsed = parsing.parse(raw)
    inbound = _record(raw, parsed, via, envelope_from, list(envelope_to))
    return _process(inbound, parsed, raw, checks=True, envelope_to=list(envelope_to))


def release(inbound: Inbound, *, by: User) -> Inbound:
    """Staff let a quarantined message through: it is decided again, without the DMARC
    and rate checks that held it."""
    if inbound.outcome != Outcome.QUARANTINED:
        raise ValidationError("Only a quarantined message can be released.")
    if not inbound.raw:
        raise ValidationError("The message was not kept; it cannot be released.")
    with inbound.raw.open("rb") as stored:
        raw = stored.read()
    return _process(
        inbound,
        parsing.parse(raw),
        raw,
        checks=False,
        released_by=by,
        note=f"Released by {by.email}.",
    )


# --- recording ----------------------------------------------------------------------------


def _record(
    raw: bytes, parsed: parsing.Parsed, via: str, envelope_from: str, envelope_to: list[str]
) -> Inbound:
    recipients = _recipients(envelope_to, parsed)
    inbound = Inbound(
        via=via if via in Inbound.Via.values else Inbound.Via.SMTP,
        mailbox=_mailbox_for(recipients),
        envelope_from=envelope_from[:254],
        envelope_to=", ".join(envelope_to)[:254],
        message_id=parsed.message_id[:255],
        from_address=parsed.from_address[:254],
        subject=parsed.subject[:300],
        size=len(raw),
    )
    with db.atomic():
        # A message over the limit is not kept (its headers are): the limit is also
        # what keeps the disk from filling with what nobody would read.
        if len(raw) <= message_limit():
            inbound.raw.save("message.eml", ContentFile(raw), save=False)
        inbound.save()
    return inbound


def _recipients(envelope_to: Sequence[str], parsed: parsing.Parsed) -> list[str]:
    found = [parseaddr(a)[1].lower() for a in envelope_to]
    return list(dict.fromkeys(a for a in [*found, *parsed.recipients] if a))


def _mailbox_for(recipients: Sequence[str]) -> Mailbox | None:
    """The mailbox written to: by its address, a plus-address of it (reply addresses
    included), else the only active mailbox there is."""
    boxes = list(Mailbox.objects.filter(active=True).order_by("pk"))
    by_address = {box.address.lower(): box for box in boxes}
    for address in recipients:
        local, _, host = address.partition("@")
        base = f"{local.partition('+')[0]}@{host}"
        if address in by_address:
            return by_address[address]
        if base in by_address:
            return by_address[base]
    return boxes[0] if len(boxes) == 1 else None


# --- deciding -----------------------------------------------------------------------------


@dataclass
class _Decision:
    """What the decision wrote, and the files stored on the way (removed again if the
    decision is rolled back: the rows go with the rollback, the bytes would not)."""

    inbound: Inbound
    parsed: parsing.Parsed
    raw: bytes
    checks: bool
    envelope_to: list[str]
    stored: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def outcome(self, outcome: str, reason: str) -> None:
        self.inbound.outcome = outcome
        self.inbound.reason = " ".join([reason, *self.notes]).strip()


def _process(
    inbound: Inbound,
    parsed: parsing.Parsed,
    raw: bytes,
    *,
    checks: bool,
    envelope_to: list[str] | None = None,
    released_by: User | None = None,
    note: str = "",
) -> Inbound:
    if envelope_to is None:  # a release: the envelope as it was recorded
        envelope_to = [a.strip() for a in inbound.envelope_to.split(",") if a.strip()]
    decision = _Decision(
        inbound=inbound, parsed=parsed, raw=raw, checks=checks, envelope_to=envelope_to
    )
    if note:
        decision.notes.append(note)
    try:
        with db.atomic():
            locked = Inbound.objects.select_for_update().get(pk=inbound.pk)
            decision.inbound = locked
            if released_by is not None:
                if locked.outcome != Outcome.QUARANTINED:
                    return locked  # released meanwhile by someone else
                locked.reviewed_at = timezone.now()
            _decide(decision)
            locked.save()
    except Exception as error:
        log.exception("Mail-in could not process inbound message %s", inbound.pk)
        for name in decision.stored:
            default_storage.delete(name)
        Inbound.objects.filter(pk=inbound.pk).update(
            outcome=Outcome.REFUSED,
            reason=f"{FAILED}{type(error).__name__}: {error}"[:2000],
            sender=None,
            transaction=None,
            note=None,
        )
        inbound.refresh_from_db()
        return inbound
    return decision.inbound


def _decide(decision: _Decision) -> None:
    inbound, parsed = decision.inbound, decision.parsed
    recipients = _recipients(decision.envelope_to, parsed)
    if _repeat(inbound):
        decision.outcome(Outcome.IGNORED, "A repeat of a message already received.")
        return
    bounce_keys = [key for a in recipients if (key := addresses.parse_bounce_address(a))]
    automatic = screening.automatic(parsed, inbound.envelope_from)
    if parsing.is_report(parsed.message) or (bounce_keys and automatic is None):
        _bounce(decision, bounce_keys)
        return
    if automatic is not None:
        decision.outcome(Outcome.IGNORED, f"{automatic}: never answered.")
        return
    if decision.checks and screening.dmarc_failed(parsed):
        decision.outcome(
            Outcome.QUARANTINED,
            "Our mail server reports that it fails DMARC (the sender may be forged): "
            "held for review.",
        )
        return
    if len(decision.raw) > message_limit():
        decision.outcome(
            Outcome.REFUSED,
            f"The message is {filesizeformat(len(decision.raw))}; messages may be at most "
            f"{filesizeformat(message_limit())}. It was not kept.",
        )
        return
    if not parsed.from_address:
        decision.outcome(Outcome.REFUSED, "It names no sender (From).")
        return
    people = senders.people(parsed.from_address)
    found = _routed(inbound, parsed, recipients)
    if found is not None:
        transaction, how = found
        _reply(decision, transaction, people, how)
        return
    subject_number = _by_subject(parsed, people)
    if subject_number is not None:
        transaction, person, user = subject_number
        _as_reply(decision, transaction, person, user, "by the number in its subject")
        return
    _new(decision, people)


def _repeat(inbound: Inbound) -> bool:
    if not inbound.message_id:
        return False
    earlier = Inbound.objects.filter(
        message_id=inbound.message_id, mailbox=inbound.mailbox, pk__lt=inbound.pk
    ).exclude(outcome=Outcome.RECEIVING)
    return earlier.exclude(outcome=Outcome.REFUSED, reason__startswith=FAILED).exists()


# --- bounces ----------------------------------------------------------------------------------


def _bounce(decision: _Decision, keys: list[str]) -> None:
    counted = bounces.count(decision.parsed, keys)
    if counted.transaction_id is not None:
        decision.inbound.transaction_id = counted.transaction_id
    decision.outcome(Outcome.BOUNCE, counted.reason)


# --- routing ----------------------------------------------------------------------------------


def _routed(
    inbound: Inbound, parsed: parsing.Parsed, recipients: Sequence[str]
) -> tuple[Transaction, str] | None:
    """The transaction it replies to, by reply address, then by its threading headers."""
    for address in recipients:
        reply = addresses.parse_reply_address(address)
        if reply is not None:
            transaction = Transaction.objects.filter(number=reply[1]).first()
            if transaction is not None:
                return transaction, "by its reply address"
    for message_id in [*parsed.in_reply_to, *reversed(parsed.references)]:
        key = bounces.delivery_key(message_id)
        if key is not None:
            delivery = (
                Delivery.objects.filter(key=key, transaction__isnull=False)
                .select_related("transaction")
                .first()
            )
            if delivery is not None and delivery.transaction is not None:
                return delivery.transaction, "by the message it answers"
        earlier = (
            Inbound.objects.filter(message_id=message_id, transaction__isnull=False)
            .exclude(pk=inbound.pk)
            .select_related("transaction")
            .first()
        )
        if earlier is not None and earlier.transaction is not None:
            return earlier.transaction, "by the message it answers"
    return None


def _may_add_to(transaction: Transaction) -> Callable[[User], bool]:
    return lambda user: access.can(user, "add_shared_note", transaction)


def _by_subject(
    parsed: parsing.Parsed, people: Sequence[Individual]
) -> tuple[Transaction, Individual, User] | None:
    """The transaction whose number the subject names, if the sender may add to it: a
    number anyone can type proves nothing about anyone else's transaction."""
    for number in _NUMBER.findall(parsed.subject):
        transaction = Transaction.objects.filter(number=number.upper()).first()
        if transaction is None:
            continue
        chosen = senders.first_allowed(people, _may_add_to(transaction))
        if chosen is not None:
            return transaction, chosen[0], chosen[1]
    return None


# --- a reply --------------------------------------------------------------------------------


def _reply(
    decision: _Decision, transaction: Transaction, people: Sequence[Individual], how: str
) -> None:
    chosen = senders.first_allowed(people, _may_add_to(transaction))
    if chosen is None:
        who = people[0] if people else None
        decision.inbound.sender = who
        decision.inbound.transaction = transaction
        decision.outcome(
            Outcome.REFUSED,
            f"A reply to {transaction.number} ({how}) from {decision.parsed.from_address}, "
            f"who may not add notes to it: nothing added.",
        )
        _refuse_reply(decision, Kind.REFUSED, who)
        return
    person, user = chosen
    _as_reply(decision, transaction, person, user, how)


def _as_reply(
    decision: _Decision, transaction: Transaction, person: Individual, user: User, how: str
) -> None:
    inbound = decision.inbound
    inbound.sender = person
    inbound.transaction = transaction
    body = _body(decision.parsed)
    status = Status.objects.get(pk=transaction.status_id)
    staff = access.is_staff(user)
    if (
        not staff
        and status.category == Status.Category.RESOLVED
        and "reopen" in actions.offered(user, transaction)
    ):
        # The reply is the reason: one note, and the assignees hear "reopened".
        actions.reopen(actor=user, transaction=transaction, reason=body, channel=Channel.EMAIL)
        note = Note.objects.filter(transaction=transaction).order_by("-created_at", "-id").first()
        inbound.note = note
        _files(decision, user, transaction, note)
        decision.outcome(
            Outcome.NOTE, f"A reply to {transaction.number} ({how}): reopened it, as a note."
        )
        return
    if not staff and not status.is_open:
        _follow_up(decision, transaction, person, user, how)
        return
    note = actions.add_note(
        actor=user,
        transaction=transaction,
        body=body,
        visibility=Note.Visibility.SHARED,
        channel=Channel.EMAIL,
        direction=Note.Direction.INBOUND,
    )
    inbound.note = note
    _files(decision, user, transaction, note)
    decision.outcome(Outcome.NOTE, f"A reply to {transaction.number} ({how}), added as a note.")


def _follow_up(
    decision: _Decision, earlier: Transaction, person: Individual, user: User, how: str
) -> None:
    """A reply to a finished request (closed, or resolved too long ago to reopen) opens
    a new one of the same application, related to it."""
    if _too_many(decision):
        return
    application = earlier.application
    if not access.may_create(user, application):
        decision.outcome(
            Outcome.REFUSED,
            f"A reply to {earlier.number} ({how}), which is finished; "
            f"{person.name} may not open a new {application.name}.",
        )
        _refuse_reply(decision, Kind.REFUSED, person)
        return
    transaction = _create(decision, user, person, application)
    actions.follow_up(actor=user, transaction=transaction, earlier=earlier, channel=Channel.EMAIL)
    decision.outcome(
        Outcome.CREATED,
        f"A reply to {earlier.number} ({how}), which is finished: opened {transaction.number}, "
        "related to it.",
    )


# --- a new request ------------------------------------------------------------------------------


def _new(decision: _Decision, people: Sequence[Individual]) -> None:
    inbound, parsed = decision.inbound, decision.parsed
    mailbox = inbound.mailbox
    if mailbox is None:
        decision.outcome(Outcome.REFUSED, "It was not sent to any mailbox of ours.")
        return
    if _too_many(decision):
        return
    application = mailbox.application
    chosen = senders.first_allowed(people, lambda u: access.may_create(u, application))
    if chosen is None and people:
        inbound.sender = people[0]
        decision.outcome(
            Outcome.REFUSED,
            f"{people[0].name} may not open a {application.name}: nothing added.",
        )
        _refuse_reply(decision, Kind.REFUSED, people[0])
        return
    if chosen is None:
        if mailbox.unknown_senders != Mailbox.UnknownSenders.CREATE:
            decision.outcome(
                Outcome.REFUSED, f"{parsed.from_address} is no one we know; the mailbox refuses."
            )
            _refuse_reply(decision, Kind.UNKNOWN_SENDER, None)
            return
        made = _new_person(mailbox, parsed)
        if made is None:
            decision.outcome(
                Outcome.REFUSED,
                f"{parsed.from_address} is no one we know, and no person could be made "
                "(the mailbox names no user group for new people, or the address has a "
                "log-in already).",
            )
            return
        chosen = made
        decision.notes.append(f"{made[0].name} was added as a new person.")
    person, user = chosen
    if not access.may_create(user, application):
        inbound.sender = person
        decision.outcome(
            Outcome.REFUSED, f"{person.name} may not open a {application.name}: nothing added."
        )
        _refuse_reply(decision, Kind.REFUSED, person)
        return
    transaction = _create(decision, user, person, application)
    decision.outcome(Outcome.CREATED, f"Opened {transaction.number}.")


def _new_person(mailbox: Mailbox, parsed: parsing.Parsed) -> tuple[Individual, User] | None:
    if mailbox.new_people_group is None:
        return None
    if User.objects.filter(email__iexact=parsed.from_address).exists():
        return None
    # The display name names a new person only; it never identifies anyone.
    words = parsed.from_name.replace('"', "").split() or [parsed.from_address.partition("@")[0]]
    person = Individual.objects.create(
        first_name=words[0][:80],
        last_name=" ".join(words[1:])[:80],
        email=parsed.from_address,
        user_group=mailbox.new_people_group,
    )
    user = senders.user_of(person)
    if user is None:
        return None
    return person, user


def _too_many(decision: _Decision) -> bool:
    """Rate limit: at most PORTICO_MAIL_REPLIES_PER_HOUR messages from one address open
    requests in an hour; more are held for review (a loop with a robot, or a flood)."""
    if not decision.checks:
        return False
    address = decision.parsed.from_address
    since = timezone.now() - datetime.timedelta(hours=1)
    opened = Inbound.objects.filter(
        from_address=address, outcome=Outcome.CREATED, received_at__gte=since
    ).count()
    if opened < settings.PORTICO_MAIL_REPLIES_PER_HOUR:
        return False
    decision.outcome(
        Outcome.QUARANTINED,
        f"{address} opened {opened} requests by e-mail in the last hour: held for review.",
    )
    return True


def _create(decision: _Decision, user: User, person: Individual, application: Any) -> Transaction:
    parsed = decision.parsed
    title = _SUBJECT_PREFIX.sub("", parsed.subject).strip()[:200].strip() or "(no subject)"
    body = _text(parsed)
    transaction = actions.create_transaction(
        actor=user,
        application=application,
        title=title,
        description=body,
        requester=person,
        channel=Channel.EMAIL,
        classify_later=True,
    )
    decision.inbound.sender = person
    decision.inbound.transaction = transaction
    _files(decision, user, transaction, None)
    return transaction


# --- the text and the files ----------------------------------------------------------------


def _text(parsed: parsing.Parsed) -> str:
    text = quotes.reply_text(parsed.text).strip()
    if len(text) > _NOTE_LIMIT:
        text = text[: _NOTE_LIMIT - len(_CUT)] + _CUT
    return text


def _body(parsed: parsing.Parsed) -> str:
    return _text(parsed) or NO_TEXT


def _files(decision: _Decision, user: User, transaction: Transaction, note: Note | None) -> None:
    """The message's files, then the whole message (message.eml), through the same
    checks as an upload. A file refused is named in the reason; the rest go on."""
    if not access.can(user, "attach_files", transaction):
        if decision.parsed.attachments:
            decision.notes.append("Its files were not added: the sender may not add files.")
        return
    files = [(part.name, part.data) for part in decision.parsed.attachments]
    files.append(("message.eml", decision.raw))
    for name, data in files:
        try:
            with db.atomic():
                attachment: Attachment = actions.add_attachment(
                    actor=user,
                    transaction=transaction,
                    upload=ContentFile(data, name="upload"),
                    name=name,
                    note=note,
                    channel=Channel.EMAIL,
                )
        except (ValidationError, PermissionDenied) as error:
            messages = getattr(error, "messages", [str(error)])
            decision.notes.append(f"File {name!r} not added: {' '.join(messages)}")
            continue
        if attachment.file.name:
            decision.stored.append(attachment.file.name)


# --- the polite refusal ---------------------------------------------------------------------


def _refuse_reply(decision: _Decision, kind: str, person: Individual | None) -> None:
    """A polite, rate-limited refusal that names nothing of the transaction (the sender
    may not be someone who may know of it)."""
    parsed = decision.parsed
    outbound.refuse(
        kind,
        parsed.from_address,
        mailbox=decision.inbound.mailbox,
        subject=parsed.subject,
        in_reply_to=parsed.message_id,
        person=person,
    )
