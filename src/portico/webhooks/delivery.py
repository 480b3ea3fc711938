"""Sending webhook deliveries: claim due rows, POST each, record the answer.

As the e-mail outbox does (portico.notify.delivery): a sender leases due rows, on
PostgreSQL with SELECT … FOR UPDATE SKIP LOCKED, everywhere with a conditional UPDATE
(what serialises senders on SQLite); one that dies lets the lease lapse and the sweep
takes the rows again. Delivery is at least once; the delivery id, the same on every
attempt, makes it once for a receiver that keeps the ids it has seen.

A failed attempt is retried, backing off (30 s, 1 min, 2 min… at most 2 h apart), until
24 hours after the delivery was made; then it is given up. A subscription whose
attempts have all failed for 24 hours (and at least PAUSE_AFTER of them in a row) is
paused and its owner told by e-mail: an endpoint that is gone stops costing a worker
a timeout per event.
"""

from __future__ import annotations

import datetime
import json
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from portico.events import retry
from portico.notify.models import Delivery as Email
from portico.webhooks import sending, targets
from portico.webhooks.models import Delivery, Subscription

log = logging.getLogger(__name__)

BATCH = 20
# Longer than a batch can take (each attempt is bounded by sending.TIMEOUT per step);
# a dead worker's rows wait this long for another (PORTICO_WEBHOOK_LEASE_SECONDS).
LEASE = datetime.timedelta(seconds=settings.PORTICO_WEBHOOK_LEASE_SECONDS)
BACKOFF = datetime.timedelta(seconds=30)
MAX_BACKOFF = datetime.timedelta(hours=2)
PAUSE_AFTER = 10
FAILING_FOR = datetime.timedelta(hours=24)
KEEP = 50


@dataclass
class Pass:
    succeeded: int = 0
    failed: int = 0


def backoff(attempts: int) -> datetime.timedelta:
    """30 s after the 1st failed attempt, doubling, at most 2 h."""
    return retry.backoff(attempts, base=BACKOFF, cap=MAX_BACKOFF)


def _due(now: datetime.datetime) -> Q:
    return Q(
        succeeded_at__isnull=True,
        given_up_at__isnull=True,
        due_at__lte=now,
        subscription__active=True,
    ) & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))


def claim(
    *, limit: int = BATCH, lease: datetime.timedelta = LEASE, ids: Iterable[int] | None = None
) -> tuple[str, list[Delivery]]:
    now = timezone.now()
    token = uuid.uuid4().hex
    with transaction.atomic():
        due: QuerySet[Delivery] = Delivery.objects.filter(_due(now))
        if ids is not None:
            due = due.filter(pk__in=list(ids))
        picked = list(
            due.select_for_update(skip_locked=True, of=("self",))
            .order_by("due_at", "id")
            .values_list("pk", flat=True)[:limit]
        )
        if not picked:
            return token, []
        # Conditional: on SQLite (no row locks) a row another sender took in between
        # is not taken twice.
        Delivery.objects.filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now),
            pk__in=picked,
            succeeded_at__isnull=True,
            given_up_at__isnull=True,
        ).update(claimed_by=token, claimed_until=now + lease, attempts=F("attempts") + 1)
    return token, list(
        Delivery.objects.filter(claimed_by=token, claimed_until__gt=now)
        .select_related("subscription__owner")
        .order_by("due_at", "id")
    )


def request_for(
    delivery: Delivery, secret: str, *, now: datetime.datetime
) -> tuple[bytes, dict[str, str]]:
    """The exact bytes of one attempt and its headers: the frozen body with this
    attempt's `sent_at`, signed."""
    frozen = json.loads(delivery.body)
    body = json.dumps(
        {
            "id": frozen["id"],
            "event": frozen["event"],
            "occurred_at": frozen["occurred_at"],
            "sent_at": now.isoformat(),
            "data": frozen["data"],
        },
        separators=(",", ":"),
    ).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Portico-Event": delivery.event_name,
        "X-Portico-Delivery": str(delivery.delivery_id),
        "X-Portico-Signature": sending.signature(secret, body),
    }
    return body, headers


def attempt(delivery: Delivery) -> tuple[int | None, str]:
    """Send one attempt; returns (status code or None, error text, empty on success)."""
    now = timezone.now()
    if not delivery.subscription.owner.active:
        # Made before its owner left: what they could see then is not sent now.
        return None, "Refused: the subscription's owner has left."
    try:
        target = targets.resolve(delivery.subscription.url)
        body, headers = request_for(delivery, delivery.subscription.secret, now=now)
        answer = sending.post(target, body, headers)
    except targets.Refused as refused:
        return None, f"Refused: {refused}"
    except Exception as error:  # refused, reset, timed out, TLS, a malformed answer
        return None, f"{type(error).__name__}: {error}"[:2000]
    if answer.ok:
        return answer.status, ""
    if 300 <= answer.status < 400:
        return answer.status, (
            f"Redirected to {answer.location[:500]!r}: webhooks do not follow redirects; "
            "subscribe the final URL."
        )
    return answer.status, f"HTTP {answer.status}: {answer.body[:500]}"


def deliver(*, limit: int = BATCH, ids: Iterable[int] | None = None) -> Pass:
    """One pass: claim up to `limit` due deliveries, send each, record the outcome."""
    token, rows = claim(limit=limit, ids=ids)
    done = Pass()
    for delivery in rows:
        status, error = attempt(delivery)
        if error:
            log.warning(
                "webhook %s failed (attempt %d): %s", delivery.delivery_id, delivery.attempts, error
            )
            _failed(delivery, token, status, error)
            done.failed += 1
        else:
            _succeeded(delivery, token, status)
            done.succeeded += 1
    return done


def deliver_all() -> Pass:
    """Every due delivery (the periodic sweep's job)."""
    total = Pass()
    while True:
        one = deliver()
        total.succeeded += one.succeeded
        total.failed += one.failed
        if one.succeeded + one.failed < BATCH:
            return total


def _succeeded(delivery: Delivery, token: str, status: int | None) -> None:
    now = timezone.now()
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            succeeded_at=now,
            last_attempt_at=now,
            last_status=status,
            last_error="",
            claimed_until=None,
        )
        Subscription.objects.filter(pk=delivery.subscription_id).update(
            consecutive_failures=0, failing_since=None
        )
        prune(delivery.subscription_id)


def _failed(delivery: Delivery, token: str, status: int | None, error: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        row = Delivery.objects.filter(pk=delivery.pk, claimed_by=token)
        if now >= delivery.retry_until:
            row.update(
                given_up_at=now,
                last_attempt_at=now,
                last_status=status,
                last_error=error,
                claimed_until=None,
            )
        else:
            row.update(
                due_at=now + backoff(delivery.attempts),
                last_attempt_at=now,
                last_status=status,
                last_error=error,
                claimed_until=None,
            )
        subscription = (
            Subscription.objects.select_for_update().filter(pk=delivery.subscription_id).first()
        )
        if subscription is None:
            return  # deleted while its delivery was in flight
        subscription.consecutive_failures += 1
        subscription.failing_since = subscription.failing_since or now
        subscription.save(update_fields=["consecutive_failures", "failing_since"])
        if (
            subscription.active
            and subscription.consecutive_failures >= PAUSE_AFTER
            and now - subscription.failing_since >= FAILING_FOR
        ):
            _pause_and_tell(subscription, error)
        prune(delivery.subscription_id)


def _pause_and_tell(subscription: Subscription, error: str) -> None:
    subscription.active = False
    subscription.paused_reason = (
        f"Paused after {subscription.consecutive_failures} failed attempts in a row since "
        f"{subscription.failing_since:%Y-%m-%d %H:%M} UTC. Last: {error}"
    )[:300]
    subscription.save(update_fields=["active", "paused_reason"])
    owner = subscription.owner
    if not owner.email:
        return
    link = settings.PORTICO_SITE_URL + reverse(
        "admin:webhooks_subscription_change", args=[subscription.pk]
    )
    # Through the outbox, in this transaction: the notice is sent once the pause is
    # committed, and never without it.
    email = Email.objects.create(
        address=owner.email,
        subject=f"Webhook paused: {subscription.url}"[:300],
        body=(
            f"Your webhook to {subscription.url} has failed every delivery for 24 hours "
            f"and is paused; no more events are queued for it.\n\n"
            f"Last error: {error}\n\nFix the receiver, then resume it in Systems Admin:\n"
            f"{link}\n"
        ),
    )
    if settings.PORTICO_WAKE_WORKER:
        from portico.notify import tasks as notify_tasks

        transaction.on_commit(lambda: notify_tasks.deliver.enqueue(ids=[email.pk]))


def prune(subscription_id: int) -> int:
    """Keep the newest KEEP deliveries of a subscription; older finished ones go (an
    unfinished one stays until it succeeds or is given up)."""
    older = list(
        Delivery.objects.filter(subscription_id=subscription_id)
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)[KEEP : KEEP + 500]
    )
    if not older:
        return 0
    deleted, _ = (
        Delivery.objects.filter(pk__in=older)
        .filter(Q(succeeded_at__isnull=False) | Q(given_up_at__isnull=False))
        .delete()
    )
    return deleted


def pending() -> QuerySet[Delivery]:
    return Delivery.objects.filter(succeeded_at__isnull=True, given_up_at__isnull=True)
