"""The e-mail channel as the staff see it on a transaction: whom a reply by e-mail goes
to (and why it cannot go, when it cannot), which contacts it may be copied to, and what
became of the messages each note was sent as. Reads only: the note is written by
`actions.add_note` and sent by the worker (portico.mail's subscribers, the outbox)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from portico import access
from portico.audit.models import Event
from portico.mail.models import Address
from portico.notify.models import Delivery
from portico.parties.models import Individual
from portico.service.models import Channel, Note, Transaction
from portico.statements import Statement


@dataclass(frozen=True)
class ReplyTo:
    """The requester a reply by e-mail is addressed to. `refused` says why none can be
    sent (the console then offers no form); empty when one can."""

    person: Individual | None
    address: str
    refused: str = ""


# Both asked on every staff page of a transaction (portico.statements).
_SUPPRESSED = Statement(
    lambda address: Address.objects.filter(address=address, suppressed_at__isnull=False).order_by(
        "pk"
    )[:1],
    address=str,
)
_DELIVERIES = Statement(
    lambda transaction: (
        Delivery.objects.filter(note__transaction_id=transaction)
        .order_by("created_at", "id")
        .only("note_id", "address", "sent_at", "last_error")
    ),
    transaction=int,
)


def reply_to(transaction: Transaction) -> ReplyTo:
    """Whom a reply by e-mail goes to: the requester, at their address. Without one
    (nobody, someone who left, no address, an address no longer mailed after it bounced)
    there is nobody to reply to, and a form that sent the note anyway would only look as
    if it had written to them."""
    person = transaction.requester
    if person is None:
        return ReplyTo(None, "", "This transaction has no requester to write to.")
    if not person.active:
        return ReplyTo(person, person.email, f"{person.name} has left.")
    if not person.email:
        return ReplyTo(person, "", f"{person.name} has no e-mail address.")
    suppressed = _SUPPRESSED.one(address=person.email.lower())
    if suppressed is not None:
        return ReplyTo(
            person,
            person.email,
            f"Mail to {person.email} stopped on {suppressed.suppressed_at:%d %b %Y} after"
            " repeated bounces; correct the address first.",
        )
    return ReplyTo(person, person.email)


def cc_choices(transaction: Transaction) -> QuerySet[Individual]:
    """The people a reply may be copied to: exactly those `actions.add_note` accepts
    as CC (active contacts of the transaction with an address), less the requester,
    who has it anyway."""
    people = access.possible_contacts(transaction).exclude(email="")
    if transaction.requester_id is not None:
        people = people.exclude(pk=transaction.requester_id)
    return people.order_by("last_name", "first_name", "id")


@dataclass(frozen=True)
class Message:
    """One outbox row of a note's e-mail, as the staff read its state."""

    address: str
    state: str  # "sent", "queued" or "failed"
    error: str = ""

    @property
    def text(self) -> str:
        if self.state == "failed":
            return f"failed, retrying: {self.error}"
        return self.state


@dataclass
class Trail:
    """What became of a note by e-mail: sent to whom (the requester's and the CC's
    names), and its outbox rows."""

    to: str = ""
    cc: list[str] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)


def _state(delivery: Delivery) -> Message:
    if delivery.sent_at is not None:
        return Message(delivery.address, "sent")
    if delivery.last_error:
        # The outbox retries without end (notify.delivery's backoff): a failure is news
        # for the staff, not the end of the message.
        return Message(delivery.address, "failed", delivery.last_error.splitlines()[0][:200])
    return Message(delivery.address, "queued")


def trails(transaction: Transaction, notes: Iterable[Note]) -> dict[int, Trail]:
    """The e-mail trail of each of the given notes of one transaction (the notes a page
    shows), by note id: a staff note sent by e-mail names the requester and the CC it
    went to; any note with outbox rows has their states. In at most three queries,
    however many notes: the outbox rows of the transaction, and (only where a note was
    e-mailed) the CC of its `note.added` events and those people's names."""
    shown = {note.pk: note for note in notes if note.visibility == Note.Visibility.SHARED}
    if not shown:
        return {}
    found: dict[int, Trail] = {}
    # Through the notes of the transaction (their index, then the outbox's on note),
    # whichever of its two columns the writer of a row filled in; the notes shown are
    # picked in Python: one short query, where a list of note ids could run to hundreds.
    for delivery in _DELIVERIES.rows(transaction=transaction.pk):
        if delivery.note_id in shown:
            found.setdefault(delivery.note_id, Trail()).messages.append(_state(delivery))
    emailed = [
        note
        for note in shown.values()
        if note.channel == Channel.EMAIL and note.direction == Note.Direction.OUTBOUND
    ]
    if not emailed:
        return found
    cc = _cc_of(transaction, {note.pk for note in emailed})
    names: dict[int, str] = {}
    if cc:
        copied = {pk for ids in cc.values() for pk in ids}
        names = {
            person.pk: person.name
            for person in Individual.objects.filter(pk__in=copied).only("first_name", "last_name")
        }
    requester = transaction.requester.name if transaction.requester else ""
    for note in emailed:
        trail = found.setdefault(note.pk, Trail())
        trail.to = requester
        trail.cc = [names[pk] for pk in cc.get(note.pk, []) if pk in names]
    return found


def _cc_of(transaction: Transaction, note_ids: set[int]) -> dict[int, list[int]]:
    """The CC each note was sent to, as `actions.add_note` recorded it on its event."""
    events = Event.objects.filter(
        subject_type=ContentType.objects.get_for_model(Transaction),
        subject_id=str(transaction.pk),
        action="note.added",
        data__has_key="cc",
    ).values_list("data", flat=True)
    found: dict[int, list[int]] = {}
    for data in events:
        if data.get("note") in note_ids:
            found[data["note"]] = [int(pk) for pk in data["cc"]]
    return found
