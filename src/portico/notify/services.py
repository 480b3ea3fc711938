"""Telling people what happened. Called by notify's event subscribers
(the automation rules, portico.automations), in the worker's transaction that dispatches the event:
the in-app notice and the outbox row for its e-mail are written together, once, and the
e-mail is sent after that commit (portico.notify.delivery)."""

from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.db import transaction as db
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from portico.notify.models import Delivery, Notification
from portico.parties.models import Individual
from portico.service.models import Transaction

Kind = Notification.Kind


def notify(
    *,
    recipients: Iterable[Individual],
    kind: str,
    transaction: Transaction | None,
    text: str,
    link: str = "",
) -> list[Notification]:
    """An in-app notice to each person (once, and only the active), with its e-mail in
    the outbox. A notice about no transaction (a person who left) leads to `link`."""
    seen: set[int] = set()
    rows = []
    for person in recipients:
        if person.pk in seen or not person.active:
            continue
        seen.add(person.pk)
        rows.append(
            Notification(
                recipient=person, kind=kind, transaction=transaction, text=text[:300], link=link
            )
        )
    made = Notification.objects.bulk_create(rows)
    deliveries = Delivery.objects.bulk_create(
        _email(notification) for notification in made if notification.recipient.email
    )
    if deliveries and settings.PORTICO_WAKE_WORKER:
        db.on_commit(partial(_deliver_after_commit, [d.pk for d in deliveries]))
    return made


def _email(notification: Notification) -> Delivery:
    transaction = notification.transaction
    path = (
        reverse("console:transaction", kwargs={"number": transaction.number})
        if transaction is not None
        else notification.link
    )
    link = settings.PORTICO_SITE_URL + path
    return Delivery(
        channel=Delivery.Channel.EMAIL,
        notification=notification,
        address=notification.recipient.email,
        # A title may hold line breaks (the API keeps them); a mail header may not.
        subject=" ".join(notification.text.split())[:300],
        body=f"{notification.text}\n\n{link}\n",
    )


def _deliver_after_commit(ids: list[int]) -> None:
    # Imported here: a task is bound to its backend when it is defined.
    from portico.notify import tasks

    tasks.deliver.enqueue(ids=ids)


def unread_for(individual: Individual) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=individual, read_at__isnull=True)


def mark_read(*, individual: Individual, ids: Iterable[int] | None = None) -> int:
    rows = unread_for(individual)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())
