"""The worker's webhook jobs. Each is idempotent: a delivery already sent, or taken by
another sender, is not sent again by them."""

import datetime

from django.tasks import task

from portico.events.periodic import periodic
from portico.webhooks import delivery


@task
def deliver(ids: list[int]) -> int:
    """Send these deliveries now, if still due and no sender has them (queued after the
    commit that made them). Returns how many succeeded; the rest wait for the sweep."""
    return delivery.deliver(ids=ids, limit=len(ids)).succeeded


@periodic("webhooks.deliver", every=datetime.timedelta(seconds=5))
def sweep() -> int:
    """Whatever is due: retries whose time has come, and rows a dead worker left
    claimed (once their lease has lapsed) or never got to."""
    return delivery.deliver_all().succeeded
