"""What several actions share: who is acting, the touch every change leaves on the
transaction, and the channel its event is recorded under."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied

from portico import access
from portico.events import services as events
from portico.parties.models import Individual, User
from portico.service.models import Channel, Transaction


def actor_individual(actor: User) -> Individual:
    individual = access.individual_of(actor)
    if individual is None:
        raise PermissionDenied("Only an active person can do that.")
    return individual


def event_channel(channel: str) -> str:
    if channel == Channel.API:
        return events.Channel.API
    return events.Channel.EMAIL if channel == Channel.EMAIL else events.Channel.WEB


def touch(transaction: Transaction, actor: User, now: datetime.datetime) -> list[str]:
    transaction.updated_at = now
    fields = ["updated_at"]
    if not access.is_staff(actor):
        transaction.customer_updated_at = now
        fields.append("customer_updated_at")
    return fields
