"""Keeping the Money report right when an older transaction's value or cost changes.

A transaction's value and cost count on the day it was opened (rollups.py), and the
worker rebuilds only yesterday and today. The cost of a call is often known only when
it is resolved, days or weeks after it was opened: without this, that day's roll-up
would keep the old amounts until someone rebuilt it by hand. So a change of value or
cost (recorded as `transaction.profile_changed`, service/actions/profile.py) rebuilds the
day the transaction was opened, in the worker, after the change's commit: one day's
rows, as the periodic job builds two every 5 minutes."""

from __future__ import annotations

from django.utils import timezone

from portico.audit.models import Event
from portico.events.dispatch import subscriber
from portico.reports import rollups
from portico.service.models import Transaction

MONEY_KEYS = frozenset({"value", "cost"})


@subscriber("transaction.profile_changed")
def rebuild_the_day_it_was_opened(event: Event) -> None:
    if not MONEY_KEYS & (event.data or {}).keys():
        return
    opened = (
        Transaction.objects.filter(pk=event.subject_id).values_list("created_at", flat=True).first()
    )
    if opened is None:
        return
    day = timezone.localdate(opened)
    rollups.build(day, day)
