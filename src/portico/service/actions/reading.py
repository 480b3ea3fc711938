"""Reading a transaction, where reading is itself recorded."""

from __future__ import annotations

from portico import access
from portico.events import services as events
from portico.parties.models import User
from portico.service.actions.base import event_channel
from portico.service.models import Channel, Transaction


def record_view(*, actor: User, transaction: Transaction, channel: str = Channel.WEB) -> None:
    """A portal person's look at a transaction is a touch too (seed 004)."""
    if access.is_staff(actor):
        return
    events.record(
        "transaction.viewed",
        actor=actor,
        channel=event_channel(channel),
        portal=access.portal_of(actor),
        subject=transaction,
    )
