"""The days of a range in the site's time zone, for the roll-ups (issue 24)."""

from __future__ import annotations

import bisect
import datetime
from zoneinfo import ZoneInfo

from django.conf import settings


class Days:
    """The days of a range in the site's time zone, and which day a moment falls on."""

    def __init__(self, first: datetime.date, last: datetime.date) -> None:
        zone = ZoneInfo(settings.TIME_ZONE)
        self.days = [first + datetime.timedelta(days=i) for i in range((last - first).days + 1)]
        # Each day's start, then the range's end: day i is [edges[i], edges[i + 1]).
        self.edges = [
            datetime.datetime.combine(d, datetime.time(), tzinfo=zone)
            for d in [*self.days, last + datetime.timedelta(days=1)]
        ]

    @property
    def start(self) -> datetime.datetime:
        return self.edges[0]

    @property
    def end(self) -> datetime.datetime:
        return self.edges[-1]

    def index(self, moment: datetime.datetime | None) -> int | None:
        """The day `moment` falls on; None outside the range (or no moment)."""
        if moment is None or not self.start <= moment < self.end:
            return None
        return bisect.bisect_right(self.edges, moment) - 1

    def open_days(self, created: datetime.datetime, resolved: datetime.datetime | None) -> range:
        """The days at whose end the transaction was open (created, not yet resolved)."""
        if created >= self.end or (resolved is not None and resolved < max(created, self.start)):
            return range(0)  # opened after the range, or resolved before it began
        first = 0 if created < self.start else self.index(created)
        last = len(self.days) if resolved is None or resolved >= self.end else self.index(resolved)
        assert first is not None
        assert last is not None
        return range(first, last)
