"""A feedback form end to end in Chromium (issue 23): a customer finds the demo form in
the portal's menu, is told what is missing, answers it, and a supervisor reads the
answer in the results; each page passes axe-core with no serious violation."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from portico.demo import forms as demo_forms
from portico.surveys.models import Form, Response
from tests.browser.test_login_browser import log_in
from tests.conftest import PASSWORD, Persona, serious_accessibility_violations
from tests.postgres_cluster import sqlite_pass_only

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    sqlite_pass_only("the markup does not depend on the database"),
]


def test_a_customer_answers_and_a_supervisor_reads_it(
    demo_data: None, personas: dict[str, Persona], new_page: Callable[..., Page]
) -> None:
    form = Form.objects.get(title=demo_forms.TITLE)
    page = new_page(bypass_csp=True)
    log_in(page, personas["customer"].email, PASSWORD)
    page.get_by_role("link", name="Feedback forms").click()
    assert serious_accessibility_violations(page) == [], "forms list"
    page.get_by_role("link", name=demo_forms.TITLE).click()
    page.get_by_role("button", name="Send my answers").click()
    rating = page.get_by_role("group", name="How satisfied are you with your AquaSense controller?")
    expect(rating.get_by_text("Please answer this question.")).to_be_visible()
    assert serious_accessibility_violations(page) == [], "form with errors"
    rating.get_by_label("2").check()
    page.get_by_label("Alarms by text or e-mail").check()
    page.get_by_label("A few times a week").check()
    page.get_by_label("When was it installed?").fill("2024-03-01")
    page.get_by_label("What would you change?").fill("Louder alarms, please.")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("status")).to_contain_text("Your answers are recorded")
    assert Response.objects.filter(form=form, person=personas["customer"].individual).exists()

    staff = new_page(bypass_csp=True)
    log_in(staff, personas["supervisor"].email, PASSWORD)
    staff.get_by_role("link", name="Feedback forms").click()
    assert serious_accessibility_violations(staff) == [], "console forms"
    staff.get_by_role("link", name=demo_forms.TITLE).click()
    expect(staff.get_by_text("Louder alarms, please.")).to_be_visible()
    answers = Response.objects.filter(form=form).count()
    expect(staff.locator("p.lede")).to_contain_text(f"{answers} answers")
    assert serious_accessibility_violations(staff) == [], "results"
