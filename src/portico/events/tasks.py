"""The worker's jobs for events. Each is idempotent: running it twice does nothing more."""

from django.tasks import task

from portico.events import dispatch


@task
def dispatch_events() -> int:
    """Run the subscribers of every undispatched event. Returns how many were done."""
    return dispatch.dispatch_all()
