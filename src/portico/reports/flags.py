"""Which products hurt this week (issue 24): each product's incidents in the last 7 days
judged against its 12 weeks before (portico.reports.anomaly), from the roll-ups.

An incident is a transaction opened about the product, whatever its application: the
seed's "abnormally high incident volumes" counts calls, not only complaints.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Sum

from portico.reports import anomaly
from portico.reports.models import DayFigure, Dimension
from portico.reports.queries import label_of

WEEK = 7


def weekly_counts(
    today: datetime.date, *, weeks: int = anomaly.BASELINE_WEEKS
) -> dict[str, list[int]]:
    """Per product key: incidents in each 7-day window ending `today`, oldest first (the
    last is the current week). Days with no row count 0."""
    first = today - datetime.timedelta(days=WEEK * (weeks + 1) - 1)
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * (weeks + 1))
    for key, day, opened in (
        DayFigure.objects.filter(dimension=Dimension.PRODUCT, day__gte=first, day__lte=today)
        .exclude(key="")
        .values("key", "day")
        .annotate(n=Sum("opened"))
        .values_list("key", "day", "n")
        .order_by()
    ):
        counts[key][(day - first).days // WEEK] += opened or 0
    return dict(counts)


def judge_products(today: datetime.date) -> list[tuple[str, str, anomaly.Verdict]]:
    """Every product with incidents in the last 13 weeks: (key, label, verdict), the
    flagged first, then by this week's count."""
    counts = weekly_counts(today)
    labels = label_of(Dimension.PRODUCT, counts)
    judged = [
        (key, labels.get(key, key), anomaly.judge(weeks[-1], weeks[:-1]))
        for key, weeks in counts.items()
    ]
    return sorted(judged, key=lambda j: (not j[2].flagged, -j[2].count, j[1]))
