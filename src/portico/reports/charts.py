"""Charts drawn on the server as inline SVG (issue 24).

Why this rather than a charting library: the Content Security Policy allows no inline
script or style, and Portico has no build step. A JavaScript library (Chart.js, Frappe
Charts) would need its own static file, draws nothing without JavaScript, and on a
<canvas> leaves the chart unreadable to a screen reader; a Python one (pygal) writes a
<style> element and script into its SVG, which the policy blocks. The reports need two
shapes, lines over days and bars per group; drawn here they are plain SVG elements with
classes styled by the static stylesheet, readable without JavaScript, printed as they
look, and each comes with its table and a sentence saying what it shows.

Each function returns the geometry a template draws (`templates/reports/_chart_*.html`):
coordinates in a fixed viewBox, so the SVG scales to its column.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 720, 220
BAR_WIDTH = 480
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 10, 24


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class Line:
    name: str
    css: str
    points: str  # "x,y x,y …" for <polyline points>
    last: float


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    lines: list[Line]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    plot_left: int
    plot_right: int
    plot_bottom: int


def nice_top(value: float) -> float:
    """A round number at or above `value` for the top of an axis: 1, 2, 2.5 or 5 × 10ⁿ."""
    if value <= 0:
        return 1
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return float(step * power)
    return 10.0 * power


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def lines(
    days: Sequence[datetime.date], series: Sequence[tuple[str, str, Sequence[float]]]
) -> LineChart:
    """Lines over days: `series` is (name, css class, one value per day)."""
    top = nice_top(max((v for _, _, values in series for v in values), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(days) - 1, 1)

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / top)

    drawn = [
        Line(
            name=name,
            css=css,
            points=" ".join(f"{LEFT + i * step:.1f},{y(v):.1f}" for i, v in enumerate(values)),
            last=values[-1] if values else 0,
        )
        for name, css, values in series
    ]
    y_ticks = [Tick(y(top * f), _number(top * f)) for f in (0, 0.25, 0.5, 0.75, 1)]
    # About six dates along the bottom, the first and last always.
    every = max(1, math.ceil(len(days) / 6))
    marks = sorted({*range(0, len(days), every), len(days) - 1}) if days else []
    x_ticks = [Tick(LEFT + i * step, days[i].strftime("%-d %b")) for i in marks]
    return LineChart(WIDTH, HEIGHT, drawn, y_ticks, x_ticks, LEFT, WIDTH - RIGHT, HEIGHT - BOTTOM)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str
    y: float
    length: float


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    bar_height: float
    label_width: int


def bars(rows: Sequence[tuple[str, float]], *, unit: str = "", limit: int = 12) -> BarChart:
    """Horizontal bars, one per (label, value), the largest `limit` of them."""
    shown = sorted(rows, key=lambda r: -r[1])[:limit]
    label_width, bar_height, gap = 150, 16, 6
    top = max((v for _, v in shown), default=0) or 1
    room = BAR_WIDTH - label_width - 60
    drawn = [
        Bar(
            label=label,
            value=value,
            shown=f"{_number(value)}{unit}",
            y=i * (bar_height + gap),
            length=room * value / top,
        )
        for i, (label, value) in enumerate(shown)
    ]
    height = max(len(drawn), 1) * (bar_height + gap)
    # Narrower than the line chart: it sits in half the page, and its labels must stay
    # as large as the page's small print.
    return BarChart(BAR_WIDTH, height, drawn, bar_height, label_width)
