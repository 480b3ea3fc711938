"""Webhooks hear of every event: each subscription that wants it, and whose owner may
see it, gets a delivery row, written in the worker's transaction that dispatches the
event and sent after its commit (portico.webhooks.delivery)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from portico.audit.models import Event
from portico.events.dispatch import subscriber
from portico.webhooks import services
from portico.webhooks.models import ALL_EVENTS, Subscription

# The event names some active subscription asks for, read at most every
# PORTICO_WEBHOOK_NAMES_SECONDS per process: asked at every event's recording, so that
# an event no one follows (a portal view, say) neither wakes the worker nor waits for
# it. A new subscription elsewhere is heard of within that time; in this process, at once.
_names: tuple[float, frozenset[str]] = (0.0, frozenset())


def wanted(name: str) -> bool:
    global _names
    if name == "webhook.ping":  # sent only to the subscription pinged, by the ping itself
        return False
    expires, names = _names
    now = time.monotonic()
    if now >= expires:
        names = frozenset(
            chosen
            for events in Subscription.objects.filter(active=True).values_list("events", flat=True)
            for chosen in events
        )
        _names = (now + settings.PORTICO_WEBHOOK_NAMES_SECONDS, names)
    return ALL_EVENTS in names or name in names


@receiver([post_save, post_delete], sender=Subscription, dispatch_uid="webhooks.names")
def _forget_names(**kwargs: Any) -> None:
    global _names
    _names = (0.0, frozenset())


@subscriber(wants=wanted)
def queue_deliveries(event: Event) -> None:
    services.deliveries_for(event)
