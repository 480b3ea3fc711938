"""Webhooks hear of every event: each subscription that wants it, and whose owner may
see it, gets a delivery row, written in the worker's transaction that dispatches the
event and sent after its commit (portico.webhooks.delivery)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save

from portico.access import setup
from portico.audit.models import Event
from portico.events.dispatch import subscriber
from portico.webhooks import services
from portico.webhooks.models import ALL_EVENTS, Subscription

# The event names some active subscription asks for, read at most every
# PORTICO_WEBHOOK_NAMES_SECONDS per process: asked at every event's recording, so that
# an event no one follows (a portal view, say) neither wakes the worker nor waits for
# it. A new subscription is heard of at once in this process, and with Redis in every
# process (the set-up version, portico.access.setup); else elsewhere within that time.
_names: tuple[float, frozenset[str]] = (0.0, frozenset())


def wanted(name: str) -> bool:
    global _names
    if name == "webhook.ping":  # sent only to the subscription pinged, by the ping itself
        return False
    setup.check()  # a change in another process, heard of through Redis
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


def _forget_names() -> None:
    global _names
    _names = (0.0, frozenset())


def _subscription_saved(*, update_fields: frozenset[str] | None = None, **kwargs: Any) -> None:
    # A failed delivery saves its subscription's failure count: no reason for every
    # process to forget its set-up.
    if update_fields is None or update_fields & {"events", "active"}:
        setup.changed(**kwargs)


setup.also_forget(_forget_names)
post_save.connect(_subscription_saved, sender=Subscription, dispatch_uid="webhooks.names")
post_delete.connect(setup.changed, sender=Subscription, dispatch_uid="webhooks.names-deleted")


@subscriber(wants=wanted)
def queue_deliveries(event: Event) -> None:
    services.deliveries_for(event)
