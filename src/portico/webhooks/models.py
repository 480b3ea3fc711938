"""Webhook subscriptions (a URL that wants to hear of some events) and the deliveries
made for them, one row for each event sent to each subscription."""

from __future__ import annotations

import datetime
import secrets
import uuid

from django.db import models
from django.utils import timezone

from portico.parties.models import Individual

# Retries stop this long after a delivery was made (or redelivered by hand).
RETRY_WINDOW = datetime.timedelta(hours=24)
ALL_EVENTS = "*"


def new_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def retry_deadline() -> datetime.datetime:
    return timezone.now() + RETRY_WINDOW


class Subscription(models.Model):
    """A URL subscribed to event names by an administrator. What it is sent is what its
    owner may see (`portico.access.readable_events`), so it belongs to one person."""

    owner = models.ForeignKey(Individual, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500)
    # Registered event names, or ["*"] for every event.
    events = models.JSONField(default=list)
    # Kept in clear: each delivery is signed with it (HMAC), so it cannot be a hash. It
    # is shown once, when made or rotated, and never listed.
    secret = models.CharField(max_length=100, default=new_secret)
    active = models.BooleanField(default=True)
    paused_reason = models.CharField(max_length=300, blank=True)
    # Failed attempts in a row (any of its deliveries), and when the run began; a success
    # resets both. A long enough run pauses the subscription (portico.webhooks.delivery).
    consecutive_failures = models.PositiveIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return self.url

    def wants(self, name: str) -> bool:
        return ALL_EVENTS in self.events or name in self.events


class Delivery(models.Model):
    """One event for one subscription: the JSON body frozen when the event was
    dispatched, and the state of sending it. Its `delivery_id` is the body's `id` and the
    X-Portico-Delivery header, the same on every attempt, so a receiver drops repeats."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(
        "audit.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event_name = models.CharField(max_length=40)
    delivery_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The JSON sent, without `sent_at` (added to each attempt, then signed with it).
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(default=timezone.now)
    retry_until = models.DateTimeField(default=retry_deadline)
    # A sender owns the row until claimed_until; one that died lets the claim lapse.
    claimed_by = models.CharField(max_length=32, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    given_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ("-created_at", "-id")
        indexes = [
            # The sender's one question: what is unfinished and due, oldest first.
            models.Index(
                fields=["due_at", "id"],
                condition=models.Q(succeeded_at__isnull=True, given_up_at__isnull=True),
                name="webhook_delivery_due",
            ),
            models.Index(fields=["subscription", "-created_at"], name="webhook_delivery_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.event_name} to {self.subscription.url} ({self.delivery_id})"

    @property
    def state(self) -> str:
        if self.succeeded_at is not None:
            return "succeeded"
        if self.given_up_at is not None:
            return "failed"
        return "pending"
