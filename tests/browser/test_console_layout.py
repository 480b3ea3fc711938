"""The console's tables fit the window a CSR works at (1280×800) and use a wide screen
(1920×1080): no table is wider than the box it sits in, nothing scrolls sideways, and
the team queue's Resolve-by and Assigned columns are on screen (issue 19, item 5)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from portico.parties.models import Individual, Organization
from portico.service import actions
from portico.service.models import Transaction
from tests.browser.test_login_browser import log_in
from tests.conftest import PASSWORD, Persona
from tests.postgres_cluster import sqlite_pass_only

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    sqlite_pass_only("the layout does not depend on the database"),
]

# A title as people really type them: long, with a reference no browser can break.
LONG_TITLE = (
    "Dosing pump on line 3 stopped overnight after the E42 flow-sensor alarm; "
    "ref WO-2026-LINE3-BOTTLING-CLEARFLOW-DOSING-PUMP-REPLACEMENT-PARTS-ORDER-0001"
)
LONG_ORGANIZATION = "Harbour Foods plc (Aberdeen bottling, canning and cold-store operations)"

# Every table's box, the document, and where each of the queue's headers ends up.
_MEASURE = """() => {
  const label = table => {
    const by = table.getAttribute("aria-labelledby");
    if (by) return document.getElementById(by).textContent.trim();
    return table.caption ? table.caption.textContent.trim() : "a table";
  };
  const root = document.scrollingElement;
  const overflow = [];
  if (root.scrollWidth > root.clientWidth) {
    overflow.push(`the page by ${root.scrollWidth - root.clientWidth}px`);
  }
  for (const table of document.querySelectorAll("main table")) {
    const box = table.parentElement;
    const by = box.scrollWidth - box.clientWidth;
    if (by > 0) overflow.push(`“${label(table)}” by ${by}px`);
  }
  const queue = document.querySelector('table[aria-labelledby="queue-heading"]');
  const columns = {};
  if (queue) {
    const panel = queue.parentElement.getBoundingClientRect();
    for (const th of queue.querySelectorAll("thead th")) {
      const r = th.getBoundingClientRect();
      columns[th.textContent.trim()] = {
        left: r.left, right: r.right, width: r.width, panelRight: panel.right,
      };
    }
  }
  const top = id => document.getElementById(id)?.closest("section").getBoundingClientRect().top;
  const main = document.querySelector("main").getBoundingClientRect();
  return {overflow, columns, tables: document.querySelectorAll("main table").length,
          mainWidth: main.width, viewport: root.clientWidth,
          tasksBesideQueue: top("tasks-heading") === top("queue-heading")};
}"""

SIZES = [(1280, 800), (1920, 1080)]


@pytest.fixture
def worst_day(demo_data: None, personas: dict[str, Persona]) -> Transaction:
    """The demo day made as wide as a real one gets: a long title with an unbreakable
    reference, a long organisation name, four people on one issue, something breaching
    and customer updates, so that every home panel has a table to measure."""
    now = timezone.now()
    pump = Transaction.objects.get(title__startswith="Dosing pump")
    Transaction.objects.filter(pk=pump.pk).update(title=LONG_TITLE, customer_updated_at=now)
    assert pump.organization_id is not None
    Organization.objects.filter(pk=pump.organization_id).update(name=LONG_ORGANIZATION)
    supervisor = personas["supervisor"].individual
    assert supervisor.user is not None
    actions.assign(
        actor=supervisor.user,
        transaction=pump,
        assignees=[personas["csr"].individual, supervisor],
    )
    # Late to respond and not answered: breaching already.
    Transaction.objects.filter(title__startswith="Price for a second").update(
        response_due_at=now - datetime.timedelta(minutes=30),
        first_response_at=None,
        customer_updated_at=now - datetime.timedelta(hours=1),
    )
    pump.refresh_from_db()
    return pump


@pytest.fixture
def window(
    chromium: Browser, live_server: LiveServer, request: pytest.FixtureRequest
) -> Iterator[Page]:
    width, height = request.param
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": width, "height": height}
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("window", SIZES, ids=[f"{w}x{h}" for w, h in SIZES], indirect=True)
def test_console_tables_fit_the_window(
    worst_day: Transaction, personas: dict[str, Persona], window: Page
) -> None:
    page = window
    width = page.viewport_size["width"] if page.viewport_size else 0
    log_in(page, personas["csr"].email, PASSWORD)
    ewan: Individual = personas["customer"].individual
    pages = {
        "home": "/console/",
        "list": "/console/transactions/",
        "transaction": f"/console/transactions/{worst_day.number}/",
        "person": f"/console/people/{ewan.pk}/",
        "organisation": f"/console/organizations/{ewan.organization_id}/",
    }
    overflowing: dict[str, list[str]] = {}
    narrow: list[str] = []
    home: dict[str, Any] = {}
    title: str | None = None
    cut = False
    # Log-in lands on the home: its first visit, so "Customers updated since I last
    # looked" covers the last day and has rows (a second visit would start from now).
    expect(page).to_have_url(re.compile(r"/console/$"))
    for name, path in pages.items():
        if name != "home":
            page.goto(path)
        found = page.evaluate(_MEASURE)
        assert found["tables"], f"{name} shows no table to measure"
        if found["overflow"]:
            overflowing[name] = found["overflow"]
        if found["mainWidth"] < 0.9 * found["viewport"]:
            narrow.append(name)
        if name == "home":
            home = found
            # Cut short on screen, the long title is whole on hover and to a reader.
            shown = page.locator('table[aria-labelledby="queue-heading"]').get_by_title(
                LONG_TITLE, exact=True
            )
            if shown.count() == 1:
                title = shown.inner_text()
                cut = shown.evaluate("e => e.scrollWidth > e.clientWidth")
    assert overflowing == {}, f"at {width}px"

    assert home["tables"] == 4, "every home panel has rows to measure"
    for header in ("Resolve by", "Assigned to"):
        box = home["columns"][header]
        assert box["width"] > 0, header
        assert box["right"] <= min(box["panelRight"], width), (header, box)
    assert title == LONG_TITLE
    assert cut, "the long title is shown whole: wrapped, not cut short"
    # A wide screen is used: the console is not a narrow column in its middle.
    assert narrow == []
    # At 1920 the task list and the team queue sit side by side; at 1280 one a row.
    assert home["tasksBesideQueue"] == (width >= 1920)
