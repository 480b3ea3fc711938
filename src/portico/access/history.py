"""Who may read the audit trail: a transaction's history, a person's recent activity, and
their own notifications."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet

from portico.access.notes import _reads_internal_notes
from portico.access.roles import individual_of, is_staff, may_enter
from portico.access.transactions import can, visible_transactions
from portico.parties.zones import SYSTEMS_ADMIN
from portico.statements import Statement

if TYPE_CHECKING:
    from portico.access.roles import Person
    from portico.audit.models import Event
    from portico.notify.models import Notification
    from portico.service.models import Transaction


# --- the audit trail ----------------------------------------------------------------------
# The history is the staff's record. An event about an internal note (marked `internal`
# when written: the note's adding, a file attached to it or deleted from it) is as
# internal as the note: issue 19 found a file's name in the history of staff whose Read
# only grant keeps the note itself from them.


def may_read_history(user: Person | None, transaction: Transaction) -> bool:
    """The history is the staff's record: for staff who may see the transaction."""
    return is_staff(user) and can(user, "view", transaction)


def _history(kind: int, subject: str, internal: bool) -> QuerySet[Event]:
    """The rule for one subject (`kind`: its content type's id, an argument rather than
    part of a statement's SQL, as a flushed test database numbers content types anew):
    events about internal notes only for `internal` readers. One filter on the subject
    index."""
    from portico.audit.models import Event

    events = Event.objects.filter(subject_type_id=kind, subject_id=subject)
    return events if internal else events.filter(internal=False)


def _transaction_kind() -> int:
    from django.contrib.contenttypes.models import ContentType

    from portico.service.models import Transaction

    return ContentType.objects.get_for_model(Transaction).pk


def _history_readable(user: Person | None, transaction: Transaction) -> bool | None:
    """None when the history is not the person's to read; otherwise whether the events
    about internal notes are too."""
    if not may_read_history(user, transaction):
        return None
    return can(user, "read_internal_notes", transaction)


def readable_history(user: Person | None, transaction: Transaction) -> QuerySet[Event]:
    """One transaction's events the person may read, as one SQL filter on the subject
    index: none unless they are staff who may see it, and those about its internal notes
    only if they may read them."""
    internal = _history_readable(user, transaction)
    events = _history(_transaction_kind(), str(transaction.pk), bool(internal))
    return events.none() if internal is None else events


# The staff page of a transaction shows its newest fifty events on every view: the
# same rule, its SQL written once (portico.statements).
HISTORY_SHOWN = 50
_HISTORY = {
    internal: Statement(
        lambda kind, subject, i=internal: (
            _history(kind, subject, i)
            .select_related("actor")
            .order_by("-occurred_at", "-id")[:HISTORY_SHOWN]
        ),
        kind=int,
        subject=str,
    )
    for internal in (False, True)
}


def readable_history_rows(user: Person | None, transaction: Transaction) -> list[Event]:
    """`readable_history`'s newest `HISTORY_SHOWN` events, newest first, with actors."""
    internal = _history_readable(user, transaction)
    if internal is None:
        return []
    return _HISTORY[internal].rows(kind=_transaction_kind(), subject=str(transaction.pk))


def recent_readable_events(
    user: Person | None, events: QuerySet[Event], *, count: int
) -> list[Event]:
    """The newest `count` of `events` (one person's activity, for the 360° view) that
    the person may read: for staff only; an event on a transaction only if they may see
    that transaction, and one about an internal note only if they may read its internal
    notes (`readable_history`'s rule, per transaction). Events on no transaction (log-ins,
    a person's deactivation) are the staff's to read.

    Walked newest first in growing batches, decided a batch at a time (two queries), and
    stopped once `count` are found or `WALK_LIMIT` events were read: an actor's events
    are spread over transactions whose grants differ, which one SQL filter could only
    write as the grant subqueries `recent_readable_notes` avoids. The limit keeps the page
    bounded for a viewer who may see little of a busy actor's work; the list is then
    shorter, never wrong."""
    if not is_staff(user) or count <= 0:
        return []
    ordered = events.order_by("-occurred_at", "-id")
    found: list[Event] = []
    read = 0
    size = count * 2
    while len(found) < count and read < WALK_LIMIT:
        batch = list(ordered[read : read + size])
        read += len(batch)
        found += _readable_of(user, batch)
        if len(batch) < size:
            break
        size *= 4
    return found[:count]


WALK_LIMIT = 2_000


def _readable_of(user: Person | None, events: list[Event]) -> list[Event]:
    """Of `events`, in their order, those the person may read (see `readable_history`)."""
    from django.contrib.contenttypes.models import ContentType

    from portico.service.models import Transaction

    individual = individual_of(user)
    if individual is None or not individual.user_group.is_staff_group:
        return []
    kind = ContentType.objects.get_for_model(Transaction).pk
    ids = {int(e.subject_id) for e in events if e.subject_type_id == kind}
    visible = dict(
        visible_transactions(user).filter(pk__in=sorted(ids)).values_list("pk", "application_id")
    )
    internal = {
        int(e.subject_id): visible[int(e.subject_id)]
        for e in events
        if e.internal and e.subject_type_id == kind and int(e.subject_id) in visible
    }
    readable = _reads_internal_notes(user, individual, internal)
    shown = []
    for event in events:
        if event.subject_type_id != kind:
            shown.append(event)
            continue
        subject = int(event.subject_id)
        if subject in visible and (not event.internal or subject in readable):
            shown.append(event)
    return shown


# What only Systems Admin reads of the trail: log-ins (addresses, names tried), API
# tokens, exports and webhook pings are about the system's security, not a transaction.
ADMIN_ONLY_EVENT_SUBJECTS = frozenset({"session", "api_token", "export", "webhook"})


def readable_events(user: Person | None, events: list[Event]) -> list[Event]:
    """Of `events`, in their order, those the person may be shown by the event feed or
    sent by a webhook they own: the history's rule (`readable_history`: staff only; a
    transaction's events if they may see it, those about its internal notes if they may
    read them), and events about the system's security only to Systems Admin."""
    from portico.events import registry

    shown = _readable_of(user, events)
    if shown and not may_enter(user, SYSTEMS_ADMIN):
        shown = [
            e
            for e in shown
            if e.action not in registry.REGISTRY
            or registry.REGISTRY[e.action].subject not in ADMIN_ONLY_EVENT_SUBJECTS
        ]
    return shown


def may_see_event(user: Person | None, event: Event) -> bool:
    return bool(readable_events(user, [event]))


def readable_notifications(user: Person | None) -> QuerySet[Notification]:
    """The person's own notifications about transactions they may still see: a notice
    names its transaction, so one they have lost access to is neither listed nor counted
    in the unread badge. A notice about no transaction (a person leaving) is theirs."""
    from portico.notify.models import Notification

    individual = individual_of(user)
    if individual is None:
        return Notification.objects.none()
    visible = visible_transactions(user).filter(pk=OuterRef("transaction_id"))
    return Notification.objects.filter(recipient=individual).filter(
        Q(transaction__isnull=True) | Exists(visible)
    )
