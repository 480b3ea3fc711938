"""The Reports zone in Chromium (issue 24): a supervisor and an administrator walk its
pages from the menu, each passing axe-core; the charts draw under the Content Security
Policy; a CSR without the zone is refused."""

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.browser.test_login_browser import log_in
from tests.conftest import PASSWORD, Persona, serious_accessibility_violations
from tests.postgres_cluster import sqlite_pass_only

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    sqlite_pass_only("the markup does not depend on the database"),
]

PAGES = ("Service", "Satisfaction", "People", "Money", "Products", "Portal and self-service")


@pytest.mark.parametrize("key", ["supervisor", "administrator"])
def test_the_zone_walked_from_the_menu(
    demo_data: None, personas: dict[str, Persona], new_page: Callable[..., Page], key: str
) -> None:
    page = new_page(bypass_csp=True)  # axe is injected as a script
    log_in(page, personas[key].email, PASSWORD)
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Service report")
    expect(page.get_by_role("img", name="Median first response time by Team")).to_be_visible()
    for name in PAGES:
        page.get_by_role("navigation", name="Reports").get_by_role(
            "link", name=name, exact=True
        ).click()
        expect(
            page.get_by_role("navigation", name="Reports").get_by_role(
                "link", name=name, exact=True
            )
        ).to_have_attribute("aria-current", "page")
        if name == "Satisfaction":
            expect(
                page.get_by_role("img", name="Share of answers satisfied by Resolver")
            ).to_be_visible()
        if name == "Money":
            expect(page.get_by_role("img", name="Value by Product")).to_be_visible()
        assert serious_accessibility_violations(page) == [], name


def test_the_charts_draw_under_the_content_security_policy(
    demo_data: None, personas: dict[str, Persona], new_page: Callable[..., Page]
) -> None:
    page = new_page()
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    log_in(page, personas["administrator"].email, PASSWORD)
    page.goto("/console/reports/")
    chart = page.locator("svg.chart").first
    expect(chart).to_be_visible()
    # Styled from the static stylesheet: the bars are filled, not the default black.
    fill = page.locator("svg.chart rect.bar").first.evaluate("e => getComputedStyle(e).fill")
    assert fill not in ("", "rgb(0, 0, 0)")
    assert refused == []


def test_a_csr_is_refused(
    demo_data: None, personas: dict[str, Persona], new_page: Callable[..., Page]
) -> None:
    page = new_page()
    log_in(page, personas["csr"].email, PASSWORD)
    response = page.goto("/console/reports/")
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("navigation", name="Sections")).not_to_contain_text("Reports")


def test_a_supervisor_downloads_the_people_and_portal_tables(
    demo_data: None, personas: dict[str, Persona], new_page: Callable[..., Page]
) -> None:
    page = new_page()
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, personas["supervisor"].email, PASSWORD)
    page.goto("/console/reports/people/")
    # Each count beside the period before, and the total line, fit the screen's width.
    expect(page.get_by_role("rowheader", name="Total")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    with page.expect_download() as people:
        page.get_by_role("link", name="CSV", exact=True).click()
    assert people.value.suggested_filename.startswith("people-")
    rows = list(csv.reader(io.StringIO(Path(people.value.path()).read_text("utf-8-sig"))))
    assert rows[0][:2] == ["Person", "Actions"]
    assert rows[-1][0] == "Total"

    page.goto("/console/reports/portal/")
    with page.expect_download() as portal:
        page.get_by_role("link", name="Excel (a sheet per table)").click()
    book = load_workbook(io.BytesIO(Path(portal.value.path()).read_bytes()))
    assert book.sheetnames == [
        "Channels by month",
        "Active portal users",
        "Searches that found nothing",
        "Self-service figures",
    ]
    schedule = page.get_by_role("form", name="E-mail me this report")
    expect(schedule.get_by_role("combobox", name="with")).to_have_value("xlsx")
