"""Reply by e-mail from the console's transaction page in Chromium (issue 21): the access
key opens the form, the keyboard walks it (CC, message, files, send), and the note shows
as e-mailed to the requester and the CC. One test, so that the demo is loaded for real
once; the accessibility check runs in the SQLite pass only (the markup does not depend
on the database)."""

from collections.abc import Callable

import pytest
from django.db import connection
from playwright.sync_api import Page, expect

from portico.audit.models import Event
from portico.service.models import Note, Transaction
from tests.browser.test_login_browser import log_in
from tests.conftest import PASSWORD, Persona, serious_accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page: Page) -> bool:
    return bool(page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"))


def _focused_label(page: Page) -> str:
    return str(
        page.evaluate(
            "() => (document.activeElement.labels?.[0]?.textContent"
            " || document.activeElement.textContent || '').trim()"
        )
    )


def _press_access_key(page: Page, key: str) -> None:
    """Alt and the key, as the keyboard sends them on Linux. Playwright's own Alt+key
    sends the key without its character (a "raw" key-down), and Chromium matches access
    keys on the character the key would type unmodified: send that event as the
    browser receives it from a real keyboard."""
    session = page.context.new_cdp_session(page)
    event = {
        "modifiers": 1,  # Alt
        "key": key,
        "code": f"Key{key.upper()}",
        "windowsVirtualKeyCode": ord(key.upper()),
        "unmodifiedText": key,
    }
    session.send("Input.dispatchKeyEvent", {"type": "keyDown", **event})
    session.send("Input.dispatchKeyEvent", {"type": "keyUp", **event})
    session.detach()


def test_reply_by_email_with_the_keyboard(
    demo_data: None, personas: dict[str, Persona], new_page: Callable[..., Page]
) -> None:
    page = new_page(bypass_csp=True)  # axe is injected as a script
    page.set_viewport_size({"width": 1280, "height": 800})
    log_in(page, personas["csr"].email, PASSWORD)
    issue = Transaction.objects.get(title="Dosing pump on line 3 stopped overnight")
    ewan = personas["customer"].individual
    page.goto(f"/console/transactions/{issue.number}/")
    message = page.get_by_label("Message")
    expect(message).to_be_hidden()  # closed until asked for
    assert _fits(page)

    # The access key (Alt+R in Chromium) opens the form where the focus is.
    page.locator("body").focus()
    _press_access_key(page, "r")
    summary = page.locator("details.email-reply > summary")
    expect(summary).to_be_focused()
    expect(message).to_be_visible()
    reply = page.locator("details.email-reply")
    expect(reply).to_contain_text(f"To Ewan Grant <{ewan.email}>")
    assert _fits(page)
    if connection.vendor == "sqlite":
        assert serious_accessibility_violations(page) == []

    # CC: the select takes a typed name, as a person picks from it.
    page.keyboard.press("Tab")
    cc = page.get_by_label("CC")
    expect(cc).to_be_focused()
    page.keyboard.type("Kirsty")
    assert cc.evaluate("s => [...s.selectedOptions].map(o => o.text)") == ["Kirsty Muir"]
    page.keyboard.press("Tab")
    expect(message).to_be_focused()
    page.keyboard.type("The new flow sensor ships today; wiring notes attached.")
    page.keyboard.press("Tab")
    files = page.get_by_label("Files to attach")
    expect(files).to_be_focused()
    # A file chooser is the system's dialog, not the page's: the file is handed to the
    # focused input as the dialog would.
    files.set_input_files(
        {"name": "wiring notes.txt", "mimeType": "text/plain", "buffer": b"Pin 3 to pin 7.\n"}
    )
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Send e-mail")).to_be_focused()
    page.keyboard.press("Enter")

    notes = page.locator("#notes .timeline")
    expect(notes).to_contain_text("E-mail · Outbound")
    expect(notes).to_contain_text("E-mailed to Ewan Grant; CC Kirsty Muir")
    expect(notes).to_contain_text("The new flow sensor ships today; wiring notes attached.")
    expect(notes.get_by_role("link", name="wiring notes.txt")).to_be_visible()
    expect(page.locator("details.email-reply")).not_to_have_attribute("open", "")
    assert _fits(page)

    note = Note.objects.filter(transaction=issue).latest("id")
    assert (note.channel, note.direction, note.visibility) == ("email", "out", "shared")
    assert [a.name for a in note.attachments.all()] == ["wiring notes.txt"]
    kirsty = personas["colleague"].individual
    assert Event.objects.get(action="note.added", data__note=note.pk).data["cc"] == [kirsty.pk]
    if connection.vendor == "sqlite":
        assert serious_accessibility_violations(page) == []
