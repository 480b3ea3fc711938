"""The event rules run on every event a rule may start from (portico.automations.models
TRIGGERS), in the worker, after the change's commit."""

from __future__ import annotations

from portico.audit.models import Event
from portico.automations import engine
from portico.automations.models import TRIGGERS
from portico.events.dispatch import subscriber


@subscriber(*TRIGGERS)
def run_rules(event: Event) -> None:
    engine.on_event(event)
