"""The source documents' scenario end to end, in Chromium (seeds 000, 001, 002): a
customer logs a service issue in the portal; the service desk records the call, dispatches
two technicians who (with their supervisor) are told at once; the customer follows it,
a colleague reads along, another company's customer cannot see it; it is resolved and
the customer reads how. axe-core checks every page on the way."""

from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from portico.service.models import Transaction
from tests.browser.test_login_browser import log_in
from tests.conftest import PASSWORD, Persona, serious_accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LONDON = ZoneInfo("Europe/London")


def accessible(page: Page) -> None:
    assert serious_accessibility_violations(page) == [], page.url


@pytest.mark.slow
def test_a_service_issue_from_portal_to_resolution(
    demo_data: None,
    personas: dict[str, Persona],
    new_page: Callable[..., Page],
    worker: Callable[[], int],
) -> None:
    def person(key: str) -> Page:
        page = new_page(bypass_csp=True)  # axe is injected; CSP itself is tested elsewhere
        log_in(page, personas[key].email, PASSWORD)
        return page

    # 1. The customer logs a service issue in the portal.
    ewan = person("customer")
    expect(ewan).to_have_url(f"{ewan.url.split('/portal/')[0]}/portal/")
    accessible(ewan)
    ewan.get_by_role("link", name="Log a new request").first.click()
    ewan.get_by_label("Service issue").check()  # htmx swaps the service issue's form in
    expect(ewan.get_by_role("heading", name="Service issue", level=2)).to_be_visible()
    ewan.get_by_label("Summary").fill("Line 5 dosing pump alarm E42")
    ewan.get_by_label("Details").fill("Alarm E42 since 06:00; line 5 on manual dosing.")
    ewan.get_by_label("How much does this affect you?").select_option(
        label="Major impact – P2, we respond within 1 hour"
    )
    ewan.get_by_label("Issue type").select_option(label="Fault")
    ewan.get_by_label("Product").select_option(label="ClearFlow dosing pump")
    accessible(ewan)
    ewan.get_by_role("button", name="Send").click()
    expect(ewan.get_by_role("heading", level=1)).to_contain_text("Line 5 dosing pump alarm E42")
    issue = Transaction.objects.get(title="Line 5 dosing pump alarm E42")
    assert issue.priority is not None
    assert issue.priority.code == "P2"
    accessible(ewan)

    # 2. It appears in the service queue with the due time of its priority.
    fiona = person("csr")
    fiona.goto("/console/transactions/")
    row = fiona.get_by_role("row").filter(has_text=issue.number)
    expect(row).to_have_count(1)
    accessible(fiona)
    row.get_by_role("link", name=issue.number).click()
    assert issue.due_at is not None
    due = issue.due_at.astimezone(LONDON).strftime("%a %-d %b %Y %H:%M")
    expect(fiona.get_by_text(due)).to_be_visible()
    accessible(fiona)

    # 3. The CSR records a shared phone call and an internal note.
    fiona.get_by_label("Channel").select_option(label="Phone call")
    fiona.get_by_label("Direction").select_option(label="Outbound")
    fiona.get_by_label("Visibility").select_option(label="Shared with the customer")
    fiona.get_by_label("Note:", exact=True).fill("Called Ewan: a technician will be on site today.")
    fiona.get_by_role("button", name="Add note").click()
    # htmx swaps the notes section in place; wait for it before writing the next note.
    expect(fiona.locator("#notes")).to_contain_text("a technician will be on site today")
    fiona.get_by_label("Channel").select_option(label="Internal note")
    fiona.get_by_label("Direction").select_option(label="—")
    fiona.get_by_label("Visibility").select_option(label="Internal (staff only)")
    fiona.get_by_label("Note:", exact=True).fill("Same fault as the October sensor recall?")
    fiona.get_by_role("button", name="Add note").click()
    timeline = fiona.locator("#notes")
    expect(timeline).to_contain_text("a technician will be on site today")
    expect(timeline).to_contain_text("October sensor recall")

    # 4. She assigns it to two technicians; both and their supervisor are told. The
    # dispatch form is drawn when its panel opens.
    fiona.get_by_text("Dispatch", exact=True).click()
    fiona.get_by_label("Assign to").select_option(label=["Tom Reid", "Aisha Khan"])
    fiona.get_by_role("button", name="Assign", exact=True).click()
    grants = fiona.locator(
        "section", has=fiona.get_by_role("heading", name="Individual and organisation permissions")
    )
    expect(grants).to_contain_text("Tom Reid")
    expect(grants).to_contain_text("Aisha Khan")
    accessible(fiona)
    worker()  # what `portico worker` does after the commit: the notices

    for key in ("technician", "supervisor"):
        page = person(key)
        bell = page.get_by_role("banner").get_by_role("link", name="Notifications")
        expect(bell).to_contain_text("unread")
        bell.click()
        expect(page.get_by_role("main")).to_contain_text(issue.number)
        accessible(page)

    # 5. Each technician finds it on their task list.
    for key in ("technician",):
        page = person(key)
        page.goto("/console/")
        tasks = page.locator("section", has=page.get_by_role("heading", name="My task list"))
        expect(tasks).to_contain_text(issue.number)
        accessible(page)
    aisha = new_page(bypass_csp=True)
    log_in(aisha, "aisha.khan@brightwater.example", PASSWORD)
    tasks = aisha.locator("section", has=aisha.get_by_role("heading", name="My task list"))
    expect(tasks).to_contain_text(issue.number)

    # 6. The customer sees the shared note, not the internal one, and adds a note.
    ewan.goto(f"/portal/t/{issue.number}/")
    notes = ewan.locator("#notes")
    expect(notes).to_contain_text("a technician will be on site today")
    expect(ewan.get_by_role("main")).not_to_contain_text("October sensor recall")
    ewan.get_by_label("Your note").fill("Thanks. The gate code is 4471.")
    ewan.get_by_role("button", name="Add the note").click()
    expect(ewan.locator("#notes")).to_contain_text("The gate code is 4471.")
    accessible(ewan)

    # 7. A colleague in the same organisation sees it read-only.
    kirsty = person("colleague")
    kirsty.goto(f"/portal/t/{issue.number}/")
    expect(kirsty.get_by_role("heading", level=1)).to_contain_text(issue.number)
    expect(kirsty.get_by_text("read-only for you")).to_be_visible()
    expect(kirsty.get_by_role("button", name="Add the note")).to_have_count(0)
    accessible(kirsty)

    # 8. A customer of another organisation gets 404 on its URL.
    helen = person("other_customer")
    response = helen.goto(f"/portal/t/{issue.number}/")
    assert response is not None
    assert response.status == 404

    # 9. The CSR resolves it and the customer sees the resolution.
    fiona.goto(f"/console/transactions/{issue.number}/")
    fiona.get_by_label("New status").select_option(label="Resolved")
    fiona.get_by_label("Resolution (the customer reads this)").fill(
        "Replaced the flow sensor (recall batch 2026-10); pump back on automatic dosing."
    )
    fiona.get_by_role("button", name="Change status").click()
    expect(fiona.get_by_role("main")).to_contain_text("Replaced the flow sensor (recall batch")
    ewan.goto(f"/portal/t/{issue.number}/")
    expect(ewan.get_by_role("main")).to_contain_text("Replaced the flow sensor (recall batch")
    expect(ewan.get_by_role("main")).to_contain_text("Resolved")
    accessible(ewan)
