"""Webhooks hear of every event: each subscription that wants it, and whose owner may
see it, gets a delivery row, written in the worker's transaction that dispatches the
event and sent after its commit (portico.webhooks.delivery)."""

from portico.audit.models import Event
from portico.events.dispatch import subscriber
from portico.webhooks import services


@subscriber()
def queue_deliveries(event: Event) -> None:
    services.deliveries_for(event)
