"""On the phone: a CSR logs a transaction from the caller's 360° view with the keyboard
alone (seed 002: the CSR's hands stay on the keyboard while the customer talks)."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from portico.service.models import Transaction
from tests.browser.test_login_browser import log_in
from tests.conftest import PASSWORD, Persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _tab_to(page: Page, name: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => (document.activeElement.labels?.[0]?.textContent"
            " || document.activeElement.textContent || '').trim()"
        )
        if focused.startswith(name):
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_find_the_caller_and_log_a_transaction_by_keyboard(
    demo_data: None, personas: dict[str, Persona], new_page: Callable[..., Page]
) -> None:
    page = new_page()
    log_in(page, personas["csr"].email, PASSWORD)
    page.goto("/console/find/")
    # Chromium moves focus to an autofocus field at its next rendering step, which can
    # come after the load event: wait for it as the user's eyes would, or the keys land
    # on the page body and Tab starts again from the top.
    search = page.get_by_label("Name, e-mail, phone or organisation")
    expect(search).to_be_focused()
    page.keyboard.type("Alan Murray")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="People")).to_be_visible()
    expect(search).to_be_focused()  # still in the box, ready for the next search
    _tab_to(page, "Alan Murray")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Alan Murray")
    _tab_to(page, "Log a transaction for Alan")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("for Alan Murray")
    expect(page.get_by_label("Title")).to_be_focused()
    page.keyboard.type("Wash-bay controller shows E17")
    page.keyboard.press("Tab")
    page.keyboard.type("Since the 06:00 wash cycle.")
    _tab_to(page, "Issue type")
    page.keyboard.type("Fault")
    _tab_to(page, "Product")
    page.keyboard.type("AquaSense c")
    _tab_to(page, "Log it")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Wash-bay controller shows E17")
    created = Transaction.objects.get(title="Wash-bay controller shows E17")
    assert created.requester is not None
    assert created.requester.name == "Alan Murray"
    assert created.channel == "phone"
    assert created.profile_values.filter(choice__label="AquaSense controller").exists()
