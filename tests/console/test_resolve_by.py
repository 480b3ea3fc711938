"""The console lists' due column is "Resolve by" for every priority and says so: the
resolution due time, and "No target" for a priority without one (issue 19, item 9)."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from portico import timetags
from portico.parties.models import User
from portico.service import actions
from portico.service.models import Application, Priority, Transaction
from tests.conftest import PERSONAS

RULE = re.escape(escape(timetags.RESOLVE_BY_RULE))
HEADING = re.compile(
    rf'<th scope="col"( class="col-due")?><abbr title="{RULE}">' + "Resolve by</abbr></th>"
)


def _csr() -> User:
    user = PERSONAS["csr"].individual.user
    assert user is not None
    return user


def _logged() -> dict[str, Transaction]:
    return {
        code: actions.create_transaction(
            actor=_csr(),
            application=Application.objects.get(code="service-issue"),
            title=f"Resolve-by check {code}",
            requester=PERSONAS["customer"].individual,
            priority=Priority.objects.get(code=code),
            profile={"issue-type": "fault", "product": "clearflow-dosing-pump"},
        )
        for code in ("P1", "P2", "P3", "P4")
    }


def _cell(html: str, t: Transaction) -> str:
    row = re.search(rf"<tr>\s*<td class=\"number\"><a [^>]*>{t.number}</a>.*?</tr>", html, re.S)
    assert row, t.number
    return row.group()


def test_the_list_and_the_360_view_say_resolve_by_for_every_priority(
    client_for: Callable[[str], Client],
) -> None:
    logged = _logged()
    client = client_for("csr")
    queue = client.get(reverse("console:transactions"), {"q": "Resolve-by check"}).content.decode()
    organisation = PERSONAS["customer"].individual.organization
    assert organisation is not None
    view_360 = client.get(reverse("console:organization", args=[organisation.pk])).content.decode()
    assert HEADING.search(queue)
    assert HEADING.search(view_360)
    for code, t in logged.items():
        for html in (queue, view_360):
            row = _cell(html, t)
            if code == "P4":
                assert t.due_at is None
                assert '<span class="meta">No target</span>' in row
            else:
                assert t.due_at == t.resolution_due_at is not None
                local = timezone.localtime(t.resolution_due_at)
                assert f"{local.day} {local:%b} {local:%H:%M}" in row, (code, row)


def test_the_console_home_panels_say_resolve_by(client_for: Callable[[str], Client]) -> None:
    seen = set()
    for persona in ("csr", "technician"):
        html = client_for(persona).get(reverse("console:home")).content.decode()
        for panel, head in re.findall(
            r'<table aria-labelledby="(tasks|queue)-heading"[^>]*>.*?(<thead>.*?</thead>)',
            html,
            re.S,
        ):
            assert HEADING.search(head), (persona, panel)
            seen.add(panel)
    assert seen == {"tasks", "queue"}


def test_the_transaction_page_names_both_due_times(client_for: Callable[[str], Client]) -> None:
    p4 = _logged()["P4"]
    html = client_for("csr").get(reverse("console:transaction", args=[p4.number])).content.decode()
    assert "<dt>Respond by</dt>" in html
    assert "<dt>Resolve by</dt><dd>No target for P4" in html


def test_the_api_due_at_is_the_resolve_by(client_for: Callable[[str], Client]) -> None:
    logged = _logged()
    client = client_for("csr")
    rows = client.get("/api/v1/transactions/", {"q": "Resolve-by check"}).json()["results"]
    by_number = {row["number"]: row for row in rows}
    for t in logged.values():
        assert by_number[t.number]["due_at"] == by_number[t.number]["resolution_due_at"]
    schema = client.get("/api/v1/schema/", {"format": "json"}).content.decode()
    assert "none when its priority has no resolution target" in schema
