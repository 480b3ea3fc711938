"""The customer portal in Debian's Chromium, under the real Content Security Policy:
choosing the kind of request swaps in its fields (htmx), logging it, adding a note;
and every portal page passes axe-core, errors shown included."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from portico.service.models import Note, Transaction
from tests.browser.test_login_browser import log_in
from tests.conftest import PASSWORD, Persona, serious_accessibility_violations
from tests.postgres_cluster import sqlite_pass_only

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_customer_logs_a_request_and_adds_a_note(
    demo_data: None, personas: dict[str, Persona], new_page: Callable[..., Page]
) -> None:
    page = new_page()
    log_in(page, personas["customer"].email, PASSWORD)
    page.get_by_role("link", name="Log a new request").first.click()
    page.get_by_label("Call-back request").check()
    # htmx fetched the call-back form in place and put the choice in the address.
    expect(page.get_by_label("Preferred call-back time")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/portal/new/\?application=call-back$"))
    page.get_by_label("Service issue").check()
    expect(page.get_by_label("Preferred call-back time")).to_have_count(0)
    page.get_by_label("Summary").fill("Dosing pump alarm E42 again")
    page.get_by_label("Issue type").select_option(label="Fault")
    page.get_by_label("Product").select_option(label="ClearFlow dosing pump")
    page.get_by_role("button", name="Send").click()

    created = Transaction.objects.get(title="Dosing pump alarm E42 again")
    expect(page.get_by_role("heading", level=1)).to_contain_text(created.number)
    expect(page.get_by_role("status")).to_contain_text(f"{created.number} is logged")

    page.get_by_label("Your note").fill("It stopped again at 06:00.")
    page.get_by_role("button", name="Add the note").click()
    expect(page.get_by_text("It stopped again at 06:00.")).to_be_visible()
    assert Note.objects.filter(transaction=created, body="It stopped again at 06:00.").exists()


def test_a_missing_value_is_announced_and_linked_to_its_field(
    demo_data: None, personas: dict[str, Persona], new_page: Callable[..., Page]
) -> None:
    page = new_page()
    log_in(page, personas["customer"].email, PASSWORD)
    page.goto("/portal/new/?application=call-back")
    page.get_by_label("Summary").fill("Please ring me")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("alert")).to_contain_text("Preferred call-back time is required.")
    field = page.get_by_label("Preferred call-back time")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Summary")).to_have_value("Please ring me")


@pytest.mark.slow
@sqlite_pass_only("the markup does not depend on the database")
def test_the_portal_pages_pass_axe(
    demo_data: None, personas: dict[str, Persona], new_page: Callable[..., Page]
) -> None:
    pages = {
        "customer": [
            "/portal/",
            "/portal/transactions/?show=organisation",
            "/portal/new/",
            "/portal/new/?application=service-issue",
            "/portal/t/SI-000001/",
            "/portal/t/CO-000001/",  # read-only for Ewan
            "/portal/profile/",
        ],
        "partner": ["/partners/", "/partners/new/", "/partners/profile/"],
        "employee": ["/employees/", "/employees/new/", "/employees/t/SI-000005/"],
    }
    for key, paths in pages.items():
        page = new_page(bypass_csp=True)
        log_in(page, personas[key].email, PASSWORD)
        for path in paths:
            page.goto(path)
            assert serious_accessibility_violations(page) == [], path
    # The same pages with their errors showing.
    page = new_page(bypass_csp=True)
    log_in(page, personas["customer"].email, PASSWORD)
    page.goto("/portal/new/?application=service-issue")
    page.get_by_role("button", name="Send").click()
    assert serious_accessibility_violations(page) == [], "create with errors"
    page.goto("/portal/profile/")
    page.get_by_label("Mobile").fill("12")
    page.get_by_role("button", name="Save my details").click()
    assert serious_accessibility_violations(page) == [], "profile with errors"
    page.goto("/portal/t/SI-000001/")
    page.get_by_role("button", name="Add the note").click()
    assert serious_accessibility_violations(page) == [], "note with errors"
