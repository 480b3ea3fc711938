"""Webhook subscriptions and their deliveries: the writes the API, Systems Admin and
the event subscriber share. Who may call each is asked of `portico.access` by the
interfaces (`may_manage_webhooks`, `may_change_webhook`); these check the data."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction as db
from django.db.models import QuerySet
from django.utils import timezone

from portico import access
from portico.audit.models import Channel, Event
from portico.events import registry
from portico.events.payload import envelope, payloads_for
from portico.events.services import record
from portico.parties.models import Individual, User
from portico.webhooks.models import (
    ALL_EVENTS,
    Delivery,
    Subscription,
    new_secret,
    retry_deadline,
)
from portico.webhooks.targets import check_url

PING = "webhook.ping"
MAX_EVENTS = len(registry.NAMES) + 1


def clean_events(events: Any) -> list[str]:
    """Registered event names (or "*" for all), each once, in the registry's order."""
    if not isinstance(events, list | tuple) or not events:
        raise ValidationError({"events": ['Name at least one event, or "*" for every event.']})
    if len(events) > MAX_EVENTS or not all(isinstance(name, str) for name in events):
        raise ValidationError({"events": ["Give a list of event names."]})
    unknown = sorted({n for n in events if n != ALL_EVENTS and n not in registry.REGISTRY})
    if unknown:
        raise ValidationError(
            {"events": [f"Not an event: {', '.join(unknown)[:200]}. See the event list."]}
        )
    if ALL_EVENTS in events:
        return [ALL_EVENTS]
    return [name for name in registry.NAMES if name in events]


def clean_url(url: Any) -> str:
    if not isinstance(url, str) or not url.strip() or len(url) > 500:
        raise ValidationError({"url": ["Give an https:// URL of at most 500 characters."]})
    cleaned = str(url).strip()
    check_url(cleaned)
    return cleaned


def create_subscription(*, owner: Individual, url: str, events: Sequence[str]) -> Subscription:
    subscription = Subscription(owner=owner, url=clean_url(url), events=clean_events(events))
    subscription.save()
    return subscription


def change_subscription(
    *, subscription: Subscription, url: str | None = None, events: Sequence[str] | None = None
) -> Subscription:
    fields = []
    if url is not None:
        subscription.url = clean_url(url)
        fields.append("url")
    if events is not None:
        subscription.events = clean_events(events)
        fields.append("events")
    if fields:
        subscription.save(update_fields=fields)
    return subscription


def rotate_secret(*, subscription: Subscription) -> str:
    """A new secret, in force at once: the next attempt (a retry too) is signed with it."""
    subscription.secret = new_secret()
    subscription.save(update_fields=["secret"])
    return subscription.secret


def pause(*, subscription: Subscription, reason: str) -> None:
    subscription.active = False
    subscription.paused_reason = reason[:300]
    subscription.save(update_fields=["active", "paused_reason"])


def resume(*, subscription: Subscription) -> None:
    """Active again, with a clean slate: the deliveries held while paused are sent."""
    subscription.active = True
    subscription.paused_reason = ""
    subscription.consecutive_failures = 0
    subscription.failing_since = None
    subscription.save(
        update_fields=["active", "paused_reason", "consecutive_failures", "failing_since"]
    )
    now = timezone.now()
    held = Delivery.objects.filter(
        subscription=subscription, succeeded_at__isnull=True, given_up_at__isnull=True
    )
    held.update(due_at=now, retry_until=retry_deadline())
    _send_after_commit(list(held.values_list("pk", flat=True)))


def delete_subscription(*, subscription: Subscription) -> None:
    subscription.delete()


# --- deliveries -------------------------------------------------------------------------


def _body(delivery_id: str, event: Event, data: dict[str, Any]) -> str:
    # The envelope's `id` is the delivery's (issue 20), which every retry repeats;
    # `sent_at` is added when each attempt is signed.
    return json.dumps({**envelope(event, data), "id": delivery_id}, separators=(",", ":"))


def _delivery(subscription: Subscription, event: Event, data: dict[str, Any]) -> Delivery:
    delivery = Delivery(subscription=subscription, event=event, event_name=event.action)
    delivery.body = _body(str(delivery.delivery_id), event, data)
    return delivery


def deliveries_for(
    event: Event, *, subscriptions: QuerySet[Subscription] | None = None
) -> list[Delivery]:
    """Write a delivery of `event` to every active subscription (of `subscriptions`, if
    given) that wants it and whose owner may see it, with the payload built for that
    owner. The event subscriber."""
    if event.action == PING:
        return []  # a ping is for the one subscription pinged (`ping`)
    rows = Subscription.objects.all() if subscriptions is None else subscriptions
    wanted = [
        s
        for s in rows.filter(active=True).select_related("owner__user", "owner__user_group")
        if s.wants(event.action)
    ]
    payloads: dict[int, dict[str, Any] | None] = {}
    made = []
    for subscription in wanted:
        owner = subscription.owner
        if owner.pk not in payloads:
            user = owner.user
            payloads[owner.pk] = (
                payloads_for(user, [event]).get(event.pk)
                if user is not None and access.may_receive_webhooks(user)
                else None
            )
        data = payloads[owner.pk]
        if data is not None:
            made.append(_delivery(subscription, event, data))
    Delivery.objects.bulk_create(made)
    _send_after_commit([d.pk for d in made])
    return made


def deliver_event(*, subscription: Subscription, event: Event) -> Delivery | None:
    """An automation rule's "call a webhook": the event, to this subscription, whatever
    events it names, with the payload its owner may see. One it names already gets the
    event from `deliveries_for`: not twice."""
    if not subscription.active or subscription.wants(event.action):
        return None
    owner = subscription.owner.user
    if owner is None or not access.may_receive_webhooks(owner):
        return None
    data = payloads_for(owner, [event]).get(event.pk)
    if data is None:
        return None
    delivery = _delivery(subscription, event, data)
    delivery.save()
    _send_after_commit([delivery.pk])
    return delivery


def ping(*, actor: User, subscription: Subscription, channel: str = Channel.API) -> Delivery:
    """A test delivery to one subscription, whatever events it names. Recorded (who
    pinged, when) and queued at once."""
    with db.atomic():
        event = record(
            "webhook.ping",
            actor=actor,
            channel=channel,
            subject=subscription,
            data={"subscription": subscription.pk},
        )
        owner = subscription.owner.user
        data = payloads_for(owner, [event]).get(event.pk) if owner is not None else None
        if data is None:
            # An owner who may no longer see it (they left): the ping says only that.
            data = {"subscription": subscription.pk}
        delivery = _delivery(subscription, event, data)
        delivery.save()
        _send_after_commit([delivery.pk])
    return delivery


def redeliver(*, delivery: Delivery) -> Delivery:
    """Send a delivery again, as it was (the same id and body), with a fresh 24 hours of
    retries: for a receiver that lost or refused it."""
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(
        due_at=now,
        retry_until=retry_deadline(),
        succeeded_at=None,
        given_up_at=None,
        claimed_until=None,
    )
    delivery.refresh_from_db()
    _send_after_commit([delivery.pk])
    return delivery


def recent_deliveries(subscription: Subscription) -> QuerySet[Delivery]:
    from portico.webhooks.delivery import KEEP

    return Delivery.objects.filter(subscription=subscription).order_by("-created_at", "-id")[:KEEP]


def _send_after_commit(ids: list[int]) -> None:
    if ids and settings.PORTICO_WAKE_WORKER:
        db.on_commit(partial(_enqueue, ids))


def _enqueue(ids: list[int]) -> None:
    # Imported here: a task is bound to its backend when it is defined.
    from portico.webhooks import tasks

    tasks.deliver.enqueue(ids=ids)
