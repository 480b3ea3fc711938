"""One transaction in the portal: the shared notes only (never an internal one), the
files, the forms only for those who may use them, 404 for anyone else's, and notes and
files added through plain form posts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from portico.audit.models import Event
from portico.service import actions
from portico.service.models import Attachment, Note, Transaction
from tests.portal.conftest import page, permission, transaction, user

INTERNAL = "Check the recalled sensor batch before quoting a price."


def _internal_note(number: str) -> Note:
    return actions.add_note(
        actor=user("csr"), transaction=transaction(number), body=INTERNAL, visibility="internal"
    )


def _stored_files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def test_the_customer_sees_shared_notes_but_never_internal_ones(
    client_for: Callable[[str], Client],
) -> None:
    _internal_note("SI-000001")
    actions.add_note(
        actor=user("csr"),
        transaction=transaction("SI-000001"),
        body="Engineer booked for **Wednesday**.",
        visibility="shared",
    )
    html = page(client_for("customer").get("/portal/t/SI-000001/"))
    assert "Called Ewan back" in html  # the demo's shared note
    assert "Engineer booked for <strong>Wednesday</strong>." in html  # Markdown, rendered
    assert INTERNAL not in html
    assert "recalled in October" not in html  # the demo's own internal note
    assert html.count("<h1") == 1
    assert 'action="/portal/t/SI-000001/notes/"' in html
    assert 'action="/portal/t/SI-000001/files/"' in html
    assert "read-only for you" not in html


def test_a_portal_view_is_recorded_in_the_audit_trail(
    client_for: Callable[[str], Client],
) -> None:
    viewed = transaction("SI-000001")
    client_for("customer").get("/portal/t/SI-000001/")
    event = Event.objects.get(
        action="transaction.viewed",
        subject_type=ContentType.objects.get_for_model(Transaction),
        subject_id=str(viewed.pk),
    )
    assert event.actor == user("customer")
    assert event.portal == "customer"


def test_the_colleague_reads_without_forms(client_for: Callable[[str], Client]) -> None:
    # Kirsty sees Ewan's issue through Harbour Foods' Read only grant (seed 000).
    client = client_for("colleague")
    html = page(client.get("/portal/t/SI-000001/"))
    assert "Dosing pump on line 3" in html
    assert "read-only for you" in html
    assert "/notes/" not in html
    assert 'type="file"' not in html
    # A forged post is refused, and nothing is added.
    before = Note.objects.count()
    response = client.post("/portal/t/SI-000001/notes/", {"body": "Me too"})
    assert response.status_code == 403
    upload = SimpleUploadedFile("x.txt", b"hello")
    assert client.post("/portal/t/SI-000001/files/", {"file": upload}).status_code == 403
    assert Note.objects.count() == before
    assert not Attachment.objects.exists()


def test_another_organisations_customer_gets_404(client_for: Callable[[str], Client]) -> None:
    client = client_for("other_customer")
    assert client.get("/portal/t/SI-000001/").status_code == 404
    assert client.get("/portal/t/SI-999999/").status_code == 404  # the same answer
    assert client.post("/portal/t/SI-000001/notes/", {"body": "Hi"}).status_code == 404
    assert not Note.objects.filter(body="Hi").exists()


def test_posting_a_note_adds_it_and_shows_it(client_for: Callable[[str], Client]) -> None:
    client = client_for("customer")
    response = client.post("/portal/t/SI-000001/notes/", {"body": "Sensor reset done, *no* luck."})
    assert response.status_code == 302
    note = Note.objects.get(body="Sensor reset done, *no* luck.")
    assert response["Location"] == f"/portal/t/SI-000001/#note-{note.pk}"
    assert note.visibility == Note.Visibility.SHARED
    assert note.channel == "web"
    assert note.author is not None
    assert note.author.first_name == "Ewan"
    html = page(client.get("/portal/t/SI-000001/"))
    assert "Sensor reset done, <em>no</em> luck." in html
    assert "Your note is added." in html


def test_an_empty_note_is_refused_with_the_services_words(
    client_for: Callable[[str], Client],
) -> None:
    before = Note.objects.count()
    response = client_for("customer").post("/portal/t/SI-000001/notes/", {"body": "   "})
    assert response.status_code == 400
    html = page(response)
    assert "Write something in the note." in html
    assert 'aria-describedby="id_body_helptext id_body_error"' in html
    assert Note.objects.count() == before


def test_a_file_is_attached_and_linked_for_download(client_for: Callable[[str], Client]) -> None:
    client = client_for("customer")
    upload = SimpleUploadedFile("alarm log.txt", b"E42 at 02:10")
    response = client.post("/portal/t/SI-000001/files/", {"file": upload})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.name == "alarm log.txt"
    html = page(client.get("/portal/t/SI-000001/"))
    link = f'href="/transactions/SI-000001/files/{attachment.pk}/"'
    assert link in html
    download = client.get(f"/transactions/SI-000001/files/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"E42 at 02:10"  # type: ignore[attr-defined]


@override_settings(PORTICO_ATTACHMENT_MAX_BYTES=10)
def test_an_over_limit_upload_is_refused_and_nothing_is_stored(
    client_for: Callable[[str], Client],
) -> None:
    stored_before = _stored_files()
    upload = SimpleUploadedFile("big.txt", b"x" * 11)
    response = client_for("customer").post("/portal/t/SI-000001/files/", {"file": upload})
    assert response.status_code == 400
    html = page(response)
    assert "“big.txt” is 11\xa0bytes; a file may be at most 10\xa0bytes." in html
    assert not Attachment.objects.exists()
    assert _stored_files() == stored_before


def test_no_file_chosen_says_so(client_for: Callable[[str], Client]) -> None:
    response = client_for("customer").post("/portal/t/SI-000001/files/", {})
    assert response.status_code == 400
    assert "Choose a file to attach." in page(response)


def test_the_resolution_shows_once_resolved(client_for: Callable[[str], Client]) -> None:
    html = page(client_for("other_customer").get("/portal/t/SI-000003/"))
    assert "Resolution" in html
    assert "scheduled the firmware 2.4 update" in html


def test_related_transactions_show_only_where_visible(
    client_for: Callable[[str], Client],
) -> None:
    actions.relate(
        actor=user("csr"),
        transaction=transaction("SI-000001"),
        other=transaction("SI-000002"),
        kind="related",
    )
    actions.relate(
        actor=user("csr"),
        transaction=transaction("SI-000001"),
        other=transaction("SI-000003"),  # Kelvin Medical's: Ewan may not see it
        kind="caused_by",
    )
    html = page(client_for("customer").get("/portal/t/SI-000001/"))
    assert 'href="/portal/t/SI-000002/"' in html
    assert "SI-000003" not in html


def test_the_partner_page_for_a_shared_transaction(client_for: Callable[[str], Client]) -> None:
    shared = transaction("SI-000002")
    partner = user("partner")
    assert partner.individual.organization is not None
    actions.grant(
        actor=user("csr"),
        transaction=shared,
        permission=permission("customer"),
        organization=partner.individual.organization,
    )
    _internal_note("SI-000002")
    client = client_for("partner")
    html = page(client.get("/partners/t/SI-000002/"))
    assert "AquaSense controller clock drifts" in html
    assert INTERNAL not in html
    assert 'action="/partners/t/SI-000002/notes/"' in html
    response = client.post("/partners/t/SI-000002/notes/", {"body": "Our engineer can visit."})
    assert response.status_code == 302
    assert response["Location"].startswith("/partners/t/SI-000002/")
