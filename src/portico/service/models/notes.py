"""The contact record of a transaction: its notes and the files attached to it."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from portico.parties.models import Individual
from portico.service.models.transactions import Channel, Transaction


class Note(models.Model):
    """A note or comment: one contact point (seed 000: "by far the most important
    section"). Never edited in place: a correction is a new note that points back."""

    class Direction(models.TextChoices):
        INBOUND = "in", "Inbound"
        OUTBOUND = "out", "Outbound"
        NONE = "none", "—"

    class Visibility(models.TextChoices):
        INTERNAL = "internal", "Internal (staff only)"
        SHARED = "shared", "Shared with the customer"

    transaction = models.ForeignKey(Transaction, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        Individual, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.INTERNAL)
    direction = models.CharField(max_length=4, choices=Direction.choices, default=Direction.NONE)
    contact = models.ForeignKey(
        Individual,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The individual the contact was with.",
    )
    visibility = models.CharField(max_length=10, choices=Visibility.choices)
    body = models.TextField()
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("created_at", "id")
        indexes = [
            models.Index(fields=["transaction", "created_at"], name="note_transaction"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} note on {self.transaction_id}"


def _attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is ours alone: a person's file name never reaches the file system.
    return f"attachments/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    transaction = models.ForeignKey(
        Transaction, on_delete=models.CASCADE, related_name="attachments"
    )
    note = models.ForeignKey(
        Note, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    name = models.CharField(max_length=160, help_text="The name shown; never used to store.")
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        Individual, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Deleting hides it from everyone but keeps the trail; the bytes are removed.
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("created_at", "id")
        indexes = [models.Index(fields=["transaction", "created_at"], name="attachment_tx")]

    def __str__(self) -> str:
        return self.name
