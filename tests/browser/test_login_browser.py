"""A person at the log-in page, in Debian's Chromium."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from portico.demo.people import PEOPLE
from portico.parties.services import deactivate_individual
from tests.conftest import PASSWORD, Persona

# Transactional: the live server thread reads what the test wrote.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOMES = {
    "console": "/console/",
    "customer": "/portal/",
    "partner": "/partners/",
    "employee": "/employees/",
}
GROUP_PORTAL = {
    "Staff": "console",
    "Supervisors": "console",
    "Systems administrators": "console",
    "Customers": "customer",
    "Partners": "partner",
    "Employees": "employee",
}


def log_in(page: Page, email: str, password: str) -> None:
    page.goto("/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.slow
def test_every_demo_person_lands_on_their_home(
    demo_data: None, new_page: Callable[[], Page]
) -> None:
    for person in PEOPLE:
        page = new_page()
        log_in(page, person.email, PASSWORD)
        home = HOMES[GROUP_PORTAL[person.group]]
        expect(page).to_have_url(f"{page.url.split(home)[0]}{home}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        expect(page.get_by_text(person.first_name).first).to_be_visible()
        page.get_by_role("button", name="Log out").click()
        expect(page.get_by_label("E-mail address")).to_be_visible()
        page.context.close()


def test_wrong_password_shows_a_clear_error(
    personas: dict[str, Persona], new_page: Callable[[], Page]
) -> None:
    page = new_page()
    log_in(page, personas["customer"].email, "not-my-password")
    expect(page.get_by_role("alert")).to_contain_text("password you specified are not correct")
    expect(page.get_by_label("E-mail address")).to_have_value(personas["customer"].email)
    page.goto("/portal/")
    expect(page.get_by_label("Password")).to_be_visible()  # still logged out


def test_repeated_failures_are_throttled(
    personas: dict[str, Persona], new_page: Callable[[], Page]
) -> None:
    page = new_page()
    for _ in range(5):
        log_in(page, personas["colleague"].email, "guess")
    log_in(page, personas["colleague"].email, PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("Too many failed login attempts")


def test_customer_on_a_console_url_gets_403(
    personas: dict[str, Persona], new_page: Callable[[], Page]
) -> None:
    page = new_page()
    log_in(page, personas["customer"].email, PASSWORD)
    expect(page).to_have_url(f"{page.url.split('/portal/')[0]}/portal/")
    nav = page.get_by_role("navigation", name="Sections")
    expect(nav.get_by_role("link", name="Console")).to_have_count(0)
    response = page.goto("/console/")
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()


def test_a_deactivated_persons_open_session_dies(
    personas: dict[str, Persona], new_page: Callable[[], Page]
) -> None:
    page = new_page()
    log_in(page, personas["technician"].email, PASSWORD)
    expect(page.get_by_role("heading", name="Service console")).to_be_visible()
    deactivate_individual(individual=personas["technician"].individual, actor=None)
    page.reload()
    expect(page.get_by_label("E-mail address")).to_be_visible()
    assert "/accounts/login/" in page.url
