"""The console's transaction page in Chromium (issue 19, items 3 and 7): the status
control offers only the moves the flow allows, nothing chosen for the CSR, and the title
and description are edited with the keyboard alone, the old text kept in the history.
One test, so that the demo is loaded for real once."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from portico.audit.models import Event
from portico.service.models import Transaction
from tests.browser.test_keyboard_create import _tab_to
from tests.browser.test_login_browser import log_in
from tests.conftest import PASSWORD, Persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OLD_TITLE = "Dosing pump on line 3 stopped overnight"


def _fits(page: Page) -> bool:
    return bool(page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"))


def test_status_moves_and_editing_the_text_by_keyboard(
    demo_data: None, personas: dict[str, Persona], new_page: Callable[..., Page]
) -> None:
    page = new_page()
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, personas["csr"].email, PASSWORD)
    issue = Transaction.objects.get(title=OLD_TITLE)
    assert issue.status.code == "in-progress"
    page.goto(f"/console/transactions/{issue.number}/")

    # In progress: Waiting on customer, Resolved or Withdrawn (for a caller who takes the
    # request back), and the placeholder showing.
    status = page.get_by_label("New status")
    assert status.locator("option").all_text_contents() == [
        "Move to…",
        "Waiting on customer",
        "Resolved",
        "Withdrawn",
    ]
    assert status.input_value() == ""
    assert _fits(page)

    # Keyboard only: open the editor, replace the title, add a line to the description.
    page.locator("body").focus()
    _tab_to(page, "Edit title and description", limit=120)
    page.keyboard.press("Enter")
    title = page.get_by_label("Title:", exact=True)
    expect(title).to_be_visible()
    page.keyboard.press("Tab")
    expect(title).to_be_focused()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("Dosing pump on line 3 stops every night")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Description (Markdown)")).to_be_focused()
    page.keyboard.press("ControlOrMeta+End")
    page.keyboard.press("Enter")
    page.keyboard.type("Stopped again at 03:40 <b>sharp</b>.")
    assert _fits(page)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Save title and description")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Dosing pump on line 3 stops every night"
    )
    issue.refresh_from_db()
    assert issue.title == "Dosing pump on line 3 stops every night"
    assert issue.description.endswith("\nStopped again at 03:40 <b>sharp</b>.")
    assert "\r" not in issue.description
    history = page.get_by_role("table", name=f"Audit trail of {issue.number}")
    expect(history).to_contain_text(f"Title: {OLD_TITLE} → Dosing pump on line 3 stops every night")
    history.get_by_text("Description: before and after").first.click()
    expect(history).to_contain_text("Stopped again at 03:40 <b>sharp</b>.")  # as text, escaped
    assert _fits(page)
    event = Event.objects.filter(action="transaction.text_changed").latest("id")
    assert event.data["title"]["before"] == OLD_TITLE

    # A move by keyboard: the select takes a typed letter, as a person picks from it.
    page.get_by_label("New status").focus()
    page.keyboard.type("W")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past the resolution
    expect(page.get_by_role("button", name="Change status")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("New status").locator("option")).to_have_text(
        ["Move to…", "In progress", "Resolved", "Withdrawn"]
    )
    issue.refresh_from_db()
    assert issue.status.code == "waiting"
