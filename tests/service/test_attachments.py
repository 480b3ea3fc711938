"""Files on transactions: the size limit, stored names that are ours alone, the sha256
kept, the type judged from the bytes, and the one download view that serves them with
headers a browser cannot be talked out of, to those who may see them and nobody else."""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from portico.audit.models import Event
from portico.parties.models import User
from portico.service import actions
from portico.service.models import Application, Attachment, Note, Transaction
from tests.conftest import PERSONAS

ISSUE = {"issue-type": "fault", "product": "clearflow-dosing-pump"}
SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>fetch('/console/').then(r => r.text()).then(alert)</script></svg>"
)
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"

CaptureOnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png() -> bytes:
    """A complete 1x1 greyscale PNG."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00\x00"))
        + _chunk(b"IEND", b"")
    )


def user(key: str) -> User:
    person = PERSONAS[key].individual.user
    assert person is not None
    return person


@pytest.fixture
def media(tmp_path: Path) -> Iterator[Path]:
    """A media root of the test's own, so "no file was stored" can be checked."""
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield Path(settings.MEDIA_ROOT)


def stored_files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file())


def log_issue(by: str = "customer", title: str = "Dosing pump stopped") -> Transaction:
    staff = by == "csr"
    return actions.create_transaction(
        actor=user(by),
        application=Application.objects.get(code="service-issue"),
        title=title,
        requester=PERSONAS["customer"].individual if staff else None,
        profile=ISSUE,
    )


def attach(
    transaction: Transaction,
    data: bytes,
    name: str,
    *,
    by: str = "customer",
    note: Note | None = None,
) -> Attachment:
    return actions.add_attachment(
        actor=user(by),
        transaction=transaction,
        upload=SimpleUploadedFile(name, data, content_type="image/png"),
        name=name,
        note=note,
    )


def url(transaction: Transaction, attachment: Attachment) -> str:
    return reverse("service:attachment", args=[transaction.number, attachment.pk])


def body(response: Any) -> bytes:
    """Read a response to the end. For a file that also closes it, the way a WSGI server
    would: the test client closes a streamed response only once it is consumed, and
    closing it any other way inside a test's database transaction drops the connection."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return bytes(response.content)


# --- storing ------------------------------------------------------------------------------


def test_a_file_over_the_limit_is_refused_and_nothing_is_kept(demo_data: None, media: Path) -> None:
    logged = log_issue()
    events = Event.objects.count()
    with (
        override_settings(PORTICO_ATTACHMENT_MAX_BYTES=1024),
        pytest.raises(ValidationError) as caught,
    ):
        attach(logged, b"x" * 1025, "big.log")

    assert "file" in caught.value.message_dict
    assert "at most" in caught.value.message_dict["file"][0]
    assert stored_files(media) == []
    assert not Attachment.objects.filter(transaction=logged).exists()
    assert Event.objects.count() == events


def test_the_limit_is_checked_on_the_bytes_not_the_declared_size(
    demo_data: None, media: Path
) -> None:
    logged = log_issue()
    upload = ContentFile(b"x" * 4096, name="small.log")
    upload.size = 100  # what a client claims
    with (
        override_settings(PORTICO_ATTACHMENT_MAX_BYTES=1024),
        pytest.raises(ValidationError) as caught,
    ):
        actions.add_attachment(
            actor=user("customer"), transaction=logged, upload=upload, name="small.log"
        )
    assert "file" in caught.value.message_dict
    assert stored_files(media) == []
    assert not Attachment.objects.filter(transaction=logged).exists()


def test_a_file_at_the_limit_is_kept(demo_data: None, media: Path) -> None:
    logged = log_issue()
    with override_settings(PORTICO_ATTACHMENT_MAX_BYTES=1024):
        attachment = attach(logged, b"x" * 1024, "exact.log")
    assert attachment.size == 1024
    assert len(stored_files(media)) == 1


def test_an_empty_file_is_refused(demo_data: None, media: Path) -> None:
    logged = log_issue()
    with pytest.raises(ValidationError) as caught:
        attach(logged, b"", "empty.txt")
    assert "empty" in caught.value.message_dict["file"][0]
    assert stored_files(media) == []


@pytest.mark.parametrize(
    "uploaded", ["Invoice March 2026.pdf", "../../../etc/passwd", "..\\..\\boot.ini"]
)
def test_the_stored_name_is_generated_and_the_shown_name_is_cleaned(
    demo_data: None, media: Path, uploaded: str
) -> None:
    logged = log_issue()
    data = b"%PDF-1.4 quarterly figures"
    attachment = attach(logged, data, uploaded)

    stored = Path(attachment.file.path).resolve()
    stored_name = attachment.file.name
    assert stored_name is not None
    assert stored.is_relative_to((media / "attachments").resolve())
    last_part = uploaded.replace("\\", "/").rsplit("/", 1)[-1]
    assert last_part not in stored_name
    assert "Invoice" not in stored_name
    assert stored_files(media) == [media / stored_name]
    assert stored.read_bytes() == data
    assert attachment.name == last_part  # shown without the path the client sent


def test_the_sha256_and_size_are_those_of_the_bytes(demo_data: None, media: Path) -> None:
    logged = log_issue()
    data = bytes(range(256)) * 40
    attachment = attach(logged, data, "dump.bin")

    stored = Attachment.objects.get(pk=attachment.pk)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.size == len(data)


def test_large_files_are_hashed_over_every_chunk(demo_data: None, media: Path) -> None:
    logged = log_issue()
    # Bigger than one upload chunk (64 KiB), so the digest must span chunks.
    data = hashlib.sha256(b"seed").digest() * 10_000
    attachment = attach(logged, data, "trace.bin")
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert Path(attachment.file.path).read_bytes() == data


@pytest.mark.parametrize(
    ("data", "name", "is_image"),
    [
        pytest.param(png(), "x.txt", True, id="png-called-txt"),
        pytest.param(SVG, "x.png", False, id="svg-called-png"),
        pytest.param(HTML, "photo.jpg", False, id="html-called-jpg"),
    ],
)
def test_the_content_type_is_judged_from_the_bytes(
    demo_data: None, media: Path, data: bytes, name: str, is_image: bool
) -> None:
    logged = log_issue()
    attachment = attach(logged, data, name)  # the upload also claims image/png
    if is_image:
        assert attachment.content_type == "image/png"
    else:
        assert not attachment.content_type.startswith("image/")


def test_a_note_on_another_transaction_is_refused(demo_data: None, media: Path) -> None:
    first, second = log_issue(title="First"), log_issue(title="Second")
    note = actions.add_note(
        actor=user("customer"), transaction=first, body="Photo attached.", visibility="shared"
    )
    with pytest.raises(ValidationError) as caught:
        attach(second, png(), "photo.png", note=note)
    assert "note" in caught.value.message_dict
    assert stored_files(media) == []


# --- serving ------------------------------------------------------------------------------


def test_a_png_is_shown_inline(client_for: Callable[[str], Client], media: Path) -> None:
    logged = log_issue()
    attachment = attach(logged, png(), "pump.png")

    response = client_for("customer").get(url(logged, attachment))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert 'filename="pump.png"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert body(response) == png()


@pytest.mark.parametrize(
    ("data", "name"),
    [pytest.param(SVG, "diagram.svg", id="svg"), pytest.param(HTML, "report.html", id="html")],
)
def test_documents_are_downloaded_never_rendered(
    client_for: Callable[[str], Client], media: Path, data: bytes, name: str
) -> None:
    logged = log_issue()
    attachment = attach(logged, data, name)

    response = client_for("customer").get(url(logged, attachment))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert f'filename="{name}"' in response["Content-Disposition"]
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert body(response) == data


def test_who_may_download(client_for: Callable[[str], Client], media: Path) -> None:
    logged = log_issue()
    attachment = attach(logged, png(), "pump.png")
    address = url(logged, attachment)

    expected = {"customer": 200, "colleague": 200, "csr": 200, "other_customer": 404}
    found = {}
    for key in expected:
        response = client_for(key).get(address)
        found[key] = response.status_code
        body(response)
    assert found == expected
    # Not logged in: off to log in, not a file.
    anonymous = Client().get(address)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/")


def test_an_attachment_is_found_only_under_its_own_transaction(
    client_for: Callable[[str], Client], media: Path
) -> None:
    first, second = log_issue(title="First"), log_issue(title="Second")
    attachment = attach(first, png(), "pump.png")
    csr = client_for("csr")

    wrong = csr.get(reverse("service:attachment", args=[second.number, attachment.pk]))
    right = csr.get(url(first, attachment))

    assert wrong.status_code == 404
    assert right.status_code == 200
    assert body(right) == png()


def test_a_file_on_an_internal_note_is_for_staff_only(
    client_for: Callable[[str], Client], media: Path
) -> None:
    logged = log_issue()
    internal = actions.add_note(
        actor=user("csr"), transaction=logged, body="Serial plate.", visibility="internal"
    )
    shared = actions.add_note(
        actor=user("csr"), transaction=logged, body="Wiring diagram.", visibility="shared"
    )
    hidden = attach(logged, png(), "serial.png", by="csr", note=internal)
    shown = attach(logged, png(), "wiring.png", by="csr", note=shared)
    customer, csr = client_for("customer"), client_for("csr")

    statuses = {}
    for name, client, attachment in [
        ("customer, internal", customer, hidden),
        ("customer, shared", customer, shown),
        ("csr, internal", csr, hidden),
        ("csr, shared", csr, shown),
    ]:
        response = client.get(url(logged, attachment))
        statuses[name] = response.status_code
        body(response)
    assert statuses == {
        "customer, internal": 404,
        "customer, shared": 200,
        "csr, internal": 200,
        "csr, shared": 200,
    }


def test_a_deleted_attachment_is_gone(
    client_for: Callable[[str], Client],
    media: Path,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    logged = log_issue()
    attachment = attach(logged, png(), "pump.png")
    stored = Path(attachment.file.path)

    with django_capture_on_commit_callbacks(execute=True):
        actions.delete_attachment(actor=user("csr"), attachment=attachment)

    for key in ("csr", "customer"):
        assert client_for(key).get(url(logged, attachment)).status_code == 404
    assert not stored.exists()  # the bytes went once the deletion was committed
    kept = Attachment.objects.get(pk=attachment.pk)  # the row stays for the trail
    assert kept.deleted_at is not None
    assert Event.objects.filter(action="attachment.deleted", subject_id=str(logged.pk)).exists()


def test_the_download_view_answers_only_get(
    client_for: Callable[[str], Client], media: Path
) -> None:
    logged = log_issue()
    attachment = attach(logged, png(), "pump.png")
    assert client_for("customer").post(url(logged, attachment)).status_code == 405
