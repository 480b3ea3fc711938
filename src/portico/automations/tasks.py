"""The automations' periodic work in the worker: failed actions tried again."""

from __future__ import annotations

import datetime

from portico.automations import engine
from portico.events.periodic import periodic


@periodic("automations.retry", every=datetime.timedelta(minutes=1))
def retry_failed_actions() -> int:
    return engine.retry_failures()
