"""E-mail out in Chromium: a customer sets their e-mail choices on the profile page by
keyboard (axe-core checks the page), and an administrator's template preview shows the
message's HTML in its sandboxed frame under the real Content Security Policy."""

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from portico.mail import defaults
from portico.mail.models import Kind, Template
from portico.parties.models import Individual
from tests.browser.test_login_browser import log_in
from tests.conftest import PASSWORD, Persona, serious_accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_customer_chooses_only_mail_about_their_own_requests(
    demo_people: None, personas: dict[str, Persona], new_page: Callable[..., Page], tmp_path: Path
) -> None:
    page = new_page(bypass_csp=True)  # axe is injected; the policy is tested below
    log_in(page, personas["customer"].email, PASSWORD)
    page.goto("/portal/profile/")
    box = page.get_by_label("Only e-mail me about my own requests")
    box.focus()
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    page.get_by_role("button", name="Save e-mail settings").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Your e-mail settings are saved.")
    expect(page.get_by_label("Only e-mail me about my own requests")).to_be_checked()
    assert serious_accessibility_violations(page) == []
    page.screenshot(path=str(tmp_path / "profile.png"), full_page=True)
    person = Individual.objects.get(email=personas["customer"].email)
    assert person.mail_opted_out_at is not None


def test_the_template_preview_shows_the_html_under_the_real_policy(
    demo_people: None, personas: dict[str, Persona], new_page: Callable[..., Page]
) -> None:
    # A transactional test starts from an empty database: the default row is made anew.
    subject, text = defaults.DEFAULTS[Kind.NOTE]
    note, _ = Template.objects.get_or_create(
        kind=Kind.NOTE, application=None, language="en", defaults={"subject": subject, "text": text}
    )
    page = new_page()  # the real Content Security Policy
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    log_in(page, personas["administrator"].email, PASSWORD)
    page.goto(f"/admin/mail/template/{note.pk}/change/")
    frame = page.frame_locator("iframe[title='The HTML message']")
    expect(frame.get_by_text("We have sent an engineer")).to_be_visible()
    expect(frame.get_by_role("link", name="Stop e-mail about requests")).to_be_visible()
    assert blocked == []
