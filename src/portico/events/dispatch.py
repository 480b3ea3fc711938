"""Running what follows an event: its subscribers, after the commit, in the worker.

A subscriber is a plain function of one event, registered for event names with
`@subscriber(...)`. It writes rows (an in-app notice, an outbox e-mail, a webhook
delivery), never talks to the outside world itself: the worker runs all of an event's
subscribers and marks the event dispatched in one database transaction, so each
subscriber's rows are written exactly once, whatever crashes. What leaves Portico is
sent afterwards from those rows (the outbox, the webhook deliveries), at least once and
recognisably repeated.

Workers claim events with SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL; on SQLite the
database lock serialises them. Events are dispatched in the order they were recorded.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Callable

from django.db import transaction as db
from django.utils import timezone

from portico.audit.models import Event
from portico.events import registry, retry

log = logging.getLogger(__name__)

Subscriber = Callable[[Event], None]
Wants = Callable[[str], bool]

_SUBSCRIBERS: dict[str, list[Subscriber]] = defaultdict(list)
# Subscribers for every event (webhooks), each with what says whether it wants an event
# of a given name now (a webhook subscription for it exists).
_ANY: list[tuple[Subscriber, Wants | None]] = []

BATCH = 100
RETRY = datetime.timedelta(seconds=30)
MAX_RETRY = datetime.timedelta(hours=1)


def subscriber(*names: str, wants: Wants | None = None) -> Callable[[Subscriber], Subscriber]:
    """Register the function for these event names. With no names it is for every event
    its `wants(name)` accepts (every event, without `wants`); `wants` must be cheap, as
    it is asked at each event's recording."""
    for name in names:
        registry.get(name)  # a typo fails at import, not silently at dispatch

    def register(function: Subscriber) -> Subscriber:
        if not names and all(function is not f for f, _ in _ANY):
            _ANY.append((function, wants))
        for name in names:
            if function not in _SUBSCRIBERS[name]:
                _SUBSCRIBERS[name].append(function)
        return function

    return register


def subscribers_of(name: str) -> list[Subscriber]:
    return [*_SUBSCRIBERS.get(name, []), *(f for f, wants in _ANY if wants is None or wants(name))]


def wanted(name: str) -> bool:
    """Whether anything follows an event of this name. One nothing follows (a portal
    view, while no webhook asks for views) is recorded as already dispatched: the
    worker is not woken for it, and it stays in the trail and the feed all the same."""
    return bool(_SUBSCRIBERS.get(name)) or any(wants is None or wants(name) for _, wants in _ANY)


def pending() -> int:
    return Event.objects.filter(dispatched_at__isnull=True).count()


def dispatch(*, limit: int = BATCH) -> int:
    """Run the subscribers of up to `limit` undispatched events, oldest first, each
    event in its own transaction. Returns how many were dispatched."""
    done = 0
    while done < limit:
        if not _dispatch_one():
            break
        done += 1
    return done


def dispatch_all() -> int:
    """Dispatch until nothing due is left (the worker's job; the demo's, in process)."""
    total = 0
    while batch := dispatch():
        total += batch
    return total


def _dispatch_one() -> bool:
    now = timezone.now()
    with db.atomic():
        event = (
            Event.objects.select_for_update(skip_locked=True)
            .filter(dispatched_at__isnull=True, dispatch_due_at__lte=now)
            .order_by("id")
            .first()
        )
        if event is None:
            return False
        try:
            with db.atomic():
                for function in subscribers_of(event.action):
                    function(event)
        except Exception as error:
            # Every subscriber's rows are rolled back with the savepoint; the event is
            # tried again later, whole, backing off. It does not block the events after it.
            log.exception("event %s (%s): a subscriber failed", event.pk, event.action)
            attempts = event.dispatch_attempts + 1
            Event.objects.filter(pk=event.pk).update(
                dispatch_attempts=attempts,
                dispatch_due_at=now + retry.backoff(attempts, base=RETRY, cap=MAX_RETRY),
                dispatch_error=f"{type(error).__name__}: {error}"[:2000],
            )
            return True
        # Conditional, for SQLite (no row locks): if another worker got here first,
        # this transaction's rows are rolled back rather than written twice.
        claimed = Event.objects.filter(pk=event.pk, dispatched_at__isnull=True).update(
            dispatched_at=timezone.now(), dispatch_error=""
        )
        if claimed != 1:
            db.set_rollback(True)
    return True
