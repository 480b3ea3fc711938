"""The event rules run on the events some active rule starts from, in the worker, after
the change's commit."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from portico.audit.models import Event
from portico.automations import engine
from portico.automations.models import TRIGGERS, Rule
from portico.events.dispatch import subscriber

# The events some active rule starts from, read at most every
# PORTICO_WEBHOOK_NAMES_SECONDS per process (as the webhooks' are): asked at every
# event's recording, so that an event no rule follows (a change of contact details,
# while no rule asks for it) does not wake the worker. A rule switched on in another
# process is heard of within that time; in this one, at once.
_names: tuple[float, frozenset[str]] = (0.0, frozenset())


def wanted(name: str) -> bool:
    global _names
    if name not in TRIGGERS:
        return False
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


@receiver([post_save, post_delete], sender=Rule, dispatch_uid="automations.names")
def _forget_names(**kwargs: Any) -> None:
    global _names
    _names = (0.0, frozenset())


@subscriber(wants=wanted)
def run_rules(event: Event) -> None:
    if event.action in TRIGGERS:
        engine.on_event(event)
