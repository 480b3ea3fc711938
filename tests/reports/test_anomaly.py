"""The anomaly flag's test (issue 24): a planted spike is flagged and steady products are
not, over ten seeded random histories; and its false-alarm rate, measured."""

from __future__ import annotations

import math
import random

import pytest

from portico.reports import anomaly

# Weekly incident rates of the products in each history: rare to very busy.
RATES = (0.5, 2, 5, 9, 16, 30, 60, 120)


def poisson(rng: random.Random, rate: float) -> int:
    """One Poisson draw by inversion (the rates here are small enough)."""
    u, k = rng.random(), 0
    p = cumulative = math.exp(-rate)
    while u > cumulative:
        k += 1
        p *= rate / k
        cumulative += p
    return k


def weeks(rng: random.Random, rate: float, n: int) -> list[int]:
    return [poisson(rng, rate) for _ in range(n)]


@pytest.mark.parametrize("seed", range(10))
def test_a_planted_spike_is_flagged_and_nothing_else(seed: int) -> None:
    rng = random.Random(seed)
    spiked = rng.randrange(len(RATES))
    flagged = set()
    for i, rate in enumerate(RATES):
        history = weeks(rng, rate, anomaly.BASELINE_WEEKS)
        # The spike: four times the product's usual week, and at least 15 more. (At three
        # times, a product of about 5 a week whose history ran high sits on the line: seed
        # 1 gives 17 against 79 in 12 weeks, p = 0.0010.)
        now = max(round(4 * rate), round(rate) + 15) if i == spiked else poisson(rng, rate)
        if anomaly.judge(now, history).flagged:
            flagged.add(i)
    assert flagged == {spiked}


def test_the_false_alarm_rate_stays_under_alpha() -> None:
    # 20,000 steady product-weeks: the stated rate of 1 in 1,000 allows 20 false alarms.
    rng = random.Random(2026)
    alarms = 0
    trials = 20_000
    for t in range(trials):
        rate = RATES[t % len(RATES)]
        history = weeks(rng, rate, anomaly.BASELINE_WEEKS)
        alarms += anomaly.judge(poisson(rng, rate), history).flagged
    assert alarms <= anomaly.ALPHA * trials


def test_worked_examples() -> None:
    # 12 weeks of exactly 4, then 20: of the 68 incidents, 20 fell in one week of 13
    # where 68/13 = 5.2 were expected.
    verdict = anomaly.judge(20, [4] * 12)
    assert verdict.flagged
    assert verdict.expected == 4
    assert verdict.ratio == 5
    # P(X >= 20) for Binomial(68, 1/13), summed by hand from the binomial's terms.
    by_hand = sum(math.comb(68, i) * (1 / 13) ** i * (12 / 13) ** (68 - i) for i in range(20, 69))
    assert verdict.p_value == pytest.approx(by_hand, rel=1e-9)
    # A rare product: 4 this week after nothing is few in absolute terms.
    assert not anomaly.judge(4, [0] * 12).flagged
    assert anomaly.judge(5, [0] * 12).flagged
    # An ordinary week, and no history at all.
    assert not anomaly.judge(6, [4, 5, 6, 3, 4, 5, 7, 4, 5, 4, 6, 5]).flagged
    assert not anomaly.judge(50, []).flagged


def test_counts_cannot_be_negative() -> None:
    with pytest.raises(ValueError, match="negative"):
        anomaly.judge(-1, [3])


@pytest.mark.usefixtures("demo_people")
def test_a_product_spiking_in_the_rollups_is_flagged() -> None:
    import datetime

    from portico.reports import flags
    from portico.reports.models import DayFigure, Dimension

    today = datetime.date(2026, 11, 30)
    rng = random.Random(7)
    rows = []
    # Product 1: about 2 a day for 13 weeks, then 9 a day in the last 7 days.
    # Product 2: about 2 a day throughout.
    for back in range(13 * 7):
        day = today - datetime.timedelta(days=back)
        for key, rate in (("1", 9 if back < 7 else 2), ("2", 2)):
            rows.append(
                DayFigure(
                    day=day,
                    dimension=Dimension.PRODUCT,
                    team="",
                    key=key,
                    opened=poisson(rng, rate),
                )
            )
    rows += [
        DayFigure(day=r.day, dimension=Dimension.ALL, team="", key="", opened=1)
        for r in rows
        if r.key == "1"
    ]
    DayFigure.objects.bulk_create(rows)
    counts = flags.weekly_counts(today)
    assert len(counts["1"]) == anomaly.BASELINE_WEEKS + 1
    assert sum(counts["2"]) == sum(r.opened for r in rows if r.key == "2")
    judged = {key: verdict for key, _, verdict in flags.judge_products(today)}
    assert judged["1"].flagged
    assert not judged["2"].flagged
