"""The event rules run on the events some active rule starts from, in the worker, after
the change's commit."""

from __future__ import annotations

import time

from django.conf import settings
from django.db.models.signals import post_delete, post_save

from portico.access import setup
from portico.audit.models import Event
from portico.automations import engine
from portico.automations.models import TRIGGERS, Rule
from portico.events.dispatch import subscriber

# The events some active rule starts from, read at most every
# PORTICO_WEBHOOK_NAMES_SECONDS per process (as the webhooks' are): asked at every
# event's recording, so that an event no rule follows (a change of contact details,
# while no rule asks for it) does not wake the worker. A rule switched on is heard of at
# once in this process, and with Redis in every process (the set-up version); else
# elsewhere within that time.
_names: tuple[float, frozenset[str]] = (0.0, frozenset())


def wanted(name: str) -> bool:
    global _names
    if name not in TRIGGERS:
        return False
    setup.check()  # a change in another process, heard of through Redis
    expires, names = _names
    now = time.monotonic()
    if now >= expires:
        names = frozenset(
            Rule.objects.filter(active=True, trigger=Rule.Trigger.EVENT).values_list(
                "event", flat=True
            )
        )
        _names = (now + settings.PORTICO_WEBHOOK_NAMES_SECONDS, names)
    return name in names


def _forget_names() -> None:
    global _names
    _names = (0.0, frozenset())


setup.also_forget(_forget_names)
post_save.connect(setup.changed, sender=Rule, dispatch_uid="automations.names")
post_delete.connect(setup.changed, sender=Rule, dispatch_uid="automations.names-deleted")


@subscriber(wants=wanted)
def run_rules(event: Event) -> None:
    if event.action in TRIGGERS:
        engine.on_event(event)
