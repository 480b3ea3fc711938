"""The automations' periodic work in the worker: the time rules, failed actions tried
again, campaigns sent in batches, greetings sent on the day."""

from __future__ import annotations

import datetime

from portico.automations import campaigns, engine, greetings, timers
from portico.events.periodic import periodic


@periodic("automations.retry", every=datetime.timedelta(minutes=1))
def retry_failed_actions() -> int:
    return engine.retry_failures()


@periodic("automations.timers", every=datetime.timedelta(minutes=1))
def run_time_rules() -> int:
    return timers.run()


@periodic("automations.campaigns", every=datetime.timedelta(seconds=30))
def send_campaigns() -> int:
    # Bounded: at most ten batches of 500 a campaign a run (some 10,000 people a minute),
    # so that one large campaign does not hold the worker from everything else.
    return campaigns.send_all(batches=10)


@periodic("automations.greetings", every=datetime.timedelta(hours=1))
def send_greetings() -> int:
    # Hourly: each person's day starts at their own midnight, and the greeting waits
    # for 09:00 there.
    return greetings.send_due()
