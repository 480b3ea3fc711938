"""A transaction with an internal note that carries a file, and a member of staff whose
own Read only grant keeps internal notes from them (seed 001: the most specific grant
wins, so it restricts even a technician who works the application): the persona that
reproduced issue 19's leak of the file's name through the history."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from portico import access
from portico.parties.models import Individual, User
from portico.service import actions
from portico.service.models import Application, Attachment, Grant, Note, Permission, Transaction
from tests.conftest import PERSONAS

SECRET_FILE = "recall-batch-0417.txt"
SECRET_TEXT = "Suspect the recalled flow sensor batch"
SHARED_FILE = "alarm-photo.txt"
SHARED_TEXT = "We are looking into the alarm"


@dataclass(frozen=True)
class InternalNote:
    transaction: Transaction
    note: Note
    attachment: Attachment
    shared_attachment: Attachment
    # Staff who may see the transaction but not read its internal notes.
    reader: User
    # Staff who may read them.
    writer: User


def user(key: str) -> User:
    return User.objects.select_related("individual__user_group").get(email=PERSONAS[key].email)


def make() -> InternalNote:
    """Logged by the customer, worked by the CSR: an internal note with a file, a shared
    note with a file, then the internal note's file deleted again (a second event that
    names it); the technician is given Read only on it."""
    csr = user("csr")
    transaction = actions.create_transaction(
        actor=user("customer"),
        application=Application.objects.get(code="service-issue"),
        title="Flow readings drop to zero",
        profile={"issue-type": "fault", "product": "aquasense-sensor-pack"},
    )
    note = actions.add_note(
        actor=csr, transaction=transaction, body=SECRET_TEXT, visibility="internal"
    )
    attachment = actions.add_attachment(
        actor=csr,
        transaction=transaction,
        upload=SimpleUploadedFile(SECRET_FILE, b"batch 0417\n"),
        name=SECRET_FILE,
        note=note,
    )
    shared = actions.add_note(
        actor=csr, transaction=transaction, body=SHARED_TEXT, visibility="shared"
    )
    shared_attachment = actions.add_attachment(
        actor=csr,
        transaction=transaction,
        upload=SimpleUploadedFile(SHARED_FILE, b"photo\n"),
        name=SHARED_FILE,
        note=shared,
    )
    actions.delete_attachment(actor=csr, attachment=attachment)
    tom = Individual.objects.get(email=PERSONAS["technician"].email)
    Grant.objects.create(
        transaction=transaction, individual=tom, permission=Permission.objects.get(code="read")
    )
    reader = user("technician")
    assert access.can(reader, "view", transaction)
    assert not access.can(reader, "read_internal_notes", transaction)
    assert access.can(csr, "read_internal_notes", transaction)
    return InternalNote(transaction, note, attachment, shared_attachment, reader, csr)
