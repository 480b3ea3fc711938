"""Issue 23's "done when", end to end in Chromium and through a real SMTP receiver: the
CSR resolves a demo customer's request on the console page → the worker sends the survey
e-mail → the customer opens its "Not satisfied" link, adds a comment and confirms → the
worker gives the team's supervisor the follow-up (on their task list, with the comment
in an internal note) → once the worker has rebuilt the day's roll-ups, the supervisor's
satisfaction figures show one "not satisfied" for that CSR. axe-core checks the survey
page and the figures page."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from portico.events import periodic
from portico.notify import delivery as deliverer
from portico.service.models import Transaction
from portico.surveys.models import Answer
from tests.automations.test_defaults import EWAN, mail_to, text_of
from tests.browser.test_login_browser import log_in
from tests.conftest import PASSWORD, Persona, serious_accessibility_violations
from tests.mail.conftest import SmtpServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMMENT = "The alarm came back the next morning."


def accessible(page: Page) -> None:
    assert serious_accessibility_violations(page) == [], page.url


def run_worker(worker: Callable[[], int]) -> None:
    """What `portico worker` does after a commit: the rules, then the outbox."""
    worker()
    deliverer.sweep()


@pytest.mark.slow
def test_not_satisfied_from_the_email_to_the_supervisor_and_the_figures(
    demo_data: None,
    personas: dict[str, Persona],
    new_page: Callable[..., Page],
    worker: Callable[[], int],
    smtp_server: SmtpServer,
) -> None:
    issue = Transaction.objects.get(title="Dosing pump on line 3 stopped overnight")
    assert issue.requester is not None
    assert issue.requester.email == EWAN
    run_worker(worker)  # the demo day's own mail out of the way
    before = len(mail_to(smtp_server, EWAN))

    # 1. Fiona (CSR) resolves Ewan's request on its console page.
    fiona = new_page()
    log_in(fiona, personas["csr"].email, PASSWORD)
    fiona.goto(f"/console/transactions/{issue.number}/")
    fiona.get_by_label("New status").select_option(label="Resolved")
    fiona.get_by_label("Resolution (the customer reads this)").fill(
        "Replaced the flow sensor; the pump is back on automatic dosing."
    )
    fiona.get_by_role("button", name="Change status").click()
    expect(fiona.get_by_role("main")).to_contain_text("Replaced the flow sensor")

    # 2. The worker sends the survey e-mail; Ewan's mailbox has it.
    run_worker(worker)
    [survey] = [
        m
        for m in mail_to(smtp_server, EWAN)[before:]
        if "Were you satisfied?" in str(m["Subject"]) and issue.number in str(m["Subject"])
    ]
    found = re.search(r"^Not satisfied: (\S+?)\r?$", text_of(survey), re.MULTILINE)
    assert found is not None
    link = urlsplit(found[1])

    # 3. He follows "Not satisfied" in a browser that never logged in: it is chosen.
    ewan = new_page(bypass_csp=True)  # axe is injected; the CSP is tested elsewhere
    ewan.goto(f"{link.path}?{link.query}")
    expect(ewan.get_by_role("heading", level=1)).to_contain_text("Were you satisfied?")
    expect(ewan.get_by_label("Not satisfied", exact=True)).to_be_checked()
    expect(ewan.get_by_label("Satisfied", exact=True)).not_to_be_checked()
    accessible(ewan)
    assert Answer.objects.get(transaction=issue).answered_at is None  # a GET records nothing
    ewan.get_by_label("Comment").fill(COMMENT)
    ewan.get_by_role("button", name=re.compile("send|confirm", re.IGNORECASE)).click()
    expect(ewan.get_by_role("status")).to_contain_text("your answer is recorded")
    accessible(ewan)

    # 4. The worker: the "not satisfied" rule assigns the team's supervisor, with a note.
    run_worker(worker)
    morag = new_page(bypass_csp=True)
    log_in(morag, personas["supervisor"].email, PASSWORD)
    morag.goto("/console/")
    tasks = morag.locator("section", has=morag.get_by_role("heading", name="My task list"))
    expect(tasks).to_contain_text(issue.number)
    tasks.get_by_role("link", name=issue.number).click()
    expect(morag.get_by_role("main")).to_contain_text(f"Not satisfied: {COMMENT}")

    # 5. Her figures by resolver, once the worker's roll-up job has run: Fiona, one
    # answer, not satisfied.
    periodic.discover()["reports.rollups"].function()
    morag.get_by_role("navigation", name="Sections").get_by_role("link", name="Reports").click()
    morag.get_by_role("navigation", name="Reports").get_by_role("link", name="Satisfaction").click()
    expect(morag).to_have_url(re.compile(r"/console/reports/satisfaction/$"))
    expect(morag.get_by_label("Group by")).to_have_value("resolver")
    table = morag.get_by_role("table")
    headers = [h.strip() for h in table.get_by_role("columnheader").all_inner_texts()]
    row = table.get_by_role("row").filter(has_text="Fiona MacLeod")
    expect(row).to_have_count(1)
    cells = [c.strip() for c in row.get_by_role("cell").all_inner_texts()]
    # The row header (the name) is not a cell: the cells start at "Answered".
    figures = dict(zip(headers[1:], cells, strict=False))
    assert (figures["Answered"], figures["Satisfied"], figures["Not satisfied"]) == ("1", "0", "1")
    accessible(morag)
