"""Mail with files on S3: a message mail-in keeps is stored in the bucket, downloaded by
Systems Admin through a signed URL and released from it; a file staff send by e-mail is
read back from the bucket into the message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from portico.mail.models import Inbound, Mailbox
from portico.notify import delivery as deliverer
from tests.mail.test_admin_inbound import _quarantined
from tests.s3_server import BUCKET, S3Server
from tests.service.test_storage_s3 import fetch, signed_url


def test_a_kept_message_is_in_the_bucket_downloaded_and_released_from_it(
    on_s3: S3Server, client_for: Callable[[str], Client], mailbox: Mailbox, settings: Any
) -> None:
    held = _quarantined(settings)
    assert on_s3.stored_keys() == [held.raw.name]
    admin = client_for("administrator")
    location = signed_url(admin.get(f"/admin/mail/inbound/{held.pk}/raw/"), on_s3)
    status, headers, body = fetch(location)
    assert status == 200
    assert body == on_s3.client().get_object(Bucket=BUCKET, Key=held.raw.name)["Body"].read()
    assert headers["content-type"] == "application/octet-stream"
    assert headers["Content-Disposition"].startswith('attachment; filename="inbound-')
    admin.post(
        "/admin/mail/inbound/", {"action": "release_messages", "_selected_action": [str(held.pk)]}
    )
    held.refresh_from_db()
    assert held.outcome == Inbound.Outcome.CREATED


def test_a_file_sent_by_email_is_read_from_the_bucket(
    on_s3: S3Server,
    client_for: Callable[[str], Client],
    mailbox: Mailbox,
    worker: Callable[[], int],
) -> None:
    answered = client_for("csr").post(
        reverse("console:email-reply", args=["SI-000001"]),
        {
            "body": "Please reset the alarm threshold to 4.5 bar: steps attached.",
            "attachments": [SimpleUploadedFile("steps.txt", b"1. Open the panel.\n")],
        },
    )
    assert answered.status_code in (200, 302)
    assert len(on_s3.stored_keys()) == 1
    worker()
    deliverer.sweep()
    sent = [m for m in mail.outbox if "4.5 bar" in str(m.body)]
    assert [(name, data) for name, data, _type in sent[0].attachments] == [
        ("steps.txt", "1. Open the panel.\n")
    ]
