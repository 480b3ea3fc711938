"""How the report pages write figures: durations in hours, shares in per cent, and the
change against the previous period."""

from __future__ import annotations

from decimal import Decimal

from django import template

from portico.reports.queries import Row

register = template.Library()


@register.filter
def hours(minutes: float | None) -> str:
    """Minutes as hours to one decimal ("—" when there is nothing to measure)."""
    if minutes is None:
        return "—"
    return f"{minutes / 60:,.1f} h"


@register.filter
def percent(share: float | None) -> str:
    return "—" if share is None else f"{share:.1f} %"


@register.filter
def median(row: Row, name: str) -> float | None:
    return row.median(name)


@register.filter
def p90(row: Row, name: str) -> float | None:
    return row.p90(name)


@register.filter
def change(now: float | None, before: float | None) -> str:
    """The change from the previous period: "+12", "−3", "±0", or "" with nothing to compare."""
    if now is None or before is None:
        return ""
    delta = now - before
    if delta == 0:
        return "±0"
    shown = f"{abs(delta):,.0f}" if float(delta).is_integer() else f"{abs(delta):,.1f}"
    return f"+{shown}" if delta > 0 else f"−{shown}"


@register.filter
def change_amount(now: Decimal | None, before: Decimal | None) -> str:
    """An amount's change from the previous period, to the cent: "+120.50", "−3.00",
    "±0", or "" with nothing to compare."""
    if now is None or before is None:
        return ""
    delta = now - before
    if delta == 0:
        return "±0"
    return f"+{delta:,.2f}" if delta > 0 else f"−{-delta:,.2f}"
