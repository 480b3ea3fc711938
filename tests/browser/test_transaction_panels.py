"""The console transaction page's rare forms in Chromium: a panel opened with the
keyboard fetches its form (htmx, under the page's CSP), focus goes to its first field,
and what is sent there is done. One test, so that the demo is loaded for real once."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from portico.service.models import Grant, Transaction
from tests.browser.test_keyboard_create import _tab_to
from tests.browser.test_login_browser import log_in
from tests.conftest import PASSWORD, Persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dispatch_from_a_panel_opened_by_keyboard(
    demo_data: None, personas: dict[str, Persona], new_page: Callable[..., Page]
) -> None:
    page = new_page()
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, personas["csr"].email, PASSWORD)
    issue = Transaction.objects.get(title="Dosing pump on line 3 stopped overnight")
    page.goto(f"/console/transactions/{issue.number}/")
    assignees = page.get_by_label("Assign to")
    expect(assignees).to_have_count(0)  # not drawn until asked for

    page.locator("body").focus()
    _tab_to(page, "Dispatch", limit=200)
    page.keyboard.press("Enter")
    expect(assignees).to_be_focused()  # the form came, and the focus with it
    page.keyboard.type("Morag")
    expect(assignees).to_have_values([str(personas["supervisor"].individual.pk)])
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Assign", exact=True)).to_be_focused()
    page.keyboard.press("Enter")

    grants = page.get_by_role("table", name=f"Who has which permission on {issue.number}")
    expect(grants).to_contain_text("Morag Campbell")
    assert Grant.objects.filter(
        transaction=issue, individual__first_name="Morag", permission__code="assigned"
    ).exists()
    # Back on the page the panel is closed again, its form not drawn.
    expect(page.locator("#assign-panel")).not_to_have_attribute("open", "")
    expect(assignees).to_have_count(0)
