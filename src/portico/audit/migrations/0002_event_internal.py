from itertools import batched
from typing import Any

from django.db import migrations, models

ATTACHMENT_EVENTS = ("attachment.added", "attachment.deleted")


def mark_internal_events(apps: Any, schema_editor: Any) -> None:
    """Mark the events already written about internal notes: the notes added as
    internal, and the files attached to or deleted from such a note (found by the
    attachment id the event names)."""
    event = apps.get_model("audit", "Event")
    attachment = apps.get_model("service", "Attachment")
    event.objects.filter(action="note.added", data__visibility="internal").update(internal=True)
    on_internal_notes = (
        attachment.objects.filter(note__visibility="internal")
        .values_list("pk", flat=True)
        .order_by("pk")
        .iterator(chunk_size=1000)
    )
    for ids in batched(on_internal_notes, 1000, strict=False):
        event.objects.filter(action__in=ATTACHMENT_EVENTS, data__attachment__in=ids).update(
            internal=True
        )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("service", "0007_transaction_last_note_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="internal",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(mark_internal_events, migrations.RunPython.noop, elidable=True),
    ]
