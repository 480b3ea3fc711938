"""The anomaly flag end to end (issue 24): a product whose week spikes in the roll-ups is
flagged once, with its evidence, and the default rule tells its owner."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.test import Client

from portico.audit.models import Event
from portico.notify.models import Notification
from portico.reports import flags
from portico.reports.models import DayFigure, Dimension, ProductFlag
from portico.service.models import Choice

pytestmark = pytest.mark.usefixtures("demo_people")

TODAY = datetime.date(2026, 11, 30)


def history(product: Choice, usual: int, last_week: int) -> None:
    DayFigure.objects.bulk_create(
        DayFigure(
            day=TODAY - datetime.timedelta(days=back),
            dimension=Dimension.PRODUCT,
            team="",
            key=str(product.pk),
            opened=last_week if back < 7 else usual,
        )
        for back in range(13 * 7)
    )
    # The desk's own figures: it has had incidents since the history began.
    DayFigure.objects.bulk_create(
        (
            DayFigure(
                day=TODAY - datetime.timedelta(days=back),
                dimension=Dimension.ALL,
                team="",
                key="",
                opened=1,
            )
            for back in range(13 * 7)
        ),
        ignore_conflicts=True,
    )


def test_a_spiking_product_is_flagged_once_and_its_owner_told(
    worker: Callable[[], int],
) -> None:
    pump = Choice.objects.filter(classification__code="product", owner__isnull=False).first()
    quiet = (
        Choice.objects.filter(classification__code="product").exclude(pk=getattr(pump, "pk", 0))
    ).first()
    assert pump is not None
    assert quiet is not None
    history(pump, usual=1, last_week=6)  # 42 in the week against 7
    history(quiet, usual=3, last_week=3)

    [made] = flags.flag(TODAY)
    assert (made.product, made.count, made.baseline) == (pump, 42, [7] * 12)
    assert made.p_value < 0.001
    event = Event.objects.get(action="product.flagged")
    assert event.data["label"] == pump.label
    assert (event.data["count"], event.data["expected"]) == (42, 7.0)

    # The next hour, and the next day: still abnormal, not flagged again.
    assert flags.flag(TODAY) == []
    assert flags.flag(TODAY + datetime.timedelta(days=1)) == []
    assert ProductFlag.objects.count() == 1

    worker()
    [notice] = Notification.objects.filter(recipient=pump.owner)
    assert f"{pump.label}: 42 incidents in the last 7 days, against 7.0" in notice.text


def test_the_products_report_shows_the_flag_and_its_evidence(
    client_for: Callable[[str], Client],
) -> None:
    pump = Choice.objects.filter(classification__code="product").first()
    assert pump is not None
    history(pump, usual=1, last_week=6)
    flags.flag(TODAY)
    page = client_for("supervisor").get(
        f"/console/reports/products/?until={TODAY}&since=2026-09-01"
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "Flagged" in html
    assert pump.label in html
    assert "7 · 7 · 7" in html  # the weeks before, as evidence
    assert client_for("csr").get("/console/reports/products/").status_code == 403


def test_a_desk_with_no_history_flags_nothing() -> None:
    # A new desk's first busy week: 12 weeks of nothing before are no baseline.
    pump = Choice.objects.filter(classification__code="product").first()
    assert pump is not None
    DayFigure.objects.create(day=TODAY, dimension=Dimension.ALL, team="", key="", opened=30)
    DayFigure.objects.create(
        day=TODAY, dimension=Dimension.PRODUCT, team="", key=str(pump.pk), opened=30
    )
    assert flags.weekly_counts(TODAY) == {str(pump.pk): [30]}
    assert flags.flag(TODAY) == []
