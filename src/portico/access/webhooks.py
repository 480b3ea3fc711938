"""Webhooks are managed by the people whose group opens the Systems Admin zone (issue 20),
in Systems Admin and in the API alike. A subscription is sent what its owner may see
(`readable_events`), so only its owner may point it elsewhere or learn a new secret:
another administrator could otherwise read, through someone else's subscription, what
their own grants hide."""

from __future__ import annotations

from typing import TYPE_CHECKING

from portico.access.roles import individual_of, may_enter, may_log_in
from portico.parties.zones import SYSTEMS_ADMIN

if TYPE_CHECKING:
    from portico.access.roles import Person


def may_manage_webhooks(user: Person | None) -> bool:
    """List, pause, resume, delete, ping and redeliver any subscription; make one's own."""
    return individual_of(user) is not None and may_enter(user, SYSTEMS_ADMIN)


def may_change_webhook(user: Person | None, owner_id: int) -> bool:
    """Change the URL or the events of a subscription, or rotate its secret: its owner."""
    individual = individual_of(user)
    return individual is not None and individual.pk == owner_id and may_manage_webhooks(user)


def may_receive_webhooks(user: Person | None) -> bool:
    """Whether a subscription's owner is still sent anything: they may still log in and
    still manage webhooks (someone who left, or lost the zone, is sent nothing)."""
    return may_log_in(user) and may_manage_webhooks(user)
