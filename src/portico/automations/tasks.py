"""The automations' periodic work in the worker: the time rules, and failed actions tried
again."""

from __future__ import annotations

import datetime

from portico.automations import engine, timers
from portico.events.periodic import periodic


@periodic("automations.retry", every=datetime.timedelta(minutes=1))
def retry_failed_actions() -> int:
    return engine.retry_failures()


@periodic("automations.timers", every=datetime.timedelta(minutes=1))
def run_time_rules() -> int:
    return timers.run()
