"""Which products hurt this week (issue 24): each product's incidents in the last 7 days
judged against its 12 weeks before (portico.reports.anomaly), from the roll-ups.

An incident is a transaction opened about the product, whatever its application: the
seed's "abnormally high incident volumes" counts calls, not only complaints.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import transaction as db
from django.db.models import Min, Sum
from django.utils import timezone

from portico.audit.models import Channel
from portico.events import services as events
from portico.reports import anomaly
from portico.reports.models import DayFigure, Dimension, ProductFlag
from portico.reports.queries import label_of
from portico.service.models import Choice

WEEK = 7


def weekly_counts(
    today: datetime.date, *, weeks: int = anomaly.BASELINE_WEEKS
) -> dict[str, list[int]]:
    """Per product key: incidents in each 7-day window ending `today`, oldest first (the
    last is the current week), as many weeks back as `weeks` and the desk's data allow.
    Days with no row count 0."""
    # Only weeks since the desk has data make a baseline: before its first incident a
    # product's "0 a week" says nothing of how busy it usually is.
    started = DayFigure.objects.filter(dimension=Dimension.ALL, opened__gt=0).aggregate(
        first=Min("day")
    )["first"]
    this_week = today - datetime.timedelta(days=WEEK - 1)
    if started is not None:
        weeks = max(0, min(weeks, (this_week - started).days // WEEK))
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


def flag(today: datetime.date, *, now: datetime.datetime | None = None) -> list[ProductFlag]:
    """Flag each product abnormally busy in the 7 days to `today`, and record
    "product.flagged" (the default rule tells the product's owner). A product flagged in
    the last 7 days is not flagged again: one spike, one flag."""
    now = now or timezone.now()
    recent = set(
        ProductFlag.objects.filter(
            week_ending__gt=today - datetime.timedelta(days=WEEK)
        ).values_list("product_id", flat=True)
    )
    made = []
    for key, label, verdict in judge_products(today):
        if not verdict.flagged:
            break  # the flagged come first
        product = Choice.objects.filter(pk=int(key)).first()
        if product is None or product.pk in recent:
            continue
        with db.atomic():
            row, created = ProductFlag.objects.get_or_create(
                product=product,
                week_ending=today,
                defaults={
                    "count": verdict.count,
                    "baseline": list(verdict.baseline),
                    "p_value": verdict.p_value,
                    "flagged_at": now,
                },
            )
            if not created:
                continue
            events.record(
                "product.flagged",
                actor_label="Reports",
                channel=Channel.TASK,
                subject=product,
                data={
                    "product": product.code,
                    "label": label,
                    "count": verdict.count,
                    "expected": round(verdict.expected, 1),
                    "p_value": verdict.p_value,
                    "week_ending": today.isoformat(),
                },
            )
        made.append(row)
    return made
