"""Reply by e-mail from the console's transaction page (issue 21), and the e-mail channel
as the staff see it in the notes: to whom a note was sent, and what the outbox did."""

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portico.audit.models import Event
from portico.mail.models import Address
from portico.notify.models import Delivery
from portico.parties.models import Individual, User
from portico.service import actions
from portico.service.models import (
    Application,
    Attachment,
    Grant,
    Note,
    Permission,
    Transaction,
)
from tests.conftest import Persona


@pytest.fixture
def issue(personas: dict[str, Persona]) -> Transaction:
    """Ewan's (Harbour Foods) service issue, logged by him in the portal."""
    return actions.create_transaction(
        actor=User.objects.get(email=personas["customer"].email),
        application=Application.objects.get(code="service-issue"),
        title="Pump alarm E42 on line 3",
        profile={"issue-type": "fault", "product": "clearflow-dosing-pump"},
    )


def _person(first_name: str) -> Individual:
    return Individual.objects.get(first_name=first_name)


def _url(t: Transaction, part: str = "email/") -> str:
    return f"/console/transactions/{t.number}/{part}"


def _stored_files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT) / "attachments"
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.fixture
def nothing_left(issue: Transaction) -> Callable[[], None]:
    """A check that a refused reply left nothing: no note, no file (row or bytes), no
    event, no change to the transaction."""
    files = _stored_files()
    # The transaction's events (logging in, which the test does, records its own).
    events = Event.objects.filter(subject_id=str(issue.pk)).count()
    issue.refresh_from_db()
    updated = issue.updated_at

    def check() -> None:
        assert not Note.objects.filter(transaction=issue).exists()
        assert not Attachment.objects.filter(transaction=issue).exists()
        assert _stored_files() == files
        assert Event.objects.filter(subject_id=str(issue.pk)).count() == events
        issue.refresh_from_db()
        assert issue.updated_at == updated
        assert issue.first_response_at is None

    return check


def _cc_offered(html: str) -> list[str]:
    select = re.search(r'<select name="cc"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None, "no CC control"
    return re.findall(r"<option value=\"\d+\"[^>]*>([^<]*)</option>", select[1])


# --- sending -----------------------------------------------------------------------------


def test_a_reply_is_a_shared_email_note_to_the_requester_with_cc_and_files(
    client_for: Callable[[str], Client], issue: Transaction
) -> None:
    kirsty = _person("Kirsty")
    response = client_for("csr").post(
        _url(issue),
        {
            "body": "We have ordered a new flow sensor.\r\nIt arrives on Thursday.",
            "cc": [kirsty.pk],
            "attachments": [
                SimpleUploadedFile("sensor order.txt", b"PO 4471: flow sensor x1\n"),
                SimpleUploadedFile("wiring.txt", b"Pin 3 to pin 7.\n"),
            ],
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/console/transactions/{issue.number}/"
    note = Note.objects.get(transaction=issue)
    assert (note.channel, note.direction, note.visibility) == ("email", "out", "shared")
    assert note.author == _person("Fiona")
    assert "We have ordered a new flow sensor." in note.body
    files = list(note.attachments.order_by("name"))
    assert [(a.name, a.file.read()) for a in files] == [
        ("sensor order.txt", b"PO 4471: flow sensor x1\n"),
        ("wiring.txt", b"Pin 3 to pin 7.\n"),
    ]
    # What portico.mail's subscriber reads to send it: the note, and whom to copy.
    added = Event.objects.get(action="note.added", data__note=note.pk)
    assert added.data["cc"] == [kirsty.pk]
    assert added.data["visibility"] == "shared"
    assert added.data["channel"] == "email"
    assert Event.objects.filter(action="attachment.added", subject_id=str(issue.pk)).count() == 2
    issue.refresh_from_db()
    assert issue.first_response_at == note.created_at  # the first thing the customer heard


def test_the_page_shows_the_reply_in_the_notes_with_its_recipients_and_files(
    client_for: Callable[[str], Client], issue: Transaction
) -> None:
    csr = client_for("csr")
    csr.post(
        _url(issue),
        {
            "body": "New sensor on its way.",
            "cc": [_person("Kirsty").pk, _person("Sandeep").pk],
            "attachments": [SimpleUploadedFile("order.txt", b"PO 4471\n")],
        },
    )
    html = csr.get(_url(issue, "")).content.decode()
    notes = html[html.index('id="notes-heading"') : html.index("Reply by e-mail")]
    assert "E-mail · Outbound" in notes
    assert "E-mailed to Ewan Grant; CC Kirsty Muir, Sandeep Rao" in notes
    attachment = Attachment.objects.get(transaction=issue)
    assert f'href="/transactions/{issue.number}/files/{attachment.pk}/">order.txt</a>' in notes


def test_the_form_shows_the_requester_and_offers_only_contacts_with_an_address(
    client_for: Callable[[str], Client], issue: Transaction
) -> None:
    Individual.objects.filter(first_name="Sandeep").update(email="")
    html = client_for("csr").get(_url(issue, "")).content.decode()
    assert "Reply by e-mail" in html
    assert 'accesskey="r"' in html
    ewan = _person("Ewan")
    assert f"To Ewan Grant &lt;{ewan.email}&gt;" in html
    offered = _cc_offered(html)
    harbour = Individual.objects.filter(
        organization=ewan.organization, active=True, email__gt=""
    ).exclude(pk=ewan.pk)
    assert sorted(offered) == sorted(p.name for p in harbour)
    assert "Kirsty Muir" in offered
    assert "Sandeep Rao" not in offered  # no address: the service would refuse him
    assert "Ewan Grant" not in offered  # the requester has it anyway
    assert re.search(r'<input type="file" name="attachments" multiple', html)
    # Its fields' ids are its own (the note form beside it has a "body" too): each label
    # names one field.
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert '<label for="id_reply_body">Message:</label>' in html


def test_the_outbox_state_of_each_message(
    client_for: Callable[[str], Client], issue: Transaction
) -> None:
    csr = client_for("csr")
    csr.post(_url(issue), {"body": "First.", "cc": [_person("Kirsty").pk]})
    csr.post(_url(issue), {"body": "Second."})
    csr.post(_url(issue), {"body": "Third."})
    first, second, _third = Note.objects.filter(transaction=issue).order_by("id")
    now = timezone.now()
    ewan, kirsty = _person("Ewan"), _person("Kirsty")
    # The rows as the outbox holds them once the worker has composed the messages.
    Delivery.objects.create(note=first, transaction=issue, address=ewan.email, sent_at=now)
    Delivery.objects.create(note=first, transaction=issue, address=kirsty.email, attempts=0)
    Delivery.objects.create(
        note=second,
        transaction=issue,
        address=ewan.email,
        attempts=2,
        last_error="SMTPRecipientsRefused: 450 mailbox busy\nmore detail",
    )
    html = csr.get(_url(issue, "")).content.decode()
    items = re.findall(r"<li class=\"shared\">(.*?)</li>", html, re.S)
    assert len(items) == 3
    text = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)) for item in items]
    assert f"{ewan.email}: sent; {kirsty.email}: queued" in text[0]
    assert "E-mailed to Ewan Grant; CC Kirsty Muir" in text[0]
    assert (
        "E-mailed to Ewan Grant · failed, retrying: SMTPRecipientsRefused: 450 mailbox busy"
        in (text[1])
    )
    assert "more detail" not in text[1]
    assert "E-mailed to Ewan Grant" in text[2]
    # Nothing in the outbox yet: no state to tell.
    assert "sent" not in text[2]
    assert "queued" not in text[2]
    # A shared note logged another way, which portico.mail sent on to the requester.
    call = actions.add_note(
        actor=_person("Fiona").user,  # type: ignore[arg-type]
        transaction=issue,
        body="Called Ewan.",
        visibility=Note.Visibility.SHARED,
        channel="phone",
        direction=Note.Direction.OUTBOUND,
    )
    Delivery.objects.create(note=call, transaction=issue, address=ewan.email, sent_at=now)
    html = csr.get(_url(issue, "")).content.decode()
    items = re.findall(r"<li class=\"shared\">(.*?)</li>", html, re.S)
    last = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", items[-1]))
    assert "Phone · Outbound" in last
    assert f"E-mailed · {ewan.email}: sent" in last


def test_an_inbound_email_note_is_labelled_by_email(
    client_for: Callable[[str], Client], issue: Transaction, personas: dict[str, Persona]
) -> None:
    # As portico.mail's mail-in adds a customer's reply.
    actions.add_note(
        actor=User.objects.get(email=personas["customer"].email),
        transaction=issue,
        body="Thanks, Thursday is fine.",
        visibility=Note.Visibility.SHARED,
        channel="email",
    )
    html = client_for("csr").get(_url(issue, "")).content.decode()
    item = re.search(r"<li class=\"shared\">(.*?)</li>", html, re.S)
    assert item is not None
    meta = re.sub(r"\s+", " ", item[1])
    assert "by e-mail · Ewan Grant" in meta
    assert "E-mailed to" not in meta


def test_the_page_reads_the_outbox_in_a_constant_number_of_queries(
    client_for: Callable[[str], Client], issue: Transaction, personas: dict[str, Persona]
) -> None:
    csr_user = User.objects.get(email=personas["csr"].email)
    csr = client_for("csr")
    kirsty, sandeep = _person("Kirsty"), _person("Sandeep")

    def reply(n: int) -> None:
        for i in range(n):
            note = actions.add_note(
                actor=csr_user,
                transaction=issue,
                body=f"Reply {i}",
                visibility=Note.Visibility.SHARED,
                channel="email",
                direction=Note.Direction.OUTBOUND,
                cc=[kirsty, sandeep][: i % 3],
            )
            Delivery.objects.create(note=note, transaction=issue, address="x@example.com")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert csr.get(_url(issue, "")).status_code == 200
        return len(queries)

    reply(3)
    count()  # the first request of the process reads the set-up it keeps
    few = count()
    reply(30)
    assert count() == few


# --- refusals: nothing is left behind -------------------------------------------------------


def test_a_cc_who_is_not_a_contact_is_refused_and_nothing_is_saved(
    client_for: Callable[[str], Client], issue: Transaction, nothing_left: Callable[[], None]
) -> None:
    helen = _person("Helen")  # Kelvin Medical: not Harbour Foods' transaction
    response = client_for("csr").post(
        _url(issue),
        {
            "body": "Copying a stranger.",
            "cc": [helen.pk],
            "attachments": [SimpleUploadedFile("order.txt", b"PO 4471\n")],
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Helen Baird is not a contact of this transaction." in html  # the service's words
    # The form again, open, with what was typed.
    assert '<details class="email-reply" id="reply" open>' in html
    assert "Copying a stranger.</textarea>" in html
    nothing_left()


def test_a_cc_without_an_address_is_refused(
    client_for: Callable[[str], Client], issue: Transaction, nothing_left: Callable[[], None]
) -> None:
    sandeep = _person("Sandeep")
    Individual.objects.filter(pk=sandeep.pk).update(email="")
    response = client_for("csr").post(_url(issue), {"body": "Hello.", "cc": [sandeep.pk]})
    assert response.status_code == 400
    assert "Sandeep Rao has no e-mail address to send to." in response.content.decode()
    nothing_left()


def test_a_bad_file_refuses_the_whole_reply_and_no_bytes_stay(
    client_for: Callable[[str], Client],
    issue: Transaction,
    nothing_left: Callable[[], None],
    settings: Any,
) -> None:
    settings.PORTICO_ATTACHMENT_MAX_BYTES = 64
    csr = client_for("csr")
    # The first file is stored before the second is refused: its bytes must go too.
    response = csr.post(
        _url(issue),
        {
            "body": "Two files.",
            "attachments": [
                SimpleUploadedFile("small.txt", b"fits\n"),
                SimpleUploadedFile("large.txt", b"x" * 65),
            ],
        },
    )
    assert response.status_code == 400
    assert "A file may be at most 64" in response.content.decode()
    assert "Two files.</textarea>" in response.content.decode()
    nothing_left()
    empty = csr.post(
        _url(issue), {"body": "Empty.", "attachments": [SimpleUploadedFile("empty.txt", b"")]}
    )
    assert empty.status_code == 400
    nothing_left()


def test_an_empty_message_is_refused_in_the_services_words(
    client_for: Callable[[str], Client], issue: Transaction, nothing_left: Callable[[], None]
) -> None:
    response = client_for("csr").post(_url(issue), {"body": "  "})
    assert response.status_code == 400
    assert "Write something in the note." in response.content.decode()
    nothing_left()


def test_without_the_right_to_add_a_shared_note_no_form_and_a_post_is_refused(
    client_for: Callable[[str], Client], issue: Transaction, nothing_left: Callable[[], None]
) -> None:
    # A Read only grant restricts even an administrator (docs/access.md).
    Grant.objects.create(
        transaction=issue,
        individual=_person("Graham"),
        permission=Permission.objects.get(code="read"),
    )
    admin = client_for("administrator")
    html = admin.get(_url(issue, "")).content.decode()
    assert "Reply by e-mail" not in html
    refused = admin.post(
        _url(issue),
        {"body": "Sneaky.", "attachments": [SimpleUploadedFile("x.txt", b"x\n")]},
    )
    assert refused.status_code == 403
    nothing_left()
    assert client_for("customer").post(_url(issue), {"body": "Me."}).status_code == 403
    nothing_left()
    assert client_for("csr").post("/console/transactions/SI-999999/email/").status_code == 404
    assert client_for("csr").get(_url(issue)).status_code == 405


def test_files_need_the_right_to_attach_them(
    client_for: Callable[[str], Client], issue: Transaction, nothing_left: Callable[[], None]
) -> None:
    # An administrator-defined permission: notes, but no files.
    notes_only = Permission.objects.create(
        code="notes-only", name="Notes only", view=True, add_shared_note=True
    )
    Grant.objects.create(transaction=issue, individual=_person("Graham"), permission=notes_only)
    admin = client_for("administrator")
    html = admin.get(_url(issue, "")).content.decode()
    assert "Reply by e-mail" in html
    assert 'name="attachments"' not in html
    refused = admin.post(
        _url(issue), {"body": "With a file.", "attachments": [SimpleUploadedFile("x.txt", b"x\n")]}
    )
    assert refused.status_code == 403
    nothing_left()
    assert admin.post(_url(issue), {"body": "Without."}).status_code == 302
    assert Note.objects.get(transaction=issue).channel == "email"


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("no requester", "This transaction has no requester to write to."),
        ("no address", "Ewan Grant has no e-mail address."),
        ("left", "Ewan Grant has left."),
        ("suppressed", "after repeated bounces; correct the address first."),
    ],
)
def test_with_nobody_to_write_to_the_reply_is_greyed_with_the_reason(
    client_for: Callable[[str], Client],
    issue: Transaction,
    nothing_left: Callable[[], None],
    case: str,
    reason: str,
) -> None:
    ewan = _person("Ewan")
    if case == "no requester":
        Transaction.objects.filter(pk=issue.pk).update(requester=None)
    elif case == "no address":
        Individual.objects.filter(pk=ewan.pk).update(email="")
    elif case == "left":
        Individual.objects.filter(pk=ewan.pk).update(active=False)
    else:
        Address.objects.create(
            address=ewan.email.lower(), hard_bounces=5, suppressed_at=timezone.now()
        )
    csr = client_for("csr")
    html = csr.get(_url(issue, "")).content.decode()
    assert reason in html
    assert 'class="email-reply unavailable"' in html
    assert 'name="cc"' not in html
    assert "Send e-mail" not in html
    refused = csr.post(_url(issue), {"body": "Anyone there?"})
    assert refused.status_code == 400
    assert reason in refused.content.decode()
    nothing_left()


def test_the_requester_named_as_cc_is_not_copied_twice(
    client_for: Callable[[str], Client], issue: Transaction
) -> None:
    ewan = _person("Ewan")
    response = client_for("csr").post(_url(issue), {"body": "Hello.", "cc": [ewan.pk]})
    assert response.status_code == 302
    note = Note.objects.get(transaction=issue)
    assert "cc" not in Event.objects.get(action="note.added", data__note=note.pk).data
