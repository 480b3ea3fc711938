"""Template tags for the times in transaction lists, available in every template
(settings.TEMPLATES "builtins").

A list page renders a due cell for each of its fifty rows. Written as an include with
two `|date` filters, that cell was a third of the row: at scale L the console queue's
fifty rows took 12.0 ms to render, and take 7.9 ms with these tags (stop 16, an
interleaved A/B in one process). Each cell is one Python call that formats its time
once. The text is what `|date` gives in the current time zone and language, so the
cells read exactly as the `|date` filters elsewhere do (tests/test_timetags.py holds
them to it)."""

from __future__ import annotations

import datetime
import functools
import html
from collections.abc import Callable
from typing import Any

from django import template
from django.utils import formats, timezone, translation
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

CONSOLE_FORMAT = "D j M H:i"
PORTAL_FORMAT = "j M Y, H:i"
# The console transaction page's history, notes and grants (`date_text`).
STAMP_FORMAT = "j M Y H:i"
DAY_FORMAT = "j M Y"


# Django's formatter reads each format character's method and translates the day and
# month names on every call: 38 us for "D j M H:i" here, most of a due cell's cost. These
# formats, the lists' own, are written out with the names looked up once per language.
Names = tuple[tuple[str, ...], tuple[str, ...]]
_FAST: dict[str, Callable[[datetime.datetime, Names], str]] = {
    CONSOLE_FORMAT: lambda d, n: (
        f"{n[0][d.weekday()]} {d.day} {n[1][d.month]} {d.hour:02d}:{d.minute:02d}"
    ),
    PORTAL_FORMAT: lambda d, n: (
        f"{d.day} {n[1][d.month]} {d.year:04d}, {d.hour:02d}:{d.minute:02d}"
    ),
    STAMP_FORMAT: lambda d, n: f"{d.day} {n[1][d.month]} {d.year:04d} {d.hour:02d}:{d.minute:02d}",
    DAY_FORMAT: lambda d, n: f"{d.day} {n[1][d.month]} {d.year:04d}",
}


@functools.cache
def _names(language: str | None) -> Names:
    """Short day names by weekday() and short month names by month, as "D" and "M"."""
    with translation.override(language):
        days = tuple(str(WEEKDAYS_ABBR[day]) for day in range(7))
        months = ("", *(str(MONTHS_3[month]).title() for month in range(1, 13)))
    return days, months


def _format(local: datetime.datetime, fmt: str) -> str:
    fast = _FAST.get(fmt)
    if fast is None:
        return formats.date_format(local, fmt)
    return fast(local, _names(translation.get_language()))


def date_text(value: datetime.datetime | None, fmt: str) -> str:
    """`{{ value|date:fmt }}` for the Jinja2 fragments (`forms_renderer.drawn`): the
    same text, in the current time zone; nothing for no time."""
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return _format(local, fmt)


def time_element(
    value: datetime.datetime, fmt: str, *, css_class: str = "", prefix: str = ""
) -> SafeString:
    """`<time datetime="…">…</time>` for an aware datetime, both in the current time
    zone, the text formatted as `{{ value|date:fmt }}` would be (after `prefix`).

    Escaped with `html.escape`, which is what Django's `escape` runs, without the
    wrapper for lazy arguments that `format_html` puts around each of its four: the
    wrapper cost more than the rest of the cell (a list page writes two a row)."""
    local = timezone.localtime(value)
    css = f' class="{html.escape(css_class)}"' if css_class else ""
    before = prefix.__html__() if hasattr(prefix, "__html__") else html.escape(prefix)
    return SafeString(
        f'<time datetime="{local.isoformat()}"{css}>{before}'
        f"{html.escape(_format(local, fmt))}</time>"
    )


# What every list's due column means, one rule for every priority (issue 19): the
# resolution due time. A response time is a different promise, shown on the transaction
# page and in the breach panel with its target named, never in this column.
RESOLVE_BY = "Resolve by"
RESOLVE_BY_RULE = (
    "When a resolution is due: the priority's resolution target, counted in business "
    "hours from when it was logged. A priority with no resolution target (P4) has none."
)
NO_TARGET = "No target"


@register.simple_tag
def resolve_by_heading(css_class: str = "") -> SafeString:
    """The lists' due column heading, with the rule it follows on hover and for
    assistive technology; `css_class` sets the column's width in the dense tables."""
    if css_class:
        return format_html(
            '<th scope="col" class="{}"><abbr title="{}">{}</abbr></th>',
            css_class,
            RESOLVE_BY_RULE,
            RESOLVE_BY,
        )
    return format_html(
        '<th scope="col"><abbr title="{}">{}</abbr></th>', RESOLVE_BY_RULE, RESOLVE_BY
    )


def _no_due_time(t: Any) -> SafeString:
    # A row with a priority but no due time has a priority without a resolution target;
    # one with no priority (a compliment, say) has no targets at all.
    if t.priority_id is not None:
        return format_html('<span class="meta">{}</span>', NO_TARGET)
    return mark_safe("—")


@register.simple_tag
def console_due(t: Any, now: datetime.datetime) -> SafeString:
    """The console lists' resolve-by cell: the due time, and "overdue" in words as well
    as colour; a paused clock is said so; no resolution target is said so."""
    if not t.due_at:
        return _no_due_time(t)
    element = time_element(t.due_at, CONSOLE_FORMAT)
    if t.sla_paused_at:
        return format_html('{} <span class="pill">clock paused</span>', element)
    if not t.resolved_at and t.due_at < now:
        return format_html('<span class="overdue">{} (overdue)</span>', element)
    return element


@register.simple_tag
def portal_due(t: Any, section: Any, now: datetime.datetime) -> SafeString:
    """The portal lists' resolve-by (or, for finished transactions, resolved) cell."""
    if t.resolved_at:
        prefix = "" if section.finished else "Resolved "
        return time_element(t.resolved_at, PORTAL_FORMAT, prefix=prefix)
    if section.finished:
        return mark_safe("—")
    if t.sla_paused_at:
        return mark_safe('<span class="meta">On hold</span>')
    if t.due_at:
        if t.due_at < now:
            return format_html(
                '{} <span class="overdue">overdue</span>',
                time_element(t.due_at, PORTAL_FORMAT, css_class="overdue"),
            )
        return time_element(t.due_at, PORTAL_FORMAT)
    return _no_due_time(t)


@register.simple_tag
def time_of(value: datetime.datetime | None, fmt: str) -> SafeString | str:
    """`{% time_of value "j M Y, H:i" %}`: the `<time>` element of `time_element`, or
    nothing for no time."""
    if value is None:
        return ""
    return time_element(value, fmt)
