"""Recording events. Every action calls `record` inside its own database transaction:
the event is written with the change or not at all, and it is the audit trail.

What follows an event (notifications, e-mail, webhooks, later automations and surveys)
is not done here: the event row is left undispatched, and after the commit a worker is
woken and runs its subscribers (`portico.events.dispatch`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.db import transaction as db
from django.utils import timezone

from portico.audit.models import Channel, Event
from portico.events import dispatch, registry

__all__ = ["Channel", "acting_for_rule", "record"]


@dataclass(frozen=True)
class Acting:
    """An automation rule carrying out its actions: what it records is its own."""

    rule_id: int
    name: str
    depth: int


_ACTING: ContextVar[Acting | None] = ContextVar("portico_acting_rule", default=None)


@contextmanager
def acting_for_rule(rule_id: int, name: str, *, depth: int) -> Iterator[Acting]:
    """Every event recorded inside is the rule's: it names the rule as the actor and
    carries the rule and the chain's depth, which is what stops a rule from setting
    itself off, and any chain of rules from running on for ever."""
    acting = Acting(rule_id=rule_id, name=name, depth=depth)
    token = _ACTING.set(acting)
    try:
        yield acting
    finally:
        _ACTING.reset(token)


def record(
    name: str,
    *,
    actor: Any = None,
    actor_label: str = "",
    channel: str = Channel.WEB,
    portal: str = "",
    ip_address: str | None = None,
    subject: models.Model | None = None,
    data: dict[str, Any] | None = None,
    internal: bool = False,
) -> Event:
    """Write one event of a registered type. `internal` marks an event about an
    internal note, which only those who may read the note are shown."""
    kind = registry.get(name)
    payload = data or {}
    if "*" not in kind.payload and not payload.keys() <= kind.payload:
        unknown = ", ".join(sorted(payload.keys() - kind.payload))
        raise ValueError(f"{name} carries no {unknown} (portico.events.registry).")
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    acting = _ACTING.get()
    if acting is not None:
        actor_label = actor_label or f"Rule “{acting.name}”"[:254]
        channel = Channel.TASK
    now = timezone.now()
    wanted = dispatch.wanted(name)
    event = Event.objects.create(
        occurred_at=now,
        dispatched_at=None if wanted else now,
        action=name,
        actor=actor,
        actor_label=actor_label or (actor.get_full_name() if actor is not None else ""),
        channel=channel,
        portal=portal,
        ip_address=ip_address,
        subject_type=ContentType.objects.get_for_model(subject) if subject is not None else None,
        subject_id=str(subject.pk) if subject is not None else "",
        data=payload,
        internal=internal,
        rule_id=acting.rule_id if acting is not None else None,
        depth=acting.depth if acting is not None else 0,
    )
    if wanted:
        _wake_worker()
    return event


def _wake_worker() -> None:
    """After the commit, make sure one dispatch job waits for a worker, however many
    events the transaction recorded: done after the commit so that it never lengthens
    the change's hold on the database's write lock (SQLite has one for everybody)."""
    if not settings.PORTICO_WAKE_WORKER:
        return
    if any(entry[1] is _wake for entry in connection.run_on_commit):
        return  # this transaction will see to it already
    db.on_commit(_wake)


def _wake() -> None:
    """If a dispatch job is queued and not yet taken, it will find these events too:
    under load, one read a write rather than one more row. Otherwise queue one. A job
    lost to a process killed right here, or taken and finished just before this
    commit, costs only latency: the worker's event sweep finds the events seconds later."""
    from django_tasks_db.models import DBTaskResult

    from portico.events import tasks

    waiting = DBTaskResult.objects.ready().filter(task_path=tasks.dispatch_events.module_path)
    if not waiting.exists():
        tasks.dispatch_events.enqueue()
