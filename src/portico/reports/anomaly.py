"""The anomaly flag (issue 24, seed 002: "products with abnormally high incident volumes
can be flagged for reengineering").

A product is flagged when its incidents in the last 7 days are too many to be chance,
given its own incidents in the BASELINE_WEEKS 7-day windows before.

The test is the exact conditional test of two Poisson rates. If the product's incidents
come at a steady rate, then of the N incidents in the baseline and the current week
together, each is in the current week with probability 1 / (weeks + 1), so the current
week's count is Binomial(N, 1 / (weeks + 1)); the p-value is that binomial's upper tail
at the observed count. It was chosen over the alternatives because:

- it needs no rate estimated from the history, so a short or quiet history does not make
  it jumpy (a plug-in Poisson test with the baseline's mean as the rate flags far more
  than its stated rate when the baseline is a few weeks of small counts);
- its false-alarm rate is at most ALPHA per product and week whatever the product's rate
  (the binomial is discrete, so in practice less: tests/reports/test_anomaly.py measures
  it on simulated steady histories);
- it is a few lines of arithmetic (log-gamma), not a statistics library.

What it does not model: seasons (a product that is always busier in winter is flagged in
its first winter week against an autumn baseline) and bursty products whose weekly counts
vary more than a Poisson's (their false alarms run above ALPHA). MIN_INCIDENTS keeps a
product with 0 incidents a week from being flagged for 3.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# One false alarm in 1,000 product-weeks at most: a desk with 20 products sees one about
# every year, which a supervisor will still read rather than learn to ignore.
ALPHA = 0.001
BASELINE_WEEKS = 12
MIN_INCIDENTS = 5


@dataclass(frozen=True)
class Verdict:
    """The evidence for (or against) flagging one product this week."""

    count: int
    baseline: tuple[int, ...]
    p_value: float
    flagged: bool

    @property
    def expected(self) -> float:
        """Incidents in an ordinary week: the baseline's mean."""
        return sum(self.baseline) / len(self.baseline) if self.baseline else 0.0

    @property
    def ratio(self) -> float | None:
        """This week against an ordinary week; None with no incidents before."""
        return self.count / self.expected if self.expected else None


def judge(
    count: int,
    baseline: Sequence[int],
    *,
    alpha: float = ALPHA,
    min_incidents: int = MIN_INCIDENTS,
) -> Verdict:
    """Whether `count` incidents this week are abnormally many against `baseline` (the
    counts of the weeks before, any order). A product with no history is not flagged:
    there is nothing to be abnormal against."""
    history = tuple(baseline)
    if count < 0 or any(n < 0 for n in history):
        raise ValueError("incident counts cannot be negative")
    if not history:
        return Verdict(count, history, 1.0, False)
    p = upper_tail(count, count + sum(history), 1 / (len(history) + 1))
    return Verdict(count, history, p, count >= min_incidents and p < alpha)


def upper_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p), summed in log space so that n in the thousands
    neither overflows nor loses the small tail to rounding."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    log_p, log_q = math.log(p), math.log1p(-p)
    terms = [
        math.lgamma(n + 1)
        - math.lgamma(i + 1)
        - math.lgamma(n - i + 1)
        + i * log_p
        + (n - i) * log_q
        for i in range(k, n + 1)
    ]
    top = max(terms)
    return min(1.0, math.exp(top) * sum(math.exp(t - top) for t in terms))
