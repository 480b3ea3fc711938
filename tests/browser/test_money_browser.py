"""Value and cost on the console's transaction page in Chromium (issue 24): a CSR sets
them by their labels, a refused amount comes back with its reason beside the field, and
the page stays accessible and fits 1280 × 800."""

from collections.abc import Callable
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from portico.service.models import Transaction
from tests.browser.test_login_browser import log_in
from tests.conftest import PASSWORD, Persona, serious_accessibility_violations
from tests.postgres_cluster import sqlite_pass_only

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    sqlite_pass_only("the markup does not depend on the database"),
]

TITLE = "Dosing pump on line 3 stopped overnight"


def test_a_csr_sets_value_and_cost(
    demo_data: None, personas: dict[str, Persona], new_page: Callable[..., Page]
) -> None:
    page = new_page(bypass_csp=True)  # axe is injected as a script
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, personas["csr"].email, PASSWORD)
    issue = Transaction.objects.get(title=TITLE)
    page.goto(f"/console/transactions/{issue.number}/")

    page.get_by_label("Value:").fill("-12")
    page.get_by_role("button", name="Save value and cost").click()
    expect(page.get_by_text("The value cannot be negative.")).to_be_visible()
    assert serious_accessibility_violations(page) == []
    issue.refresh_from_db()
    assert issue.value == Decimal("0.00")

    page.get_by_label("Value:").fill("1250.50")
    page.get_by_label("Cost:").fill("80")
    page.get_by_role("button", name="Save value and cost").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(issue.number)
    summary = page.get_by_role("region", name="Summary")
    expect(summary).to_contain_text("1,250.50")
    expect(summary).to_contain_text("80.00")
    issue.refresh_from_db()
    assert (issue.value, issue.cost) == (Decimal("1250.50"), Decimal("80.00"))
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert serious_accessibility_violations(page) == []
