"""Notes: every contact point with the customer, and the staff's internal record. A note
is never changed afterwards; a correction is a new note that points at the one it mends."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction as db
from django.utils import timezone

from portico import access
from portico.events import services as events
from portico.parties.models import Individual, User
from portico.service import rules
from portico.service.actions import clock
from portico.service.actions.base import actor_individual, event_channel, touch
from portico.service.models import Channel, Note, Status, Transaction


@db.atomic
def add_note(
    *,
    actor: User,
    transaction: Transaction,
    body: str,
    visibility: str,
    channel: str = Channel.INTERNAL,
    direction: str = Note.Direction.NONE,
    contact: Individual | None = None,
    corrects: Note | None = None,
    tell_assignees: bool = True,
    cc: Sequence[Individual] = (),
) -> Note:
    """Record a contact point (seed 000: every call, fax, e-mail, meeting). A note is
    never changed afterwards; `corrects` points a correction at the note it mends.
    `tell_assignees=False` is for a caller that tells them itself, in its own words (a
    withdrawal's reason is a note, and the assignees hear "withdrew", not "added a note").
    `cc`: the contacts a shared staff note is e-mailed to besides the requester (a reply
    by e-mail from the console; portico.mail sends it)."""
    author = actor_individual(actor)
    if visibility == Note.Visibility.INTERNAL:
        access.require(actor, "add_internal_note", transaction)
    elif visibility == Note.Visibility.SHARED:
        access.require(actor, "add_shared_note", transaction)
    else:
        raise ValidationError({"visibility": ["Choose internal or shared."]})
    errors: dict[str, list[str]] = {}
    body = rules.NOTE_BODY.collect(body, errors)
    if channel not in Channel.values:
        errors["channel"] = [f"“{channel}” is not a channel."]
    if direction not in Note.Direction.values:
        errors["direction"] = [f"“{direction}” is not a direction."]
    staff = access.is_staff(actor)
    if not staff:
        # How the contact happened and who it was with are the staff's record; a note
        # from anyone else is their own, through the web (the portal offers no choice).
        # A customer's reply by e-mail comes through portico.mail, which says so.
        channel = Channel.EMAIL if channel == Channel.EMAIL else Channel.WEB
        direction, contact = Note.Direction.INBOUND, None
    if contact is not None and not contact.active:
        errors["contact"] = [f"{contact.name} has left."]
    elif contact is not None and not access.may_be_contact(transaction, contact):
        # As the console offers: the people of the transaction's organisation (else its
        # requester). Anyone else's name would reach the customer on a shared note.
        errors["contact"] = [f"{contact.name} is not a contact of this transaction."]
    if cc and (not staff or visibility != Note.Visibility.SHARED):
        errors["cc"] = ["Only a shared note from the service team is sent to contacts."]
    for person in cc:
        if not person.active or not person.email:
            errors["cc"] = [f"{person.name} has no e-mail address to send to."]
        elif not access.may_be_contact(transaction, person):
            errors["cc"] = [f"{person.name} is not a contact of this transaction."]
    if corrects is not None and corrects.transaction_id != transaction.pk:
        errors["corrects"] = ["A correction must be on the same transaction."]
    if corrects is not None and not access.may_read_note(actor, corrects):
        errors["corrects"] = ["No such note."]
    if errors:
        raise ValidationError(errors)
    transaction = Transaction.objects.select_for_update().get(pk=transaction.pk)
    now = timezone.now()
    note = Note.objects.create(
        transaction=transaction,
        author=author,
        body=body,
        visibility=visibility,
        channel=channel,
        direction=direction,
        contact=contact,
        corrects=corrects,
        created_at=now,
    )
    fields = touch(transaction, actor, now)
    if transaction.last_note_at is None or transaction.last_note_at < now:
        transaction.last_note_at = now
        fields.append("last_note_at")
    # The first response is the first thing the customer hears from us: a shared staff
    # note or an outbound contact.
    if (
        staff
        and transaction.first_response_at is None
        and (visibility == Note.Visibility.SHARED or direction == Note.Direction.OUTBOUND)
    ):
        transaction.first_response_at = now
        fields.append("first_response_at")
    resumed = None if staff else _resume_on_reply(transaction, now)
    if resumed is not None:
        fields += clock.MOVE_FIELDS
    transaction.save(update_fields=fields)
    if resumed is not None:
        events.record(
            "transaction.status_changed",
            actor=actor,
            channel=event_channel(channel),
            subject=transaction,
            data={
                "status": {"before": resumed.name, "after": transaction.status.name},
                "reason": "the customer replied",
            },
        )
    events.record(
        "note.added",
        actor=actor,
        channel=event_channel(channel),
        subject=transaction,
        internal=visibility == Note.Visibility.INTERNAL,
        data={
            "note": note.pk,
            "visibility": visibility,
            "channel": channel,
            "by_staff": staff,
            **({"corrects": corrects.pk} if corrects else {}),
            **({"cc": sorted({p.pk for p in cc})} if cc else {}),
            **({} if tell_assignees else {"announce": False}),
        },
    )
    return note


def _resume_on_reply(transaction: Transaction, now: datetime.datetime) -> Status | None:
    """A customer's reply to a transaction that waits on them puts it back in progress
    and restarts the SLA clock. Returns the status it left, or None if nothing moved."""
    waiting = Status.objects.get(pk=transaction.status_id)
    if waiting.category != Status.Category.WAITING:
        return None
    back = waiting.next_statuses.filter(category=Status.Category.OPEN).order_by("position").first()
    if back is None:
        return None
    transaction.status = waiting  # the row just read, so that clock.move reads it once
    clock.move(transaction, back, now)
    return waiting
