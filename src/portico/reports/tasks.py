"""The reports' periodic work in the worker: keep the recent days' roll-ups current."""

from __future__ import annotations

import datetime

from django.utils import timezone

from portico.events.periodic import periodic
from portico.reports import flags, mailing, rollups


@periodic("reports.rollups", every=datetime.timedelta(minutes=5))
def build_recent_days() -> int:
    # Yesterday too: a first response or resolve recorded just before midnight may
    # commit after the last build of its day. Older days change through a change to an
    # older transaction (its product, team, assignees, a reopen…), which marks them
    # stale (portico.reports.subscribers): up to a month of those, oldest first.
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    return rollups.build(yesterday, today) + rollups.build_stale(before=yesterday)


@periodic("reports.flags", every=datetime.timedelta(hours=1))
def flag_products() -> int:
    # Hourly, on the roll-ups as they stand: a product is flagged the hour its week turns
    # abnormal, and once a week at most.
    return len(flags.flag(timezone.localdate()))


@periodic("reports.mail", every=datetime.timedelta(minutes=15))
def mail_reports() -> int:
    return mailing.send_due()
