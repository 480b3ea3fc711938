"""Telling people what happened. Called by the service functions inside their own
database transaction."""

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils import timezone

from portico.notify.models import Notification
from portico.parties.models import Individual
from portico.service.models import Transaction

Kind = Notification.Kind


def notify(
    *, recipients: Iterable[Individual], kind: str, transaction: Transaction, text: str
) -> list[Notification]:
    seen: set[int] = set()
    rows = []
    for person in recipients:
        if person.pk in seen or not person.active:
            continue
        seen.add(person.pk)
        rows.append(
            Notification(recipient=person, kind=kind, transaction=transaction, text=text[:300])
        )
    return Notification.objects.bulk_create(rows)


def unread_for(individual: Individual) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=individual, read_at__isnull=True)


def mark_read(*, individual: Individual, ids: Iterable[int] | None = None) -> int:
    rows = unread_for(individual)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())
