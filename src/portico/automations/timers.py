"""The time rules, checked by the worker every minute: what has not happened by a
moment (the first response, the resolution, the customer's reply, a reopening).

Each rule counts from its timer's moment on a transaction, and each of its actions fires
`after_minutes` from that moment (negative: before it), once per action, transaction and
moment, while the transaction is still in the state the timer is about. Once is the
`Firing` row's unique constraint: it is written in the same database transaction as the
action's run, so of two workers looking at the same moment one writes it and acts, and
the other (waiting on its insert until the first commits) finds it taken and moves on.
A moment that moves (a wait ended and begun again, a priority changed the due time) is
a new moment and fires again.

A failed action keeps its `Firing` (it is not fired again by the next minute's run): the
engine's `Failure` row has it tried again, while the transaction is still in that
state."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator

from django.db import IntegrityError
from django.db import transaction as db
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from portico.audit.models import Event
from portico.automations import engine
from portico.automations.actor import automation_user
from portico.automations.conditions import Context, all_hold
from portico.automations.models import Action, Condition, Firing, Rule
from portico.parties.models import User
from portico.service.models import Application, Status, Transaction

log = logging.getLogger(__name__)

Timer = Rule.Timer

# How far back a run looks for a moment it has not yet acted on: a worker stopped for
# longer than this does not wake to a week's escalations about old news. The bound also
# keeps each query to the recent part of its index.
WINDOW = datetime.timedelta(days=7)

# The moment each timer counts from.
MOMENT: dict[str, str] = {
    Timer.RESPONSE_DUE: "response_due_at",
    Timer.RESOLUTION_DUE: "resolution_due_at",
    # Set when it began waiting on the customer and kept across waiting statuses
    # (service/actions/clock.py); cleared when the wait ends.
    Timer.WAITING: "sla_paused_at",
    Timer.RESOLVED: "resolved_at",
}


def _categories(category: str) -> list[int]:
    return list(Status.objects.filter(category=category).values_list("pk", flat=True))


def pending(timer: str) -> QuerySet[Transaction]:
    """The transactions still in the state the timer is about. The response and
    resolution filters are those of the breach lists' partial indexes; waiting and
    resolved go by status (the status index) — while it waits on the customer the SLA
    clock is stopped, so nothing is due."""
    found = Transaction.objects.all()
    match timer:
        case Timer.RESPONSE_DUE:
            return found.filter(
                first_response_at__isnull=True, closed_at__isnull=True, sla_paused_at__isnull=True
            )
        case Timer.RESOLUTION_DUE:
            return found.filter(resolved_at__isnull=True, sla_paused_at__isnull=True)
        case Timer.WAITING:
            return found.filter(
                status_id__in=_categories(Status.Category.WAITING), sla_paused_at__isnull=False
            )
        case Timer.RESOLVED:
            return found.filter(
                status_id__in=_categories(Status.Category.RESOLVED), resolved_at__isnull=False
            )
    return found.none()


def still_due(action: Action, transaction: Transaction) -> bool:
    """Whether a time rule's action (being tried again) still has its reason: the
    transaction is still in its timer's state. A customer who replied since is not
    reminded, a reopened request not closed."""
    return pending(action.rule.timer).filter(pk=transaction.pk).exists()


def _due(action: Action, now: datetime.datetime, limit: int) -> QuerySet[Transaction]:
    """The transactions whose moment + the action's offset has come (within WINDOW), in
    the timer's state, that this action has not fired for at that moment."""
    timer = action.rule.timer
    moment = MOMENT[timer]
    if timer == Timer.RESOLVED and action.after_minutes is None:
        # The application's reopen period: one range per application that has one
        # (0 days: never closed by time). Applications are few.
        periods = Application.objects.filter(reopen_days__gt=0).values_list("pk", "reopen_days")
        window = Q(pk__in=[])
        for application, days in periods:
            until = now - datetime.timedelta(days=days)
            window |= Q(
                application_id=application,
                **{f"{moment}__lte": until, f"{moment}__gt": until - WINDOW},
            )
    else:
        until = now - datetime.timedelta(minutes=action.after_minutes or 0)
        window = Q(**{f"{moment}__lte": until, f"{moment}__gt": until - WINDOW})
    fired = Firing.objects.filter(
        action=action, transaction=OuterRef("pk"), moment=OuterRef(moment)
    )
    return (
        pending(timer)
        .filter(window)
        .filter(~Exists(fired))
        .select_related(
            "application",
            "status",
            "priority",
            "organization__account_owner",
            "team__supervisor",
            "requester__user_group",
            "requester__organization",
        )
        .order_by(moment, "pk")[:limit]
    )


def _moments(
    now: datetime.datetime, limit: int
) -> Iterator[tuple[Action, list[Condition], Transaction]]:
    for timer in Timer.values:
        for rule in engine.rules(timer=timer):
            conditions = list(rule.conditions.all())
            for action in rule.actions.all():
                for transaction in _due(action, now, limit):
                    yield action, conditions, transaction


def run(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Fire every time rule's actions that are due at `now`, each once. Returns how many
    it fired (at most `limit`; the rest are left to the next run)."""
    now = now or timezone.now()
    actor: User | None = None
    fired = 0
    for action, conditions, transaction in _moments(now, limit):
        # The conditions are asked of the transaction as it is now, at `now`.
        context = Context(event=Event(occurred_at=now, data={}, depth=0), transaction=transaction)
        if not all_hold(conditions, context):
            continue
        actor = actor or automation_user()
        fired += _fire(action, transaction, context, actor, now)
        if fired >= limit:
            break
    return fired


def _fire(
    action: Action, transaction: Transaction, context: Context, actor: User, now: datetime.datetime
) -> bool:
    moment = getattr(transaction, MOMENT[action.rule.timer])
    try:
        with db.atomic():
            # The claim. Another worker's, not yet committed, holds this insert until it
            # commits (PostgreSQL) or holds the write lock (SQLite); then it fails here.
            Firing.objects.create(
                action=action, transaction=transaction, moment=moment, fired_at=now
            )
            # A failure is rolled back alone and kept for the retry; the firing stays.
            engine.perform(action, context, actor)
    except IntegrityError:
        log.debug("action %s on %s at %s: fired already", action.pk, transaction.pk, moment)
        return False
    return True
