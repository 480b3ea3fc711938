"""Background work of notify: sending the deliveries a commit wrote."""

import datetime

from django.tasks import task

from portico.events.periodic import periodic
from portico.notify import delivery


@task
def deliver(ids: list[int]) -> int:
    """Send these deliveries now, if still due and no deliverer has them: the quick
    path, queued after the commit that wrote them. Whatever is not sent here (a mail
    server down, a process killed) stays in the outbox for the sweep. Returns how many
    went."""
    return delivery.deliver(ids=ids, limit=len(ids)).sent


@periodic("notify.outbox", every=datetime.timedelta(seconds=5))
def sweep_outbox() -> int:
    """The outbox's guarantee: every due delivery is sent, whatever became of the task
    queued for it (never run, or its worker killed). Returns how many went."""
    return delivery.sweep().sent
