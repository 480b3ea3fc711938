"""Running the rules: the event rules on each event the worker dispatches, and any
action again that failed before.

Each action runs in its own savepoint, as the automation person, with the rule as the
actor of everything it records. One that fails is rolled back alone and written down
(`Failure`) for the worker to try again; the rule's other actions, the other rules and
the change that set them off are not held up. A rule never sets itself off (its own
events name it), and no chain of rules runs deeper than MAX_DEPTH."""

from __future__ import annotations

import datetime
import logging

from django.contrib.contenttypes.models import ContentType
from django.db import transaction as db
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from portico.audit.models import Event
from portico.automations.actions import RUN, Skipped
from portico.automations.actor import automation_user
from portico.automations.conditions import Context, all_hold
from portico.automations.models import Action, Condition, Failure, Rule
from portico.events import retry
from portico.events import services as events
from portico.parties.models import Individual, User
from portico.service.models import Choice, Transaction

log = logging.getLogger(__name__)

# A rule's action may set off another rule, whose action may set off a third; no further.
MAX_DEPTH = 3
# A failed action is tried again this often, backing off, then given up (and shown).
MAX_ATTEMPTS = 8
RETRY = datetime.timedelta(minutes=1)
MAX_RETRY = datetime.timedelta(hours=2)


def rules(*, event: str = "", timer: str = "") -> QuerySet[Rule]:
    """The active rules on an event (or a timer), in order, with everything they need."""
    found = Rule.objects.filter(active=True)
    found = (
        found.filter(trigger=Rule.Trigger.EVENT, event=event)
        if event
        else found.filter(trigger=Rule.Trigger.TIME, timer=timer)
    )
    return found.prefetch_related(
        Prefetch("conditions", queryset=Condition.objects.select_related("classification")),
        Prefetch("actions", queryset=_actions()),
    )


def _actions() -> QuerySet[Action]:
    return Action.objects.select_related(
        "rule",
        "individual",
        "team",
        "classification",
        "choice",
        "priority",
        "permission",
        "webhook__owner__user",
    ).order_by("position", "id")


def context_for(event: Event) -> Context:
    transaction = person = product = None
    if event.subject_type_id is not None and event.subject_id:
        model = ContentType.objects.get_for_id(event.subject_type_id).model_class()
        if model is Transaction:
            transaction = (
                Transaction.objects.select_related(
                    "application",
                    "status",
                    "priority",
                    "organization__account_owner",
                    "team__supervisor",
                    "requester__user_group",
                    "requester__organization",
                )
                .filter(pk=event.subject_id)
                .first()
            )
        elif model is Individual:
            person = (
                Individual.objects.select_related("user_group", "organization__account_owner")
                .filter(pk=event.subject_id)
                .first()
            )
        elif model is Choice:
            product = Choice.objects.filter(pk=event.subject_id).first()
    return Context(event=event, transaction=transaction, person=person, product=product)


def on_event(event: Event) -> int:
    """Run every active rule on the event whose conditions hold. Returns how many ran."""
    if event.depth >= MAX_DEPTH:
        log.warning("event %s: a chain of %s rules stops here", event.pk, event.depth)
        return 0
    if event.action == "note.added" and (event.data or {}).get("announce") is False:
        return 0  # a withdrawal's or reopening's reason: that move's own event tells of it
    matching = [r for r in rules(event=event.action) if r.pk != event.rule_id]
    if not matching:
        return 0
    context = context_for(event)
    if context.transaction is None and context.person is None and context.product is None:
        return 0  # its subject is gone
    actor = automation_user()
    ran = 0
    for rule in matching:
        if not all_hold(list(rule.conditions.all()), context):
            continue
        ran += 1
        for action in rule.actions.all():
            perform(action, context, actor)
    return ran


def perform(
    action: Action, context: Context, actor: User, *, failure: Failure | None = None
) -> bool:
    """Run one action; on failure roll it back alone and write it down to try again.
    True if it is done (or had nothing to do)."""
    rule = action.rule
    try:
        with db.atomic(), events.acting_for_rule(rule.pk, rule.name, depth=context.event.depth + 1):
            RUN[action.kind](action, context, actor)
    except Skipped:
        pass
    except Exception as error:
        log.warning("rule %s, action %s: %s", rule.pk, action.pk, error, exc_info=True)
        _failed(action, context, error, failure)
        return False
    if failure is not None:
        Failure.objects.filter(pk=failure.pk).update(done_at=timezone.now())
    return True


def _failed(action: Action, context: Context, error: Exception, failure: Failure | None) -> None:
    message = f"{type(error).__name__}: {error}"[:2000]
    now = timezone.now()
    if failure is None:
        Failure.objects.create(
            action=action,
            event=context.event if context.event.pk else None,
            transaction=context.transaction,
            error=message,
            next_try_at=now + RETRY,
        )
        return
    attempts = failure.attempts + 1
    Failure.objects.filter(pk=failure.pk).update(
        attempts=attempts,
        error=message,
        next_try_at=now + retry.backoff(attempts, base=RETRY, cap=MAX_RETRY),
        given_up_at=now if attempts >= MAX_ATTEMPTS else None,
    )


def retry_failures(*, now: datetime.datetime | None = None, limit: int = 100) -> int:
    """Try again the failed actions that are due. Returns how many now succeeded."""
    now = now or timezone.now()
    due: list[Failure] = list(
        Failure.objects.filter(done_at__isnull=True, given_up_at__isnull=True, next_try_at__lte=now)
        .select_related("event", "transaction")
        .order_by("next_try_at", "id")[:limit]
    )
    # Their actions in one query, not one a failure.
    actions_by_id = {a.pk: a for a in _actions().filter(pk__in={f.action_id for f in due})}
    done = 0
    actor: User | None = None
    for failure in due:
        action = actions_by_id.get(failure.action_id)
        if action is None or not action.rule.active:
            Failure.objects.filter(pk=failure.pk).update(given_up_at=now)
            continue
        actor = actor or automation_user()
        if failure.event is not None:
            context = context_for(failure.event)
        else:
            # A time rule's: no event, the transaction as it is now, if it still has
            # the reason it fired for (a customer who replied since is not reminded).
            from portico.automations import timers

            if (
                action.rule.trigger == Rule.Trigger.TIME
                and failure.transaction is not None
                and not timers.still_due(action, failure.transaction)
            ):
                Failure.objects.filter(pk=failure.pk).update(done_at=now)
                continue
            context = Context(
                event=Event(occurred_at=now, data={}), transaction=failure.transaction
            )
        done += perform(action, context, actor, failure=failure)
    return done
