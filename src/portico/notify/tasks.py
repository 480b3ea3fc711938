"""Background work of notify: sending the deliveries a commit wrote."""

from django.tasks import task

from portico.notify import delivery


@task
def deliver(ids: list[int]) -> int:
    """Send these deliveries now, if still due and no deliverer has them. Whatever is
    not sent here (a mail server down, a process killed) stays in the outbox for
    `portico deliver`. Returns how many went."""
    return delivery.deliver(ids=ids, limit=len(ids)).sent
