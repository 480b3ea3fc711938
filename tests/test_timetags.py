"""The due cells of the transaction lists, and the times they show: what each state
reads as, and the same text and time zone as Django's `|date` filter gives."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.html import escape

from portico import timetags

UTC = datetime.UTC
NOW = datetime.datetime(2026, 7, 1, 9, 0, tzinfo=UTC)  # summer: London is UTC+1
PAST = NOW - datetime.timedelta(hours=3)
FUTURE = datetime.datetime(2026, 12, 3, 15, 30, tzinfo=UTC)  # winter: London is UTC
# The formats written out by hand (timetags._FAST).
FORMATS = [
    timetags.CONSOLE_FORMAT,
    timetags.PORTAL_FORMAT,
    timetags.STAMP_FORMAT,
    timetags.DAY_FORMAT,
]


def row(**fields: object) -> SimpleNamespace:
    values = {
        "due_at": None,
        "sla_paused_at": None,
        "resolved_at": None,
        "priority_id": None,
        **fields,
    }
    return SimpleNamespace(**values)


def django_time(value: datetime.datetime, fmt: str) -> str:
    """The markup the templates wrote before the tags, with Django's own filter."""
    template = Template(
        "<time datetime=\"{{ v|date:'c' }}\">{{ v|date:fmt }}</time>",
    )
    return template.render(Context({"v": value, "fmt": fmt}))


@pytest.mark.parametrize("value", [PAST, FUTURE])
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_time_reads_as_the_date_filter_has_it(value: datetime.datetime, fmt: str) -> None:
    assert timetags.time_element(value, fmt) == django_time(value, fmt)


@pytest.mark.parametrize("value", [PAST, FUTURE, None])
@pytest.mark.parametrize("fmt", FORMATS)
def test_date_text_reads_as_the_date_filter(value: datetime.datetime | None, fmt: str) -> None:
    # What the Jinja2 fragments write for `{{ value|date:fmt }}` (forms_renderer.drawn).
    filtered = Template("{{ v|date:fmt }}").render(Context({"v": value, "fmt": fmt}))
    assert timetags.date_text(value, fmt) == filtered


@pytest.mark.parametrize("language", ["en-gb", "fr", "de"])
def test_every_day_of_a_year_reads_as_the_date_filter_has_it(language: str) -> None:
    """The lists' formats are written out by hand: every weekday, month, and one-
    and two-digit day, hour and minute, across both clock changes, in more than one
    language."""
    start = datetime.datetime(2026, 1, 1, 0, 7, tzinfo=UTC)
    with translation.override(language):
        for day in range(0, 366, 1):
            value = start + datetime.timedelta(days=day, hours=day * 7 % 24, minutes=day % 53)
            for fmt in FORMATS:
                assert timetags.time_element(value, fmt) == django_time(value, fmt)


def test_times_are_shown_in_the_sites_time_zone() -> None:
    summer = timetags.time_element(PAST, timetags.CONSOLE_FORMAT)
    assert summer == '<time datetime="2026-07-01T07:00:00+01:00">Wed 1 Jul 07:00</time>'
    winter = timetags.time_element(FUTURE, timetags.PORTAL_FORMAT)
    assert winter == '<time datetime="2026-12-03T15:30:00+00:00">3 Dec 2026, 15:30</time>'


def test_console_due_cell_says_each_state_in_words() -> None:
    # No priority, no targets; a priority without a resolution target (P4) says so.
    assert timetags.console_due(row(), NOW) == "—"
    assert timetags.console_due(row(priority_id=4), NOW) == '<span class="meta">No target</span>'
    future = timetags.console_due(row(due_at=FUTURE), NOW)
    assert future == django_time(FUTURE, timetags.CONSOLE_FORMAT)
    late = timetags.console_due(row(due_at=PAST), NOW)
    assert late == (
        f'<span class="overdue">{django_time(PAST, timetags.CONSOLE_FORMAT)} (overdue)</span>'
    )
    # Resolved late is no longer overdue; a paused clock is said, whatever the time.
    resolved = timetags.console_due(row(due_at=PAST, resolved_at=NOW), NOW)
    assert "overdue" not in resolved
    paused = timetags.console_due(row(due_at=PAST, sla_paused_at=PAST), NOW)
    assert paused.endswith(' <span class="pill">clock paused</span>')
    assert "overdue" not in paused


def test_portal_due_cell_says_each_state_in_words() -> None:
    running = SimpleNamespace(finished=False)
    finished = SimpleNamespace(finished=True)
    assert timetags.portal_due(row(), running, NOW) == "—"
    no_target = timetags.portal_due(row(priority_id=4), running, NOW)
    assert no_target == '<span class="meta">No target</span>'
    assert timetags.portal_due(row(due_at=FUTURE), finished, NOW) == "—"
    assert (
        timetags.portal_due(row(due_at=PAST, sla_paused_at=PAST), running, NOW)
        == '<span class="meta">On hold</span>'
    )
    assert timetags.portal_due(row(due_at=FUTURE), running, NOW) == django_time(
        FUTURE, timetags.PORTAL_FORMAT
    )
    late = timetags.portal_due(row(due_at=PAST), running, NOW)
    assert late == (
        '<time datetime="2026-07-01T07:00:00+01:00" class="overdue">1 Jul 2026, 07:00</time>'
        ' <span class="overdue">overdue</span>'
    )
    # Resolved: the resolution time, said as such in a list of running transactions.
    assert timetags.portal_due(row(due_at=PAST, resolved_at=PAST), running, NOW) == (
        '<time datetime="2026-07-01T07:00:00+01:00">Resolved 1 Jul 2026, 07:00</time>'
    )
    assert timetags.portal_due(row(resolved_at=PAST), finished, NOW) == django_time(
        PAST, timetags.PORTAL_FORMAT
    )


def test_the_tags_need_no_load_in_a_template() -> None:
    template = Template("{% console_due t now %}|{% time_of none 'j M' %}|{% time_of at 'j M' %}")
    html = template.render(Context({"t": row(due_at=PAST), "now": NOW, "none": None, "at": PAST}))
    assert html == (
        f'<span class="overdue">{django_time(PAST, timetags.CONSOLE_FORMAT)} (overdue)</span>'
        f"||{django_time(PAST, 'j M')}"
    )


def test_the_resolve_by_heading_states_its_rule() -> None:
    heading = Template("{% resolve_by_heading %}").render(Context({}))
    assert heading == (
        f'<th scope="col"><abbr title="{escape(timetags.RESOLVE_BY_RULE)}">Resolve by</abbr></th>'
    )
    assert "no resolution target" in timetags.RESOLVE_BY_RULE
