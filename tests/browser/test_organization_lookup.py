"""The organisation box of the console's filters, in Chromium: typing offers matching
organisations (htmx fills a datalist), and a chosen suggestion filters the list."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from portico.parties.models import Organization
from tests.browser.test_login_browser import log_in
from tests.conftest import PASSWORD, Persona

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_typing_offers_organisations_and_the_choice_filters(
    demo_data: None, personas: dict[str, Persona], new_page: Callable[..., Page]
) -> None:
    harbour = Organization.objects.get(name="Harbour Foods plc")
    page = new_page()
    log_in(page, personas["csr"].email, PASSWORD)
    page.goto("/console/transactions/")
    box = page.get_by_label("Organisation")
    box.press_sequentially("harb", delay=20)
    suggestion = page.locator("#organization-suggestions option")
    expect(suggestion).to_have_count(1)
    assert suggestion.get_attribute("value") == f"Harbour Foods plc ({harbour.account_number})"
    box.fill(f"Harbour Foods plc ({harbour.account_number})")
    page.get_by_role("button", name="Show transactions").click()
    expect(page.get_by_label("Organisation")).to_have_value(
        f"Harbour Foods plc ({harbour.account_number})"
    )
    # The third column holds the requester, with the organisation beneath.
    rows = page.locator("tbody tr td:nth-child(3) .meta")
    expect(rows.first).to_have_text("Harbour Foods plc")
    assert set(rows.all_inner_texts()) == {"Harbour Foods plc"}
