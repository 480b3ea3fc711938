"""What the portal promises: the support hours from the SLA calendar, "we will respond
by …" on the new-request page from the function that sets due times, both due times on
a transaction, and a "Resolve by" column that means the same for every priority
(issue 19, items 2 and 9)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, time
from unittest.mock import patch
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils.html import escape

from portico import timetags
from portico.service import actions
from portico.service.models import BusinessCalendar, Priority, Transaction
from tests.portal.conftest import application, individual, page, user

LONDON = ZoneInfo("Europe/London")
# Tuesday 9 June 2026, 08:15 in Glasgow: before the desk opens at 09:00.
EARLY = datetime(2026, 6, 9, 8, 15, tzinfo=LONDON)
ISSUE = {
    "application": "service-issue",
    "title": "Dosing pump stopped",
    "profile_issue-type": "fault",
    "profile_product": "clearflow-dosing-pump",
}


@contextmanager
def clock(moment: datetime) -> Iterator[None]:
    with patch("django.utils.timezone.now", return_value=moment):
        yield


def _row(html: str, label: str) -> str:
    match = re.search(rf"<tr>\s*<th scope=\"row\">{re.escape(label)}</th>.*?</tr>", html, re.S)
    assert match, f"no row for {label}"
    return match.group()


def _times(fragment: str) -> list[datetime]:
    return [datetime.fromisoformat(t) for t in re.findall(r'<time datetime="([^"]+)"', fragment)]


def test_the_hours_shown_are_the_calendars(client_for: Callable[[str], Client]) -> None:
    client = client_for("customer")
    said = (
        "<strong>Support hours:</strong> "
        "Monday–Friday 09:00–17:30 (UK time), except public holidays."
    )
    for path in ("/portal/", "/portal/new/?application=service-issue"):
        assert said in page(client.get(path)), path
    # Change the calendar (as the admin saves it), and the pages follow: they state no
    # hours of their own.
    calendar = BusinessCalendar.objects.get(is_default=True)
    calendar.opens, calendar.closes, calendar.workdays = time(8, 0), time(18, 0), "0123"
    calendar.save()
    for path in ("/portal/", "/portal/new/?application=service-issue"):
        html = page(client.get(path))
        assert "Monday–Thursday 08:00–18:00 (UK time)" in html, path
        assert "09:00–17:30" not in html, path


def test_a_closure_coming_up_is_said(client_for: Callable[[str], Client]) -> None:
    client = client_for("customer")
    # A date before the session expires: Monday 22 December 2025.
    with clock(datetime(2025, 12, 22, 10, 0, tzinfo=LONDON)):
        html = page(client.get("/portal/"))
    assert "Closed Thursday 25 December (Christmas Day)." in html


@pytest.mark.parametrize("code", ["P1", "P2", "P3", "P4", ""])
def test_the_respond_by_shown_is_the_due_time_stored(
    client_for: Callable[[str], Client], code: str
) -> None:
    client = client_for("customer")
    with clock(EARLY):
        html = page(client.get("/portal/new/?application=service-issue"))
        priority = Priority.objects.get(code=code or "P4")  # "not sure" is the default
        if not code:
            assert f"“Not sure” counts as {priority.name} – P4" in html
        shown = _times(_row(html, f"{priority.name} – {priority.code}"))
        chosen = {"priority": str(priority.pk)} if code else {}
        response = client.post("/portal/new/", {**ISSUE, **chosen})
    assert response.status_code == 302
    stored = Transaction.objects.get(title=ISSUE["title"])
    assert stored.priority == priority
    assert shown[0] == stored.response_due_at
    if stored.resolution_due_at is None:
        assert len(shown) == 1  # "No target"
    else:
        assert shown[1] == stored.resolution_due_at
    if code == "P1":
        # 30 business minutes from the 09:00 opening, not from 08:15.
        assert shown[0] == datetime(2026, 6, 9, 9, 30, tzinfo=LONDON)
        assert '<time datetime="2026-06-09T09:30:00+01:00">Tue 9 Jun, 09:30</time>' in html


def test_no_promise_for_a_kind_without_priorities(client_for: Callable[[str], Client]) -> None:
    html = page(client_for("customer").get("/portal/new/?application=compliment"))
    assert "If you send this now" not in html
    assert "Support hours:" in html


def _logged(code: str) -> Transaction:
    return actions.create_transaction(
        actor=user("csr"),
        application=application("service-issue"),
        title=f"Pump {code}",
        requester=individual("customer"),
        priority=Priority.objects.get(code=code),
        profile={"issue-type": "fault", "product": "clearflow-dosing-pump"},
    )


def test_the_transaction_page_shows_both_due_times(client_for: Callable[[str], Client]) -> None:
    client = client_for("customer")
    p1, p4 = _logged("P1"), _logged("P4")
    html = page(client.get(f"/portal/t/{p1.number}/"))
    respond = re.search(r"<dt>Respond by</dt><dd>(.*?)</dd>", html, re.S)
    resolve = re.search(r"<dt>Resolve by</dt><dd>(.*?)</dd>", html, re.S)
    assert respond
    assert resolve
    assert _times(respond.group(1)) == [p1.response_due_at]
    assert _times(resolve.group(1)) == [p1.resolution_due_at]
    html = page(client.get(f"/portal/t/{p4.number}/"))
    respond = re.search(r"<dt>Respond by</dt><dd>(.*?)</dd>", html, re.S)
    assert respond
    assert _times(respond.group(1)) == [p4.response_due_at]
    assert "<dt>Resolve by</dt><dd>No target for P4 (Question or request)</dd>" in html


def test_the_lists_due_column_is_the_resolve_by_for_every_priority(
    client_for: Callable[[str], Client],
) -> None:
    logged = {code: _logged(code) for code in ("P1", "P2", "P3", "P4")}
    html = page(client_for("customer").get("/portal/transactions/?show=mine"))
    heading = (
        f'<th scope="col"><abbr title="{escape(timetags.RESOLVE_BY_RULE)}">Resolve by</abbr></th>'
    )
    assert heading in html
    assert ">Due<" not in html
    for code, t in logged.items():
        row = re.search(rf"<tr>\s*<td class=\"number\"><a [^>]*>{t.number}</a>.*?</tr>", html, re.S)
        assert row, code
        if code == "P4":
            assert '<span class="meta">No target</span>' in row.group(), code
        else:
            assert t.resolution_due_at in _times(row.group()), code
