"""Marking the days a change makes stale (issue 24). The worker rebuilds only today and
yesterday on its own; a change to an older transaction — another product or area,
value or cost, team or assignee, a reopen that undoes an old resolve — alters the
figures of the days its moments fell on (opened, first response, resolved, closed).
This subscriber marks those days (`StaleDay`) and the `reports.rollups` job rebuilds
them, a bounded number per run, oldest first.

It runs in the worker after the change has committed, once per event, and must stay
cheap: one read of the transaction's times, and at most one insert (or update) of the
marks. It never raises: a failed mark is logged rather than holding back the event's
other subscribers (webhooks, automations), which would be retried with it.
"""

from __future__ import annotations

import datetime
import logging
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import DatabaseError
from django.db import transaction as db
from django.utils import timezone

from portico.audit.models import Event
from portico.events import registry
from portico.events.dispatch import subscriber
from portico.reports.models import StaleDay
from portico.service.models import Transaction

log = logging.getLogger(__name__)

# Events about a transaction that cannot change a day's figures other than today's: a
# view, a note (a first response is today's), a file, a relation, a rule's notice, the
# text, and a satisfaction answer (counted on the day it is given). Every other event
# about a transaction marks its days: a new kind of change is then rebuilt, not missed.
UNCHANGING = frozenset(
    {
        "transaction.viewed",
        "transaction.text_changed",
        "note.added",
        "attachment.added",
        "attachment.deleted",
        "relation.added",
        "rule.acted",
        "satisfaction.answered",
        "satisfaction.followed_up",
    }
)
# A move between statuses; one that reopens clears the resolved and closed times, so the
# day of the move before it (the old resolve) is marked too.
MOVES = ("transaction.status_changed", "transaction.withdrawn", "transaction.reopened")


def changes_old_days(name: str) -> bool:
    return registry.get(name).subject == registry.TRANSACTION and name not in UNCHANGING


@subscriber(wants=changes_old_days)
def mark_stale_days(event: Event) -> None:
    if not changes_old_days(event.action):
        return
    try:
        with db.atomic():
            mark(event)
    except DatabaseError:
        log.exception("event %s: the days it changes could not be marked stale", event.pk)


def mark(event: Event, *, now: datetime.datetime | None = None) -> list[datetime.date]:
    """Mark the days before today whose figures the event's transaction is in; returns
    them. (Yesterday too: the job may have built it before this change, just before
    midnight, and build only today and yesterday at its next run.)"""
    if not event.subject_id.isdigit():
        return []
    moments = list(
        Transaction.objects.filter(pk=int(event.subject_id)).values_list(
            "created_at", "first_response_at", "resolved_at", "closed_at"
        )
    )
    if not moments:
        return []
    found: list[datetime.datetime | None] = list(moments[0])
    if event.action in MOVES:
        found.append(
            Event.objects.filter(
                subject_type_id=event.subject_type_id,
                subject_id=event.subject_id,
                action__in=MOVES,
                id__lt=event.pk,
            )
            .order_by("-id")
            .values_list("occurred_at", flat=True)
            .first()
        )
    zone = ZoneInfo(settings.TIME_ZONE)
    today = timezone.localdate(now or timezone.now(), zone)
    days = sorted({m.astimezone(zone).date() for m in found if m is not None} - {today})
    days = [d for d in days if d < today]
    if days:
        # Marked again, the mark's time moves on: a rebuild that began reading before
        # this change does not remove it (StaleDay).
        StaleDay.objects.bulk_create(
            [StaleDay(day=d, marked_at=timezone.now()) for d in days],
            update_conflicts=True,
            unique_fields=["day"],
            update_fields=["marked_at"],
        )
    return days
