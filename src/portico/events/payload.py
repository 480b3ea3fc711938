"""What an event says to someone outside the pages: the `data` of a webhook delivery
and of an item in the event feed.

Built for one reader, by the access module's rule (`access.readable_events`): an event
the reader may not see has no payload at all, and what is added to the stored payload
(the transaction's number and title, a note's text) is only what that reader may read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from portico import access
from portico.audit.models import Event

if TYPE_CHECKING:
    from portico.access import Person


def envelope(event: Event, data: dict[str, Any]) -> dict[str, Any]:
    """The JSON a delivery or a feed item carries, but for `sent_at` (added when sent)."""
    return {
        "id": event.pk,
        "event": event.action,
        "occurred_at": event.occurred_at.isoformat(),
        "data": data,
    }


def payloads_for(user: Person | None, events: list[Event]) -> dict[int, dict[str, Any]]:
    """The `data` of each of `events` the person may see, by event id (a few queries
    for the whole list, whatever its length)."""
    return payloads_of_readable(user, access.readable_events(user, events))


def payloads_of_readable(user: Person | None, shown: list[Event]) -> dict[int, dict[str, Any]]:
    """The `data` of events `access.readable_events` has already let the person see
    (the feed decides a whole batch, then builds only the page it returns): two queries,
    whatever the number of events."""
    from portico.service.models import Note, Transaction

    if not shown:
        return {}
    transaction_type = ContentType.objects.get_for_model(Transaction).pk
    numbers = {
        pk: (number, title)
        for pk, number, title in Transaction.objects.filter(
            pk__in={int(e.subject_id) for e in shown if e.subject_type_id == transaction_type}
        ).values_list("pk", "number", "title")
    }
    note_ids = {
        e.data["note"]
        for e in shown
        if e.action == "note.added" and isinstance(e.data.get("note"), int)
    }
    notes = {
        pk: (transaction_id, visibility, body)
        for pk, transaction_id, visibility, body in Note.objects.filter(
            pk__in=note_ids
        ).values_list("pk", "transaction_id", "visibility", "body")
    }
    result: dict[int, dict[str, Any]] = {}
    for event in shown:
        data: dict[str, Any] = {
            "actor": {"name": event.actor_label} if event.actor_label else None,
            "channel": event.channel,
        }
        if event.subject_type_id == transaction_type and int(event.subject_id) in numbers:
            number, title = numbers[int(event.subject_id)]
            data["transaction"] = {
                "number": number,
                "title": title,
                "url": settings.PORTICO_SITE_URL
                + reverse("console:transaction", kwargs={"number": number}),
            }
        data.update(event.data or {})
        if event.action == "note.added" and (body := _note_body(event, notes)) is not None:
            data["body"] = body
        result[event.pk] = data
    return result


def _note_body(event: Event, notes: dict[int, tuple[int, str, str]]) -> str | None:
    """The note's text, if the event that is shown tells of it. `readable_events` has
    shown the event only to someone who may see its transaction and, for an internal
    note's event, read its internal notes; that is `access.may_read_note`'s rule, so it
    is not asked again note by note (it would cost two queries a note). A note whose
    visibility disagrees with its event, or that sits on another transaction, gives no
    text rather than trusting the event."""
    from portico.service.models import Note

    found = notes.get(event.data.get("note"))
    if found is None:
        return None
    transaction_id, visibility, body = found
    if str(transaction_id) != event.subject_id:
        return None
    if visibility != Note.Visibility.SHARED and not event.internal:
        return None
    return body


def payload_for(user: Person | None, event: Event) -> dict[str, Any] | None:
    """The `data` of one event for the person, or None if they may not see it."""
    return payloads_for(user, [event]).get(event.pk)
