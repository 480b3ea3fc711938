"""Moving a transaction along its status flow.

The staff move it along the whole flow with the status control (`change_status`,
offered as `status_moves`). Everyone else has two moves of their own (issue 19):
withdrawing an open request they no longer need, and reopening a resolved one that is
not fixed after all, within the application's reopen period. Both take a reason,
recorded in the event and added as a shared note so that the people working it read it
where they read the rest. Who may is `portico.access` ("withdraw", "reopen": whoever
may add to it); whether the transaction's state and its application's flow allow it is
decided here, for the pages and the API alike."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction as db
from django.utils import dateformat, timezone

from portico import access
from portico.access import setup
from portico.events import services as events
from portico.parties.models import User
from portico.service import rules
from portico.service.actions import clock
from portico.service.actions.base import event_channel, touch
from portico.service.actions.notes import add_note
from portico.service.models import Channel, Note, Status, Transaction
from portico.service.standard import WITHDRAWN

# --- the status control ------------------------------------------------------------------


def status_moves(*, actor: User, transaction: Transaction) -> list[Status]:
    """The statuses this person may move the transaction to from where it stands, in the
    flow's order: none without the right to change its status. Pages offer exactly
    these and `change_status` refuses anything else, so no control offers a move the
    server would refuse."""
    if not access.can(actor, "change_status", transaction):
        return []
    # The status itself is never a move, even if an administrator's flow lists it.
    return [s for s in next_statuses(transaction.status_id) if s.pk != transaction.status_id]


def next_statuses(status_id: int) -> list[Status]:
    """Where the flow leads from a status, in the flow's order (set-up, kept a while)."""
    return setup.rows(
        "next_statuses",
        status_id,
        lambda: list(Status.objects.filter(previous_statuses=status_id).order_by("position", "pk")),
    )


def _refuse_move(current: Status, status: Status, allowed: list[Status]) -> ValidationError:
    if not allowed:
        why = f"No move is allowed from {current.name}."
    else:
        why = f"Allowed: {', '.join(s.name for s in allowed)}."
    return ValidationError({"status": [f"Cannot move from {current.name} to {status.name}. {why}"]})


@db.atomic
def change_status(
    *,
    actor: User,
    transaction: Transaction,
    status: Status,
    resolution: str = "",
    channel: str = Channel.WEB,
) -> Transaction:
    """Move along the application's status flow. Waiting on the customer pauses the SLA
    clock; resolving needs a resolution the customer will read."""
    access.require(actor, "change_status", transaction)
    transaction = (
        Transaction.objects.select_for_update().select_related("status").get(pk=transaction.pk)
    )
    current = transaction.status
    if status.application_id != transaction.application_id:
        raise ValidationError({"status": [f"“{status.name}” is not a status of this transaction."]})
    if status.pk == current.pk:
        return transaction
    # The same question the pages ask to decide what to offer.
    allowed = status_moves(actor=actor, transaction=transaction)
    if status not in allowed:
        raise _refuse_move(current, status, allowed)
    resolution = rules.RESOLUTION.clean_field(resolution)
    if status.category == Status.Category.RESOLVED and not (resolution or transaction.resolution):
        raise ValidationError({"resolution": ["Say how it was resolved."]})
    now = timezone.now()
    clock.move(transaction, status, now)
    if status.category == Status.Category.RESOLVED:
        transaction.resolution = resolution or transaction.resolution
    elif status.category == Status.Category.CLOSED and resolution:
        transaction.resolution = resolution
    fields = touch(transaction, actor, now)
    transaction.save(update_fields=[*fields, *clock.MOVE_FIELDS, "resolution"])
    events.record(
        "transaction.status_changed",
        actor=actor,
        channel=event_channel(channel),
        subject=transaction,
        data={
            "status": {"before": current.name, "after": status.name},
            **({"resolution": resolution} if resolution else {}),
        },
    )
    return transaction


# --- closing when time is up -------------------------------------------------------------


def closing_status(transaction: Transaction) -> Status | None:
    """Where `close` takes it: its application's Closed status (code "closed"), else its
    one closed status; never Withdrawn (the customer's own end), and none when the flow
    has several for a person to choose between (a sale is won or lost)."""
    finished = list(
        Status.objects.filter(
            application_id=transaction.application_id, category=Status.Category.CLOSED
        )
        .exclude(code=WITHDRAWN)
        .order_by("position", "pk")
    )
    named = [s for s in finished if s.code == "closed"]
    if named:
        return named[0]
    return finished[0] if len(finished) == 1 else None


@db.atomic
def close(
    *, actor: User, transaction: Transaction, note: str = "", channel: str = Channel.INTERNAL
) -> Transaction:
    """Close it from wherever it stands: the move an automation rule makes when time is
    up (a wait the customer never answered, a reopen period ended). The standard flow
    offers the status control no Waiting → Closed, since a person closes through
    Resolved, saying how; a rule's administrator has decided the closing here. The SLA
    clock and finish times follow as for any move (`clock.move`). `note`, if given, is a
    shared note and the resolution the customer's "closed" message carries."""
    access.require(actor, "change_status", transaction)
    note = rules.RESOLUTION.clean_field(note) if note.strip() else ""
    transaction = _locked(transaction)
    current = transaction.status
    if current.category == Status.Category.CLOSED:
        raise ValidationError({"status": [f"It is {current.name}: finished already."]})
    target = closing_status(transaction)
    if target is None:
        raise ValidationError(
            {"status": [f"{transaction.application.name} has no one closed status to close with."]}
        )
    if note:
        # Unannounced: the customer reads it in the "closed" message, not twice.
        add_note(
            actor=actor,
            transaction=transaction,
            body=note,
            visibility=Note.Visibility.SHARED,
            channel=channel,
            tell_assignees=False,
        )
        transaction = _locked(transaction)  # the note moved its times on
    now = timezone.now()
    clock.move(transaction, target, now)
    transaction.resolution = note or transaction.resolution
    fields = touch(transaction, actor, now)
    transaction.save(update_fields=[*fields, *clock.MOVE_FIELDS, "resolution"])
    events.record(
        "transaction.status_changed",
        actor=actor,
        channel=event_channel(channel),
        subject=transaction,
        data={
            "status": {"before": current.name, "after": target.name},
            **({"resolution": note} if note else {}),
        },
    )
    return transaction


# --- a customer's withdraw and reopen ----------------------------------------------------

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
    return next((s for s in next_statuses(status.pk) if s.code == WITHDRAWN), None)


def reopened_status(transaction: Transaction) -> Status | None:
    """Where reopening takes it: from a resolved status, the first open one its flow
    leads to (In progress in the standard flow)."""
    status = transaction.status
    if status.category != Status.Category.RESOLVED:
        return None
    return next((s for s in next_statuses(status.pk) if s.category == Status.Category.OPEN), None)


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
    # response from us (clock.move).
    _customer_move(actor, transaction, target, timezone.now(), reason, channel, move="withdraw")
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
    # clock.move pushes the SLA clock on by the time it spent resolved, whoever
    # reopens it.
    _customer_move(actor, transaction, target, now, reason, channel, move="reopen")
    return transaction


# The event each move records (its subscribers tell the assignees).
_RECORDS: dict[str, str] = {"withdraw": "transaction.withdrawn", "reopen": "transaction.reopened"}


def _customer_move(
    actor: User,
    transaction: Transaction,
    target: Status,
    now: datetime.datetime,
    reason: str,
    channel: str,
    *,
    move: str,
) -> None:
    """The status control's own move (`clock.move`), then the event with its reason
    and the reason as a shared note."""
    action = _RECORDS[move]
    before = transaction.status
    clock.move(transaction, target, now)
    transaction.save(update_fields=[*touch(transaction, actor, now), *clock.MOVE_FIELDS])
    events.record(
        action,
        actor=actor,
        channel=event_channel(channel),
        subject=transaction,
        data={"status": {"before": before.name, "after": target.name}, "reason": reason},
    )
    _reason_note(actor, transaction, reason, channel)


def _reason_note(actor: User, transaction: Transaction, reason: str, channel: str) -> None:
    # The reason is also what the people working it read in the notes. The assignees
    # hear what the customer did from the move's event, once, in place of the note's
    # "added a note".
    add_note(
        actor=actor,
        transaction=transaction,
        body=reason,
        visibility=Note.Visibility.SHARED,
        # A reopening reply by e-mail (portico.mail) is an e-mail note, its reason the reply.
        channel=channel if channel in {Channel.API, Channel.EMAIL} else Channel.WEB,
        tell_assignees=False,
    )
