"""A whole conversation by e-mail, through real servers on 127.0.0.1: the customer
writes to the support address (`portico mailin`, SMTP) → a transaction is opened and
acknowledged (Portico's mail, received by an aiosmtpd server standing in for the
customer's provider) → a member of the staff replies by e-mail from the console, with a
colleague copied and a file → the customer answers that e-mail from their mail client,
subject edited, quoting it and attaching a photo → the answer is a note on the same
transaction, the quote cut, the photo and the whole message attached. Runs on SQLite and
on PostgreSQL."""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import getaddresses, make_msgid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from portico.mail import addresses
from portico.mail.models import Inbound, Mailbox
from portico.notify import delivery as deliverer
from portico.parties.models import Individual
from portico.service.models import Channel, Note, Transaction
from tests.conftest import PASSWORD, PERSONAS
from tests.mail.conftest import SUPPORT, SmtpServer
from tests.mail.test_mailin import Running

EWAN = PERSONAS["customer"].email
KIRSTY = PERSONAS["colleague"].email
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(64)


def _send(port: int, message: EmailMessage) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        assert smtp.send_message(message) == {}


def _deliver(worker: Callable[[], int]) -> None:
    """What the worker does after a commit: the subscribers, then the outbox."""
    worker()
    deliverer.sweep()


def _log_in(key: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"login": PERSONAS[key].email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _only(smtp_server: SmtpServer, address: str) -> EmailMessage:
    received = smtp_server.to(address)
    assert received, f"nothing was sent to {address}"
    return received[-1].message


def test_a_conversation_by_email(
    transactional_db: None,
    mailbox: Mailbox,
    smtp_server: SmtpServer,
    worker: Callable[[], int],
) -> None:
    with Running() as mailin:
        # 1. The customer writes in.
        first = EmailMessage()
        first["From"] = f"Ewan Grant <{EWAN}>"
        first["To"] = SUPPORT
        first["Subject"] = "Dosing pump on line 2 alarms every hour"
        first["Message-ID"] = asked = make_msgid(domain="harbourfoods.example")
        first.set_content("Hello,\n\nThe dosing pump on line 2 alarms every hour.\n\nEwan")
        _send(mailin.port, first)

        came = Inbound.objects.get(message_id=asked)
        assert came.outcome == Inbound.Outcome.CREATED, came.reason
        assert came.transaction is not None
        issue = came.transaction
        assert issue.channel == Channel.EMAIL
        assert issue.title == "Dosing pump on line 2 alarms every hour"
        assert issue.requester is not None
        assert issue.requester.email == EWAN
        assert issue.application_id == mailbox.application_id

        # 2. … and is acknowledged, in the thread of their message, with a reply
        # address that names the transaction.
        _deliver(worker)
        ack = _only(smtp_server, EWAN)
        assert f"[{issue.number}]" in str(ack["Subject"])
        assert ack["In-Reply-To"] == asked
        assert ack["Auto-Submitted"] == "auto-generated"
        assert getaddresses([str(ack["From"])])[0][1] == SUPPORT
        reply_to = getaddresses([str(ack["Reply-To"])])[0][1]
        assert addresses.parse_reply_address(reply_to) == (SUPPORT, issue.number)
        body = ack.get_body(preferencelist=("plain",))
        assert body is not None
        assert issue.number in body.get_content()

        # 3. Fiona answers by e-mail from the console, copying Kirsty, with a file.
        fiona = _log_in("csr")
        kirsty = Individual.objects.get(email=KIRSTY)
        answered = fiona.post(
            reverse("console:email-reply", args=[issue.number]),
            {
                "body": "Please reset the alarm threshold to 4.5 bar: steps attached.",
                "cc": [kirsty.pk],
                "attachments": [SimpleUploadedFile("steps.txt", b"1. Open the panel.\n")],
            },
        )
        assert answered.status_code in (200, 302), answered.content.decode()[:2000]
        _deliver(worker)
        staff_mail = _only(smtp_server, EWAN)
        assert staff_mail["Message-ID"] != ack["Message-ID"]
        assert KIRSTY in smtp_server.received[-1].rcpt_tos
        assert "4.5 bar" in staff_mail.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
        assert [part.get_filename() for part in staff_mail.iter_attachments()] == ["steps.txt"]
        assert asked in str(staff_mail["References"])
        assert "Auto-Submitted" not in staff_mail  # a person wrote it

        # 4. Ewan answers that e-mail from his mail client: subject edited, the message
        # quoted below his answer, a photo attached.
        answer = EmailMessage()
        answer["From"] = f"Ewan Grant <{EWAN}>"
        answer["To"] = str(staff_mail["Reply-To"])
        answer["Subject"] = "Re: the pump (done)"
        answer["Message-ID"] = make_msgid(domain="harbourfoods.example")
        answer["In-Reply-To"] = str(staff_mail["Message-ID"])
        answer["References"] = f"{asked} {staff_mail['Message-ID']}"
        answer.set_content(
            "Done, the alarm has been quiet for two hours. Photo of the panel attached.\n"
            "\n"
            "Ewan\n"
            "\n"
            "On Thu, 3 Dec 2026 at 10:15, Portico Support <support@portico.example> wrote:\n"
            "> Please reset the alarm threshold to 4.5 bar: steps attached.\n"
        )
        answer.add_attachment(PNG, maintype="image", subtype="png", filename="panel.png")
        _send(mailin.port, answer)

    # 5. It is a note on the same transaction: shared, by e-mail, the quote cut, the
    # photo and the whole message attached to it.
    note = Note.objects.filter(transaction=issue).latest("created_at", "id")
    assert note.author is not None
    assert note.author.email == EWAN
    assert note.channel == Channel.EMAIL
    assert note.direction == Note.Direction.INBOUND
    assert note.visibility == Note.Visibility.SHARED
    assert note.body.startswith("Done, the alarm has been quiet for two hours.")
    assert "4.5 bar" not in note.body
    assert "wrote:" not in note.body
    files = sorted(note.attachments.values_list("name", flat=True))
    assert files == ["message.eml", "panel.png"]
    assert Transaction.objects.filter(requester__email=EWAN, channel=Channel.EMAIL).count() == 1
