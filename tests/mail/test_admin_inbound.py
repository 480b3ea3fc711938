"""Mail in, in Systems Admin: the messages by outcome with their reasons, a message's
headers and text (escaped), its download, releasing a quarantined one; mailboxes with
their last poll."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client

from portico.mail import inbound
from portico.mail.models import Inbound, Mailbox
from tests.mail.conftest import SUPPORT, plain

ADMIN = "/admin/mail/"
EWAN = "ewan.grant@harbourfoods.example"


def _quarantined(settings: Any) -> Inbound:
    settings.PORTICO_MAIL_AUTHSERV_ID = "mx.portico.example"
    raw = plain(
        sender=EWAN,
        subject="<script>alert(1)</script> invoice",
        body="Pay <b>now</b>",
        headers="Authentication-Results: mx.portico.example; dmarc=fail\n",
    )
    held = inbound.receive(raw, via="smtp", envelope_to=[SUPPORT])
    assert held.outcome == Inbound.Outcome.QUARANTINED
    return held


def test_the_staff_read_release_and_download_a_quarantined_message(
    client_for: Callable[[str], Client], mailbox: Mailbox, settings: Any
) -> None:
    held = _quarantined(settings)
    client = client_for("administrator")
    listing = client.get(f"{ADMIN}inbound/?outcome=quarantined").content.decode()
    assert "fails DMARC" in listing
    assert "<script>alert(1)</script>" not in listing
    page = client.get(f"{ADMIN}inbound/{held.pk}/change/").content.decode()
    assert "Authentication-Results: mx.portico.example; dmarc=fail" in page
    assert "Pay &lt;b&gt;now&lt;/b&gt;" in page
    assert "<script>alert(1)</script>" not in page
    download = client.get(f"{ADMIN}inbound/{held.pk}/raw/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"] == (
        f"attachment; filename=\"inbound-{held.pk}.eml\"; filename*=UTF-8''inbound-{held.pk}.eml"
    )
    assert "no-store" in download["Cache-Control"]
    assert b"".join(download.streaming_content) == held.raw.open("rb").read()  # type: ignore[attr-defined]
    done = client.post(
        f"{ADMIN}inbound/",
        {"action": "release_messages", "_selected_action": [str(held.pk)]},
        follow=True,
    )
    assert "Opened a transaction" in done.content.decode()
    held.refresh_from_db()
    assert held.outcome == Inbound.Outcome.CREATED
    assert held.reviewed_at is not None


def test_only_systems_admin_opens_mail_in(
    client_for: Callable[[str], Client], mailbox: Mailbox, settings: Any
) -> None:
    held = _quarantined(settings)
    for url in (f"{ADMIN}inbound/", f"{ADMIN}inbound/{held.pk}/raw/", f"{ADMIN}mailbox/"):
        assert client_for("csr").get(url).status_code == 403
        assert client_for("customer").get(url).status_code == 403
    assert Client().get(f"{ADMIN}inbound/{held.pk}/raw/").status_code == 302


def test_a_mailbox_shows_its_last_poll(
    client_for: Callable[[str], Client], mailbox: Mailbox
) -> None:
    Mailbox.objects.filter(pk=mailbox.pk).update(
        imap_host="imap.example", last_poll_error="LoginError: authentication failed"
    )
    page = client_for("administrator").get(f"{ADMIN}mailbox/").content.decode()
    assert "imap.example" in page
    assert "LoginError: authentication failed" in page
    form = client_for("administrator").get(f"{ADMIN}mailbox/{mailbox.pk}/change/")
    assert "IMAP password variable" in form.content.decode()
