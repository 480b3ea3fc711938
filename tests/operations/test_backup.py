"""The restore drill (issue "Reliability proof"): back up the demo data with its files,
change and lose things, restore, and find everything as it was — row counts, every
file's sha256, and the pages working on the restored copy. On SQLite and, in the
PostgreSQL pass, through pg_dump and pg_restore."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.test import Client

from portico.knowledge.models import Document
from portico.operations import backup
from portico.service import actions
from portico.service.models import Attachment, Transaction
from tests.conftest import PASSWORD, Persona
from tests.s3_server import BUCKET, S3Server

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def _attach(personas: dict[str, Persona], data: bytes) -> Attachment:
    customer = personas["customer"].individual
    assert customer.user is not None
    transaction = Transaction.objects.filter(requester=customer).order_by("id").first()
    assert transaction is not None
    return actions.add_attachment(
        actor=customer.user,
        transaction=transaction,
        upload=ContentFile(data, name="meter.csv"),
        name="meter-readings.csv",
    )


def test_backup_then_restore_brings_back_every_row_and_file(
    media: Path, demo_knowledge: None, personas: dict[str, Persona], tmp_path: Path
) -> None:
    attachment = _attach(personas, b"time,chlorine\n06:00,0.42\n")
    call_command("backup", str(tmp_path / "backups"))
    made = next((tmp_path / "backups").iterdir())
    manifest = json.loads((made / "manifest.json").read_text())
    before = backup.row_counts()
    assert manifest["rows"] == before
    assert len(manifest["files"]) == Attachment.objects.count() + Document.objects.count()

    # After the backup: a new transaction, a lost file, a stray file.
    actions.create_transaction(
        actor=personas["customer"].individual.user,  # type: ignore[arg-type]
        application=Transaction.objects.first().application,  # type: ignore[union-attr]
        title="Logged after the backup",
        description="",
        profile={"issue-type": "fault", "product": "aquasense-controller"},
    )
    Path(attachment.file.path).unlink()
    (media / "stray.bin").write_bytes(b"x")

    call_command("restore", str(made), "--yes")

    assert backup.row_counts() == before
    assert not Transaction.objects.filter(title="Logged after the backup").exists()
    assert not (media / "stray.bin").exists()
    for stored in Attachment.objects.all():
        assert backup._sha256(Path(stored.file.path)) == stored.sha256
    # The smoke test on the restored copy: log in, read, download.
    client = Client()
    client.post("/accounts/login/", {"login": personas["customer"].email, "password": PASSWORD})
    assert client.get("/portal/").status_code == 200
    number = attachment.transaction.number
    assert client.get(f"/portal/t/{number}/").status_code == 200
    download = client.get(f"/transactions/{number}/files/{attachment.pk}/")
    assert b"".join(download.streaming_content) == b"time,chlorine\n06:00,0.42\n"  # type: ignore[attr-defined]


def test_a_damaged_backup_is_refused_and_changes_nothing(
    media: Path, demo_knowledge: None, personas: dict[str, Persona], tmp_path: Path
) -> None:
    _attach(personas, b"readings")
    call_command("backup", str(tmp_path / "backups"))
    made = next((tmp_path / "backups").iterdir())
    damaged = next(p for p in (made / "media").rglob("*") if p.is_file())
    damaged.write_bytes(b"not what was backed up")
    Transaction.objects.filter(pk=Transaction.objects.order_by("id").first().pk).update(  # type: ignore[union-attr]
        title="Changed after the backup"
    )
    with pytest.raises(CommandError, match="differ from the manifest"):
        call_command("restore", str(made), "--yes")
    assert Transaction.objects.filter(title="Changed after the backup").exists()


def test_files_on_s3_are_backed_up_and_restored_through_the_storage(
    on_s3: S3Server, personas: dict[str, Persona], tmp_path: Path
) -> None:
    kept = _attach(personas, b"time,chlorine\n06:00,0.42\n")
    lost = _attach(personas, b"time,chlorine\n07:00,0.40\n")
    call_command("backup", str(tmp_path / "backups"))
    made = next((tmp_path / "backups").iterdir())
    manifest = json.loads((made / "manifest.json").read_text())
    assert sorted(manifest["files"]) == on_s3.stored_keys()
    assert manifest["files"][kept.file.name] == kept.sha256

    client = on_s3.client()
    client.delete_object(Bucket=BUCKET, Key=lost.file.name)
    client.put_object(Bucket=BUCKET, Key="attachments/stray", Body=b"x")

    call_command("restore", str(made), "--yes")

    assert on_s3.stored_keys() == sorted(manifest["files"])
    for stored in (kept, lost):
        body = client.get_object(Bucket=BUCKET, Key=stored.file.name)["Body"].read()
        assert hashlib.sha256(body).hexdigest() == stored.sha256
