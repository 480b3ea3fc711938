"""The reports' periodic work in the worker: keep the recent days' roll-ups current."""

from __future__ import annotations

import datetime

from django.utils import timezone

from portico.events.periodic import periodic
from portico.reports import flags, mailing, rollups


@periodic("reports.rollups", every=datetime.timedelta(minutes=5))
def build_recent_days() -> int:
    # Yesterday too: a first response or resolve recorded just before midnight may
    # commit after the last build of its day. Older days change only through a
    # backdated write (an import), which rebuilds them itself.
    today = timezone.localdate()
    return rollups.build(today - datetime.timedelta(days=1), today)


@periodic("reports.flags", every=datetime.timedelta(hours=1))
def flag_products() -> int:
    # Hourly, on the roll-ups as they stand: a product is flagged the hour its week turns
    # abnormal, and once a week at most.
    return len(flags.flag(timezone.localdate()))


@periodic("reports.mail", every=datetime.timedelta(minutes=15))
def mail_reports() -> int:
    return mailing.send_due()
