"""Files on S3-compatible storage (moto's server over real HTTP): uploads land in the
bucket as private objects that say "download me", and a download is a 302 to a signed
URL that carries the same safe headers Portico would send, given only to those who may
read the file."""

from __future__ import annotations

import datetime
import urllib.error
import urllib.request
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from portico.knowledge import services as knowledge
from portico.service import actions, content
from portico.service.models import Attachment, Transaction
from tests.s3_server import BUCKET, S3Server
from tests.service.test_attachments import png, user

CSV = b"time,chlorine\n06:00,0.42\n"


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    """What a browser gets from the URL: the bucket's answer, followed by nobody else."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - moto's http URL
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as refused:
        return refused.code, dict(refused.headers), refused.read()


def signed_url(response: object, s3: S3Server) -> str:
    assert getattr(response, "status_code", None) == 302
    location: str = response["Location"]  # type: ignore[index]
    assert location.startswith(f"{s3.endpoint}/{BUCKET}/")
    # The redirect holds a key to the file: no cache may keep it.
    assert "no-store" in response["Cache-Control"]  # type: ignore[index]
    return location


def test_a_customers_upload_is_a_private_object_fetched_through_a_signed_url(
    on_s3: S3Server, client_for: Callable[[str], Client]
) -> None:
    customer = client_for("customer")
    upload = SimpleUploadedFile("alarm log.txt", CSV)
    assert customer.post("/portal/t/SI-000001/files/", {"file": upload}).status_code == 302
    attachment = Attachment.objects.get()
    stored_name = attachment.file.name or ""
    assert on_s3.stored_keys() == [stored_name]
    assert stored_name.startswith("attachments/")

    # The object, fetched any other way, is bytes to save and never cached...
    stored = on_s3.client().head_object(Bucket=BUCKET, Key=stored_name)
    assert stored["ContentType"] == "application/octet-stream"
    assert stored["ContentDisposition"] == "attachment"
    assert stored["CacheControl"] == "private, no-store"
    # ... and is nobody's but the bucket owner's: no public grant, no unsigned read.
    grants = on_s3.client().get_object_acl(Bucket=BUCKET, Key=stored_name)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
    assert fetch(f"{on_s3.endpoint}/{BUCKET}/{stored_name}")[0] == 403

    url = f"/transactions/SI-000001/files/{attachment.pk}/"
    location = signed_url(customer.get(url), on_s3)
    assert parse_qs(urlsplit(location).query)["X-Amz-Expires"] == ["60"]
    status, headers, body = fetch(location)
    assert (status, body) == (200, CSV)
    assert headers["content-type"] == "application/octet-stream"
    assert headers["Content-Disposition"] == content.disposition_for("text/plain", "alarm log.txt")
    assert headers["Cache-Control"] == "private, no-store"

    # A customer of another organisation learns nothing, not even that there is a URL.
    refused = client_for("other_customer").get(url)
    assert refused.status_code == 404
    assert "Location" not in refused
    assert Client().get(url).status_code == 302  # to the log-in page, not the bucket
    assert "/accounts/login/" in Client().get(url)["Location"]


def test_an_image_keeps_its_type_and_shows_inline(on_s3: S3Server, demo_data: None) -> None:
    transaction = Transaction.objects.get(number="SI-000001")
    attachment = actions.add_attachment(
        actor=user("customer"),
        transaction=transaction,
        upload=ContentFile(png(), name="x"),
        name="panel.png",
    )
    customer = Client()
    customer.force_login(user("customer"))
    location = signed_url(customer.get(f"/transactions/SI-000001/files/{attachment.pk}/"), on_s3)
    status, headers, body = fetch(location)
    assert (status, body) == (200, png())
    assert headers["content-type"] == "image/png"
    assert headers["Content-Disposition"].startswith("inline;")


def test_the_signed_url_lasts_the_configured_seconds(
    on_s3: S3Server, demo_data: None, settings: object
) -> None:
    settings.PORTICO_DOWNLOAD_URL_SECONDS = 2  # type: ignore[attr-defined]
    attachment = actions.add_attachment(
        actor=user("customer"),
        transaction=Transaction.objects.get(number="SI-000001"),
        upload=ContentFile(CSV, name="x"),
        name="readings.csv",
    )
    customer = Client()
    customer.force_login(user("customer"))
    location = signed_url(customer.get(f"/transactions/SI-000001/files/{attachment.pk}/"), on_s3)
    query = parse_qs(urlsplit(location).query)
    # moto's server does not refuse an expired URL (tests/s3_server.py), so what is
    # checked is what S3 enforces: signed now, valid for 2 s, the overrides signed with it.
    assert query["X-Amz-Expires"] == ["2"]
    signed_at = datetime.datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(
        tzinfo=datetime.UTC
    )
    assert abs((datetime.datetime.now(datetime.UTC) - signed_at).total_seconds()) < 30
    assert {"X-Amz-Signature", "response-content-type", "response-content-disposition"} <= set(
        query
    )


def test_a_knowledge_document_downloads_through_a_signed_url_to_its_readers_only(
    on_s3: S3Server, client_for: Callable[[str], Client]
) -> None:
    document = knowledge.add_document(
        actor=None,
        title="Turbidity sheet",
        upload=ContentFile(b"<html><script>alert(1)</script></html>", name="x.html"),
        name="sheet.html",
        public=False,
    )
    assert on_s3.stored_keys() == [document.file.name]
    url = f"/help/downloads/{document.pk}/"
    location = signed_url(client_for("csr").get(url), on_s3)
    status, headers, body = fetch(location)
    assert (status, body) == (200, b"<html><script>alert(1)</script></html>")
    assert headers["content-type"] == "application/octet-stream"
    assert headers["Content-Disposition"].startswith("attachment;")
    # Staff-only: a customer is refused and handed no URL.
    refused = client_for("customer").get(url)
    assert refused.status_code in (403, 404)
    assert "Location" not in refused


def test_a_stored_name_already_taken_is_never_overwritten(on_s3: S3Server) -> None:
    first = default_storage.save("attachments/2026/01/same", ContentFile(b"first"))
    second = default_storage.save("attachments/2026/01/same", ContentFile(b"second"))
    assert first != second
    with default_storage.open(first, "rb") as kept:
        assert kept.read() == b"first"
    assert sorted(on_s3.stored_keys()) == sorted([first, second])


@pytest.mark.parametrize("key", ["customer"])
def test_the_api_answers_with_the_same_redirect(
    on_s3: S3Server, key: str, client_for: Callable[[str], Client]
) -> None:
    attachment = actions.add_attachment(
        actor=user(key),
        transaction=Transaction.objects.get(number="SI-000001"),
        upload=ContentFile(CSV, name="x"),
        name="readings.csv",
    )
    response = client_for(key).get(
        f"/api/v1/transactions/SI-000001/attachments/{attachment.pk}/content/"
    )
    assert fetch(signed_url(response, on_s3))[2] == CSV
