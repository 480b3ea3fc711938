"""The reports' periodic work in the worker: keep the recent days' roll-ups current."""

from __future__ import annotations

import datetime

from django.utils import timezone

from portico.events.periodic import periodic
from portico.reports import rollups


@periodic("reports.rollups", every=datetime.timedelta(minutes=5))
def build_recent_days() -> int:
    # Yesterday too: a first response or resolve recorded just before midnight may
    # commit after the last build of its day. Older days change only through a
    # backdated write (an import), which rebuilds them itself.
    today = timezone.localdate()
    return rollups.build(today - datetime.timedelta(days=1), today)
