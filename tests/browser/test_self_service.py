"""Self-support before a ticket (seed 004), in Chromium: a customer searches the
knowledge base, reads an answer and says it solved the problem (nothing is logged);
later a search finds nothing useful and the request is opened from the same page with
what they searched for carried over as its title. axe-core checks each page."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from portico.knowledge import services
from portico.knowledge.models import Deflection, Search, Status
from portico.service.models import Transaction
from tests.browser.test_login_browser import log_in
from tests.conftest import PASSWORD, Persona, serious_accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def accessible(page: Page) -> None:
    assert serious_accessibility_violations(page) == [], page.url


def test_search_read_solved_then_open_a_request_with_the_title_carried_over(
    demo_data: None, personas: dict[str, Persona], new_page: Callable[..., Page]
) -> None:
    services.save_article(
        actor=None,
        change=services.ArticleChange(
            title="Dosing pump alarm E42: flow sensor fault",
            summary="What alarm E42 means and how to clear it.",
            body="## What it means\n\nThe pump raises alarm E42 when the flow sensor reads"
            " no flow.\n\n"
            "## What to do\n\n1. Check the suction line.\n2. Reset the flow sensor.",
            status=Status.PUBLISHED,
            public=True,
        ),
    )
    before = Transaction.objects.count()
    page = new_page(bypass_csp=True)  # axe is injected; CSP itself is tested elsewhere
    log_in(page, personas["customer"].email, PASSWORD)

    # 1. Search from the portal's home, read the answer, say it solved the problem.
    page.get_by_label("What do you need help with?").fill("pump alarm E42")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="Articles for “pump alarm E42”")).to_be_visible()
    expect(page.locator(".snippet mark").first).to_be_visible()
    accessible(page)
    page.get_by_role("link", name="Dosing pump alarm E42: flow sensor fault").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Dosing pump alarm E42: flow sensor fault"
    )
    accessible(page)
    page.get_by_role("button", name="This solved my problem").click()
    expect(page.get_by_role("status")).to_contain_text("solved it")
    assert Transaction.objects.count() == before
    assert Deflection.objects.get().query == "pump alarm E42"

    # 2. Another problem: the knowledge base has nothing useful, so open a request.
    page.get_by_role("link", name="Knowledge base").first.click()
    page.get_by_label("Search the knowledge base").fill("wash bay pressure gauge squeals")
    page.get_by_role("button", name="Search").click()
    expect(
        page.get_by_role("heading", name="No good match for “wash bay pressure gauge squeals”")
    ).to_be_visible()
    assert Search.objects.get(query="wash bay pressure gauge squeals").results == 0
    page.get_by_role(
        "link", name="Log a new request about “wash bay pressure gauge squeals”"
    ).click()
    page.get_by_label("Service issue").check()  # htmx swaps the service issue's form in
    expect(page.get_by_label("Summary")).to_have_value("wash bay pressure gauge squeals")
    accessible(page)
    page.get_by_label("Details").fill("A high squeal from the gauge on bay 2 since Monday.")
    page.get_by_label("Issue type").select_option(label="Fault")
    page.get_by_label("Product").select_option(label="ClearFlow filter unit")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("wash bay pressure gauge squeals")
    assert Transaction.objects.count() == before + 1
    created = Transaction.objects.get(title="wash bay pressure gauge squeals")
    assert created.requester == personas["customer"].individual


def test_the_new_request_form_offers_answers_while_the_title_is_typed(
    demo_data: None, personas: dict[str, Persona], new_page: Callable[..., Page]
) -> None:
    services.save_article(
        actor=None,
        change=services.ArticleChange(
            title="Controller clock runs fast",
            body="Set the NTP server on the controller.",
            status=Status.PUBLISHED,
            public=True,
        ),
    )
    page = new_page()
    log_in(page, personas["customer"].email, PASSWORD)
    page.goto("/portal/new/?application=service-issue")
    page.get_by_label("Summary").press_sequentially("controller clock", delay=20)
    suggestion = page.get_by_role("link", name="Controller clock runs fast")
    expect(suggestion).to_be_visible()
    suggestion.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Controller clock runs fast")
    page.get_by_role("button", name="This solved my problem").click()
    expect(page.get_by_role("status")).to_contain_text("solved it")
    assert Deflection.objects.get().query == "controller clock"
