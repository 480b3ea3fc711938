"""Files on a transaction: storing one (size checked on the bytes, type judged from the
bytes, a generated stored name, its sha256 kept) and deleting one."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction as db
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from portico import access
from portico.events import services as events
from portico.parties.models import User
from portico.service import content
from portico.service.actions.base import actor_individual, event_channel, touch
from portico.service.models import Attachment, Channel, Note, Transaction

DEFAULT_ATTACHMENT_MAX_BYTES = 25 * 1024 * 1024


def attachment_limit() -> int:
    return int(getattr(settings, "PORTICO_ATTACHMENT_MAX_BYTES", DEFAULT_ATTACHMENT_MAX_BYTES))


@db.atomic
def add_attachment(
    *,
    actor: User,
    transaction: Transaction,
    upload: File[Any],
    name: str,
    note: Note | None = None,
    channel: str = Channel.WEB,
) -> Attachment:
    """Store a file: the size limit is checked on the bytes, the type is judged from the
    bytes, the stored name is generated, and its sha256 is kept."""
    access.require(actor, "attach_files", transaction)
    uploader = actor_individual(actor)
    limit = attachment_limit()
    size = upload.size
    if size is None or size > limit:
        raise ValidationError({"file": [f"A file may be at most {filesizeformat(limit)}."]})
    if size == 0:
        raise ValidationError({"file": ["The file is empty."]})
    if note is not None and note.transaction_id != transaction.pk:
        raise ValidationError({"note": ["That note is on another transaction."]})
    digest = hashlib.sha256()
    head = b""
    counted = 0
    upload.seek(0)
    for chunk in upload.chunks():
        if len(head) < content.SNIFF_BYTES:
            head += chunk[: content.SNIFF_BYTES - len(head)]
        digest.update(chunk)
        counted += len(chunk)
        if counted > limit:
            raise ValidationError({"file": [f"A file may be at most {filesizeformat(limit)}."]})
    upload.seek(0)
    now = timezone.now()
    attachment = Attachment(
        transaction=transaction,
        note=note,
        name=content.display_name(name),
        content_type=content.sniff_content_type(head),
        size=counted,
        sha256=digest.hexdigest(),
        uploaded_by=uploader,
        created_at=now,
    )
    attachment.file.save("upload", upload, save=False)
    try:
        attachment.save()
    except Exception:
        # If the row fails to save, the stored bytes must not outlive it.
        attachment.file.delete(save=False)
        raise
    transaction = Transaction.objects.select_for_update().get(pk=transaction.pk)
    transaction.save(update_fields=touch(transaction, actor, now))
    events.record(
        "attachment.added",
        actor=actor,
        channel=event_channel(channel),
        subject=transaction,
        # A file on an internal note is as internal as the note, its name included.
        internal=_on_internal_note(attachment),
        data={
            "attachment": attachment.pk,
            "name": attachment.name,
            "size": counted,
            "sha256": attachment.sha256,
        },
    )
    return attachment


@db.atomic
def delete_attachment(*, actor: User, attachment: Attachment, channel: str = Channel.WEB) -> None:
    access.require(actor, "delete_attachment", attachment.transaction)
    if attachment.deleted_at is not None:
        return
    attachment.deleted_at = timezone.now()
    attachment.save(update_fields=["deleted_at"])
    stored = attachment.file.name
    storage = attachment.file.storage
    # The bytes go only once the deletion is committed.
    db.on_commit(lambda: storage.delete(stored) if stored else None)
    events.record(
        "attachment.deleted",
        actor=actor,
        channel=event_channel(channel),
        subject=attachment.transaction,
        internal=_on_internal_note(attachment),
        data={"attachment": attachment.pk, "name": attachment.name},
    )


def _on_internal_note(attachment: Attachment) -> bool:
    return attachment.note is not None and attachment.note.visibility == Note.Visibility.INTERNAL
