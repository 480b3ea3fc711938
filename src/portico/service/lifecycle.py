"""A customer's own moves in a transaction's life (issue 19): withdrawing an open request
they no longer need, and reopening a resolved one that is not fixed after all, within
the application's reopen period. Both take a reason, recorded in the audit trail and
added as a shared note so that the people working it read it where they read the rest.

Who may is `portico.access` ("withdraw", "reopen": whoever may add to it); whether the
transaction's state and its application's flow allow it is decided here, for the pages
and the API alike. The staff move a transaction along its whole flow with the status
control (`services.change_status`); these are the two moves offered to everyone else.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction as db
from django.utils import dateformat, timezone

from portico import access
from portico.audit import services as audit
from portico.parties.models import User
from portico.service import rules, services
from portico.service.models import Channel, Note, Status, Transaction
from portico.service.standard import WITHDRAWN

MOVES = frozenset({"withdraw", "reopen"})


def clean_reason(reason: str | None, *, move: str) -> str:
    """The reason as it is stored, or a ValidationError on `reason`. It becomes a note,
    so it is judged by the note's rule (`rules.REASON`), in words for a reason."""
    rule = rules.WITHDRAW_REASON if move == "withdraw" else rules.REOPEN_REASON
    return rule.clean_field(reason)


# --- what the state allows ---------------------------------------------------------------


def withdrawn_status(transaction: Transaction) -> Status | None:
    """Where withdrawing takes it: its flow's Withdrawn status, if the flow leads there
    from the status it is in (the standard flows do from every unfinished one)."""
    status = transaction.status
    if not status.is_open:
        return None
    return status.next_statuses.filter(code=WITHDRAWN).first()


def reopened_status(transaction: Transaction) -> Status | None:
    """Where reopening takes it: from a resolved status, the first open one its flow
    leads to (In progress in the standard flow)."""
    status = transaction.status
    if status.category != Status.Category.RESOLVED:
        return None
    return status.next_statuses.filter(category=Status.Category.OPEN).order_by("position").first()


def reopen_deadline(transaction: Transaction) -> datetime.datetime | None:
    """Until when a resolved transaction may be reopened; None if it is not resolved or
    its application allows no reopening. The period is in whole days from the moment it
    was resolved, that moment included: 14 days after, to the minute, is still in."""
    days = transaction.application.reopen_days
    if transaction.resolved_at is None or days <= 0:
        return None
    return transaction.resolved_at + datetime.timedelta(days=days)


def offered(
    user: access.Person | None,
    transaction: Transaction,
    *,
    now: datetime.datetime | None = None,
) -> frozenset[str]:
    """Which of withdraw and reopen the person may do now: what a page offers and the
    API lists among the transaction's actions."""
    now = now or timezone.now()
    moves = set()
    if access.can(user, "withdraw", transaction) and withdrawn_status(transaction) is not None:
        moves.add("withdraw")
    if access.can(user, "reopen", transaction) and reopened_status(transaction) is not None:
        deadline = reopen_deadline(transaction)
        if deadline is not None and now <= deadline:
            moves.add("reopen")
    return frozenset(moves)


def _when(moment: datetime.datetime) -> str:
    return dateformat.format(timezone.localtime(moment), "j M Y, H:i")


def _period(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


# --- the moves ---------------------------------------------------------------------------


def _locked(transaction: Transaction) -> Transaction:
    # Only the transaction's row is locked: its application's row is the one every
    # creator of that application's transactions locks for its number.
    return (
        Transaction.objects.select_for_update(of=("self",))
        .select_related("status", "application")
        .get(pk=transaction.pk)
    )


@db.atomic
def withdraw(
    *, actor: User, transaction: Transaction, reason: str, channel: str = Channel.WEB
) -> Transaction:
    """End an open request its customer no longer needs: it becomes Withdrawn (finished,
    like Closed), the reason is a shared note, and the audit trail says who and why."""
    access.require(actor, "withdraw", transaction)
    reason = clean_reason(reason, move="withdraw")
    transaction = _locked(transaction)
    current = transaction.status
    target = withdrawn_status(transaction)
    if target is None:
        raise ValidationError(
            {"status": [f"It is {current.name}; only an unfinished request can be withdrawn."]}
        )
    # The clock stops for good, and it is finished, but not answered: a withdrawal is no
    # response from us (services._move).
    _move(actor, transaction, target, timezone.now(), reason, channel, move="withdraw")
    return transaction


@db.atomic
def reopen(
    *, actor: User, transaction: Transaction, reason: str, channel: str = Channel.WEB
) -> Transaction:
    """Put a resolved transaction back to work, within its application's reopen period.
    The time it spent resolved does not count against the SLA: the clock was stopped
    while we believed it done, as it is while we wait on the customer."""
    access.require(actor, "reopen", transaction)
    reason = clean_reason(reason, move="reopen")
    transaction = _locked(transaction)
    current = transaction.status
    target = reopened_status(transaction)
    if target is None:
        raise ValidationError(
            {"status": [f"It is {current.name}; only a resolved request can be reopened."]}
        )
    now = timezone.now()
    deadline = reopen_deadline(transaction)
    if deadline is None or now > deadline:
        days = transaction.application.reopen_days
        if days <= 0:
            message = f"A {transaction.application.name} cannot be reopened once resolved."
        else:
            message = (
                f"A {transaction.application.name} can be reopened for {_period(days)} "
                f"after it is resolved; this one was resolved on "
                f"{_when(transaction.resolved_at or now)}. Please log a new request."
            )
        raise ValidationError({"status": [message]})
    # services._move pushes the SLA clock on by the time it spent resolved, whoever
    # reopens it.
    _move(actor, transaction, target, now, reason, channel, move="reopen")
    return transaction


# The event each move records (its subscribers tell the assignees).
_RECORDS: dict[str, str] = {"withdraw": "transaction.withdrawn", "reopen": "transaction.reopened"}


def _move(
    actor: User,
    transaction: Transaction,
    target: Status,
    now: datetime.datetime,
    reason: str,
    channel: str,
    *,
    move: str,
) -> None:
    """The status control's own move (services._move), then the event with its reason
    and the reason as a shared note."""
    action = _RECORDS[move]
    before = transaction.status
    services._move(transaction, target, now)
    transaction.save(
        update_fields=[*services._touch(transaction, actor, now), *services.MOVE_FIELDS]
    )
    audit.record(
        action=action,
        actor=actor,
        channel=services._audit_channel(channel),
        subject=transaction,
        data={"status": {"before": before.name, "after": target.name}, "reason": reason},
    )
    _note(actor, transaction, reason, channel)


def _note(actor: User, transaction: Transaction, reason: str, channel: str) -> None:
    # The reason is also what the people working it read in the notes. The assignees
    # hear what the customer did from the move's event, once, in place of the note's
    # "added a note".
    services.add_note(
        actor=actor,
        transaction=transaction,
        body=reason,
        visibility=Note.Visibility.SHARED,
        channel=Channel.API if channel == Channel.API else Channel.WEB,
        tell_assignees=False,
    )
