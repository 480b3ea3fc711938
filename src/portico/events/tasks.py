"""The worker's jobs for events. Each is idempotent: running it twice does nothing more."""

import datetime

from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from portico.events import dispatch
from portico.events.periodic import periodic

# How long a finished task's row is kept in the queue table (to read what ran, and how).
TASK_RESULTS_KEPT = datetime.timedelta(days=7)


@task
def dispatch_events() -> int:
    """Run the subscribers of every undispatched event. Returns how many were done."""
    return dispatch.dispatch_all()


@periodic("events.sweep", every=datetime.timedelta(seconds=5))
def sweep_events() -> int:
    """The guarantee behind the wake-up queued after each commit: an event whose
    wake-up was lost (a process killed between commit and enqueue, a worker killed
    while running it) is dispatched here, a few seconds late."""
    return dispatch.dispatch_all()


@periodic("events.task_results_retention", every=datetime.timedelta(hours=1))
def forget_finished_tasks() -> int:
    """Delete the queue's rows of tasks that finished more than a week ago."""
    cutoff = timezone.now() - TASK_RESULTS_KEPT
    deleted, _ = DBTaskResult.objects.filter(finished_at__lt=cutoff).delete()
    return deleted
