"""Every page a person meets passes axe-core with no serious or critical violation."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from portico.service.models import Transaction
from tests.browser.test_login_browser import log_in
from tests.conftest import PASSWORD, Persona, serious_accessibility_violations
from tests.postgres_cluster import sqlite_pass_only

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    sqlite_pass_only("the markup does not depend on the database"),
]


def test_log_in_page(demo_data: None, new_page: Callable[..., Page]) -> None:
    page = new_page(bypass_csp=True)
    page.goto("/accounts/login/")
    assert serious_accessibility_violations(page) == []


def test_console_pages(
    demo_data: None, personas: dict[str, Persona], new_page: Callable[..., Page]
) -> None:
    page = new_page(bypass_csp=True)
    log_in(page, personas["csr"].email, PASSWORD)
    number = Transaction.objects.filter(title__startswith="Dosing pump").get().number
    ewan = personas["customer"].individual
    for path in (
        "/console/",
        "/console/transactions/",
        f"/console/transactions/{number}/",
        "/console/find/?q=harbour",
        f"/console/people/{ewan.pk}/",
        f"/console/organizations/{ewan.organization_id}/",
        f"/console/transactions/new/?requester={ewan.pk}",
        "/console/notifications/",
    ):
        page.goto(path)
        assert serious_accessibility_violations(page) == [], path


def test_portal_homes(
    demo_data: None, personas: dict[str, Persona], new_page: Callable[..., Page]
) -> None:
    for key, home in (
        ("customer", "/portal/"),
        ("partner", "/partners/"),
        ("employee", "/employees/"),
    ):
        page = new_page(bypass_csp=True)
        log_in(page, personas[key].email, PASSWORD)
        page.goto(home)
        assert serious_accessibility_violations(page) == [], home
