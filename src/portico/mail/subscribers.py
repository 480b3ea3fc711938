"""What customers are sent when something happens: an acknowledgement of a new request
(or a thank-you for a compliment), every shared note from the service team, and the
status changes they care about. Each runs in the worker after the event's commit, and
writes an outbox row (portico.mail.outbound) that is sent after the dispatch commits."""

from __future__ import annotations

from portico.audit.models import Event
from portico.events.dispatch import subscriber
from portico.mail import outbound
from portico.mail.models import Kind
from portico.parties.models import Individual
from portico.service.models import Note, Status, Transaction

COMPLIMENT = "compliment"

_BY_CATEGORY: dict[str, str] = {
    Status.Category.WAITING: Kind.WAITING,
    Status.Category.RESOLVED: Kind.RESOLVED,
    Status.Category.CLOSED: Kind.CLOSED,
}


def _transaction(event: Event) -> Transaction | None:
    if not event.subject_id:
        return None
    return (
        Transaction.objects.select_related(
            "application", "status", "requester", "requester__user_group"
        )
        .filter(pk=event.subject_id)
        .first()
    )


@subscriber("transaction.created")
def acknowledge(event: Event) -> None:
    """Seed 002's "auto-reply acknowledgments, thank you notes": whichever channel the
    request came by (portal, a phone call logged in the console, the API, e-mail). One
    that came by e-mail is threaded under the customer's message (outbound finds it)."""
    transaction = _transaction(event)
    if transaction is None or transaction.requester is None:
        return
    kind = Kind.THANKS if transaction.application.code == COMPLIMENT else Kind.ACKNOWLEDGEMENT
    outbound.compose(kind, transaction, transaction.requester)


@subscriber("note.added")
def shared_note(event: Event) -> None:
    """A shared note from the service team goes to the requester and the contacts the
    author chose (CC), in full, with its files. An internal note never leaves."""
    data = event.data or {}
    if data.get("visibility") != Note.Visibility.SHARED or not data.get("by_staff"):
        return
    transaction = _transaction(event)
    note = Note.objects.filter(pk=int(data.get("note") or 0)).first()
    if transaction is None or note is None:
        return
    copied = list(Individual.objects.select_related("user_group").filter(pk__in=data.get("cc", [])))
    people = [p for p in [transaction.requester, *copied] if p is not None]
    if not people:
        return
    outbound.compose(Kind.NOTE, transaction, people[0], note=note, cc=people[1:])


@subscriber("transaction.status_changed")
def status_changed(event: Event) -> None:
    """Waiting on the customer, resolved (with the resolution) and closed are told; the
    other moves are the team's business."""
    transaction = _transaction(event)
    if transaction is None or transaction.requester is None:
        return
    after = ((event.data or {}).get("status") or {}).get("after")
    # Moved on again since: the later change's own event tells the customer where it is.
    if after is not None and after != transaction.status.name:
        return
    kind = _BY_CATEGORY.get(transaction.status.category)
    if kind is not None:
        outbound.compose(kind, transaction, transaction.requester)
