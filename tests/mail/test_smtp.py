"""What a customer's mailbox gets, through a real SMTP server (aiosmtpd on 127.0.0.1):
the acknowledgement of a request made in the portal and a staff note with a file, as
the worker writes them and the deliverer sends them."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from email.utils import parseaddr

from django.core.files.base import ContentFile
from django.db import transaction as db

from portico.mail import addresses
from portico.mail.models import Address, Kind
from portico.notify import delivery as deliverer
from portico.notify.delivery import message_id
from portico.notify.models import Delivery
from portico.service import actions
from portico.service.models import Application, Channel, Note
from tests.console.test_lists import individual, user
from tests.mail.conftest import SmtpServer, make_mailbox
from tests.mail.test_outbound import portal_request

Worker = Callable[[], int]


def _parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    return str(text.get_content()), str(html.get_content())


def test_the_customers_mailbox_gets_the_acknowledgement_and_a_note_with_its_file(
    demo_people: None, worker: Worker, smtp_server: SmtpServer
) -> None:
    support = make_mailbox(
        name="Support",
        address="support@portico.example",
        application=Application.objects.get(code="service-issue"),
    )
    customer = individual("customer")
    issue = portal_request("The dosing pump alarms every hour")
    worker()
    assert deliverer.sweep().sent == 1

    (got,) = smtp_server.to(customer.email)
    ack = Delivery.objects.get(transaction=issue, kind=Kind.ACKNOWLEDGEMENT)
    message = got.message
    # The envelope: bounces come back to an address naming this delivery (VERP).
    assert got.mail_from == ack.sender
    assert addresses.parse_bounce_address(got.mail_from) == ack.key
    assert got.rcpt_tos == (customer.email,)
    # The headers a mail client and a mail system read.
    assert parseaddr(str(message["From"]))[1] == support.address
    assert addresses.parse_reply_address(str(message["Reply-To"])) == (
        support.address,
        issue.number,
    )
    assert message["Message-ID"] == message_id(ack.key)
    assert message["Subject"] == f"[{issue.number}] We have your request: {issue.title}"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe"] is None
    text, html = _parts(message)
    assert issue.number in text
    assert f"/portal/t/{issue.number}/" in text
    assert issue.title in html
    assert "<table" in html

    # A staff member answers with a file, as the console's e-mail reply does (the note
    # and its files in one transaction, so the worker sends them together).
    with db.atomic():
        note = actions.add_note(
            actor=user("csr"),
            transaction=issue,
            body="Here are the readings from the last visit.",
            visibility=Note.Visibility.SHARED,
            channel=Channel.EMAIL,
            direction=Note.Direction.OUTBOUND,
        )
        actions.add_attachment(
            actor=user("csr"),
            transaction=issue,
            upload=ContentFile(b"time,ph\n09:00,7.2\n10:00,7.4\n", name="readings.csv"),
            name="readings.csv",
            note=note,
        )
    worker()
    assert deliverer.sweep().sent == 1
    _, second = smtp_server.to(customer.email)
    reply = second.message
    assert reply["In-Reply-To"] == message_id(ack.key)
    assert reply["References"] == message_id(ack.key)
    assert reply["Auto-Submitted"] is None  # a person wrote it
    text, html = _parts(reply)
    assert "Here are the readings from the last visit." in text
    assert "Here are the readings from the last visit." in html
    (attached,) = list(reply.iter_attachments())
    assert attached.get_filename() == "readings.csv"
    assert attached.get_content().replace("\r\n", "\n") == "time,ph\n09:00,7.2\n10:00,7.4\n"
    # The mail system's count of what went to the address.
    assert Address.objects.get(address=customer.email.lower()).sent == 2
