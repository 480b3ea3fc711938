"""The status move and the SLA clock that follows it: due times, the pause while we wait
on the customer, the finish times. A module of its own because the actions that move a
transaction (`status`, `notes`) and those that set due times (`create`, `profile`) all
need it, and `status` itself adds notes."""

from __future__ import annotations

import datetime

from portico.service import sla
from portico.service.calendar import business_minutes_between
from portico.service.models import Status, Transaction
from portico.service.standard import WITHDRAWN


def set_due_times(transaction: Transaction) -> None:
    """Due times run from creation over business hours, plus any time spent waiting on
    the customer. `due_at`, the lists' "Resolve by", is the resolution due time only: a
    priority without a resolution target (P4) has none, rather than a response time
    that would make the column mean two things (issue 19)."""
    if transaction.priority is None:  # no targets, and no calendar to read
        transaction.response_due_at = transaction.resolution_due_at = transaction.due_at = None
        return
    due = sla.due_times(
        transaction.priority,
        start=transaction.created_at,
        hours=sla.default_hours(),
        paused_minutes=transaction.sla_paused_minutes,
    )
    transaction.response_due_at = due.respond_by
    transaction.resolution_due_at = transaction.due_at = due.resolve_by


def _pause_or_resume(transaction: Transaction, new_status: Status, now: datetime.datetime) -> None:
    waiting = new_status.category == Status.Category.WAITING
    if waiting and transaction.sla_paused_at is None:
        transaction.sla_paused_at = now
    elif not waiting and transaction.sla_paused_at is not None:
        hours = sla.default_hours()
        transaction.sla_paused_minutes += business_minutes_between(
            transaction.sla_paused_at, now, hours
        )
        transaction.sla_paused_at = None
        set_due_times(transaction)


# What `move` may change, for the callers' `update_fields`.
MOVE_FIELDS = (
    "status",
    "resolved_at",
    "closed_at",
    "first_response_at",
    "sla_paused_at",
    "sla_paused_minutes",
    "response_due_at",
    "resolution_due_at",
    "due_at",
)


def move(transaction: Transaction, status: Status, now: datetime.datetime) -> None:
    """Put the transaction in `status` with all that follows for the SLA clock and the
    finish times. The one place for it: the status control (`status.change_status`), a
    customer's reply to a wait (`notes.add_note`), and the customer's withdraw and
    reopen (`status.withdraw`, `status.reopen`) each decide who may make which move,
    then call this; the caller saves MOVE_FIELDS. `transaction.status` must be the
    status it is leaving."""
    leaving = transaction.status
    if not leaving.is_open and status.is_open:
        # Back to work after it was finished (Resolved → In progress, by the staff or by
        # the customer reopening it). The clock stopped while we believed it done, as it
        # does while we wait on the customer; pushed on by that time, the due times do
        # not make a reopened request late the moment it is back.
        finished_at = transaction.resolved_at or transaction.closed_at or now
        transaction.sla_paused_minutes += business_minutes_between(
            finished_at, now, sla.default_hours()
        )
        set_due_times(transaction)
        transaction.resolved_at = transaction.closed_at = None
    _pause_or_resume(transaction, status, now)
    transaction.status = status
    if status.category == Status.Category.RESOLVED:
        transaction.resolved_at = now
    elif status.category == Status.Category.CLOSED:
        transaction.closed_at = now
        transaction.resolved_at = transaction.resolved_at or now
    if (
        transaction.resolved_at is not None
        and transaction.first_response_at is None
        and status.code != WITHDRAWN
    ):
        # Finishing it is our response if nothing came before: the customer reads the
        # resolution, or is told it is closed. A withdrawal is the customer's word, not
        # ours, and must not count as a response in the response-time figures; the
        # breach list knows a closed request owes none (selectors._late).
        transaction.first_response_at = now
