"""Durations kept as histograms, so that a period's percentiles come from summing days
rather than from the raw rows (issue 24).

Minutes fall into buckets whose bounds grow by 5 %: bucket b holds the minutes m with
floor(log(m + 1) / log(1.05)) = b. A percentile read from the sum of histograms is the
bucket's geometric middle, so it is within 2.5 % of the true value (plus under a minute
for the first buckets, which are narrower than a minute). A histogram is a dict from
bucket (as a string: it is stored as JSON) to count, with only the buckets in use.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

GROWTH = 1.05
_LOG = math.log(GROWTH)
Histogram = dict[str, int]


def bucket(minutes: float) -> int:
    return int(math.log(max(minutes, 0) + 1) / _LOG)


def bounds(b: int) -> tuple[float, float]:
    """The minutes bucket `b` covers: [low, high)."""
    return GROWTH**b - 1, GROWTH ** (b + 1) - 1


def of(values: Iterable[float]) -> Histogram:
    counts: Histogram = {}
    for value in values:
        key = str(bucket(value))
        counts[key] = counts.get(key, 0) + 1
    return counts


def add(into: Histogram, other: Mapping[str, int]) -> None:
    for key, n in other.items():
        into[key] = into.get(key, 0) + n


def count(histogram: Mapping[str, int]) -> int:
    return sum(histogram.values())


def percentile(histogram: Mapping[str, int], q: float) -> float | None:
    """The q-th percentile (0 < q <= 100) by nearest rank: the value of the
    ceil(q / 100 * n)-th smallest, read as its bucket's geometric middle."""
    n = count(histogram)
    if n == 0:
        return None
    rank = max(1, math.ceil(q / 100 * n))
    seen = 0
    for b in sorted(int(k) for k in histogram):
        seen += histogram[str(b)]
        if seen >= rank:
            low, high = bounds(b)
            return math.sqrt((low + 1) * (high + 1)) - 1
    raise AssertionError("unreachable: the ranks add up to n")
