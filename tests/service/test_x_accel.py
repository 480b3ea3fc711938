"""Local files handed to nginx (PORTICO_X_ACCEL_REDIRECT): after the access check Portico
answers with no body, the internal location of the file and the same safe headers; nginx
sends the bytes. Without the setting Portico sends them itself, as before."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import Client, override_settings

from portico.knowledge import services as knowledge
from portico.service import actions, content
from portico.service.models import Transaction
from tests.service.test_attachments import user

CSV = b"time,chlorine\n06:00,0.42\n"


@pytest.fixture
def media(tmp_path: Path) -> Iterator[Path]:
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield tmp_path / "media"


def _attach() -> tuple[str, str]:
    attachment = actions.add_attachment(
        actor=user("customer"),
        transaction=Transaction.objects.get(number="SI-000001"),
        upload=ContentFile(CSV, name="x"),
        name="chlorine readings.csv",
    )
    return f"/transactions/SI-000001/files/{attachment.pk}/", attachment.file.name or ""


@override_settings(PORTICO_X_ACCEL_REDIRECT="/_protected/")
def test_nginx_is_told_which_file_to_send_with_the_safe_headers(
    media: Path, client_for: Callable[[str], Client]
) -> None:
    url, stored = _attach()
    response = client_for("customer").get(url)
    assert response.status_code == 200
    assert response.content == b""
    assert response["X-Accel-Redirect"] == f"/_protected/{stored}"
    assert (media / stored).read_bytes() == CSV
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == content.disposition_for(
        "text/plain", "chlorine readings.csv"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["Cache-Control"] == "private, no-store"
    # The check still comes first: no redirect, internal or not, for another customer.
    refused = client_for("other_customer").get(url)
    assert refused.status_code == 404
    assert "X-Accel-Redirect" not in refused


@override_settings(PORTICO_X_ACCEL_REDIRECT="/_protected/")
def test_a_knowledge_document_is_handed_to_nginx_too(
    media: Path, client_for: Callable[[str], Client]
) -> None:
    document = knowledge.add_document(
        actor=None,
        title="Turbidity sheet",
        upload=ContentFile(b"%PDF-1.4 sheet", name="x"),
        name="sheet.pdf",
        public=True,
    )
    response = client_for("customer").get(f"/help/downloads/{document.pk}/")
    assert response["X-Accel-Redirect"] == f"/_protected/{document.file.name}"
    assert response.content == b""


def test_without_the_setting_portico_sends_the_bytes(
    media: Path, client_for: Callable[[str], Client]
) -> None:
    url, _stored = _attach()
    response = client_for("customer").get(url)
    assert "X-Accel-Redirect" not in response
    assert b"".join(response.streaming_content) == CSV  # type: ignore[attr-defined]
    assert response["Cache-Control"] == "private, no-store"
