"""Who hears of what: the in-app notices (and their e-mails) that follow events.

Each runs in the worker after the event's commit, so it reads the transaction as it is
then: its assignees and title at dispatch, a moment after the change."""

from __future__ import annotations

from portico.audit.models import Event
from portico.events.dispatch import subscriber
from portico.notify.services import Kind, notify
from portico.parties.models import Individual
from portico.service.models import Transaction


def _transaction(event: Event) -> Transaction | None:
    if not event.subject_id:
        return None
    return Transaction.objects.filter(pk=event.subject_id).first()


def _assignees(transaction: Transaction) -> list[Individual]:
    return list(
        Individual.objects.filter(
            grants__transaction=transaction, grants__permission__on_task_list=True, active=True
        ).distinct()
    )


def _by(event: Event) -> str:
    return event.actor_label or "Someone"


@subscriber("note.added")
def customer_added_a_note(event: Event) -> None:
    # Seed 003: the people working it hear at once when the customer adds something.
    # A withdrawal's or reopening's reason is a note too; its own notice says so.
    data = event.data or {}
    if data.get("by_staff", True) or not data.get("announce", True):
        return
    transaction = _transaction(event)
    if transaction is None:
        return
    notify(
        recipients=_assignees(transaction),
        kind=Kind.CUSTOMER_UPDATED,
        transaction=transaction,
        text=f"{_by(event)} added a note to {transaction.number}",
    )


@subscriber("transaction.assigned")
def assigned(event: Event) -> None:
    """Seed 002: dispatch "with notice to the supervisor"."""
    transaction = _transaction(event)
    if transaction is None:
        return
    people = list(Individual.objects.filter(pk__in=(event.data or {}).get("assignees", [])))
    if not people:
        return
    notify(
        recipients=people,
        kind=Kind.ASSIGNED,
        transaction=transaction,
        text=f"{transaction.number} assigned to you: {transaction.title}",
    )
    names = ", ".join(p.name for p in people)
    notify(
        recipients=[p.supervisor for p in people if p.supervisor is not None],
        kind=Kind.TEAM_ASSIGNED,
        transaction=transaction,
        text=f"{transaction.number} dispatched to {names}: {transaction.title}",
    )


@subscriber("transaction.forwarded")
def forwarded(event: Event) -> None:
    transaction = _transaction(event)
    team_id = (event.data or {}).get("team_id")
    if transaction is None or team_id is None:
        return
    team = (event.data or {}).get("team", {}).get("after", "")
    notify(
        recipients=Individual.objects.filter(organization_id=team_id, active=True),
        kind=Kind.FORWARDED,
        transaction=transaction,
        text=f"{transaction.number} forwarded to {team}: {transaction.title}",
    )


_MOVES = {
    "transaction.withdrawn": (Kind.WITHDRAWN, "withdrew"),
    "transaction.reopened": (Kind.REOPENED, "reopened"),
}


@subscriber(*_MOVES)
def customer_moved(event: Event) -> None:
    # The assignees hear what the customer did, with their reason, once (in place of
    # the "added a note" of the note that carries the reason).
    transaction = _transaction(event)
    if transaction is None:
        return
    kind, did = _MOVES[event.action]
    notify(
        recipients=_assignees(transaction),
        kind=kind,
        transaction=transaction,
        text=f"{_by(event)} {did} {transaction.number}: {(event.data or {}).get('reason', '')}",
    )
