"""Who may read which notes and files of a transaction: internal ones never outside the
staff, and within it only for those whose grant reads internal notes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from portico.access.roles import individual_of
from portico.access.transactions import application_rights, can, visible_transactions
from portico.statements import Statement

if TYPE_CHECKING:
    import datetime

    from portico.access.roles import Person
    from portico.parties.models import Individual
    from portico.service.models import Attachment, Note, Transaction


def _internal_readable(user: Person | None, transaction: Transaction, needs: str) -> bool | None:
    """None when the person may not have the transaction's `needs` at all; otherwise
    whether internal notes (and files on them) are theirs to read too."""
    if not can(user, needs, transaction):
        return None
    return can(user, "read_internal_notes", transaction)


def _notes(transaction: int, internal: bool) -> QuerySet[Note]:
    """The rule, by the transaction's id: internal notes only for `internal` readers."""
    from portico.service.models import Note

    notes = Note.objects.filter(transaction_id=transaction)
    return notes if internal else notes.filter(visibility=Note.Visibility.SHARED)


def _attachments(transaction: int, internal: bool) -> QuerySet[Attachment]:
    """The rule, by the transaction's id: files on internal notes only for `internal`."""
    from portico.service.models import Attachment, Note

    attachments = Attachment.objects.filter(transaction_id=transaction, deleted_at__isnull=True)
    if internal:
        return attachments
    return attachments.filter(Q(note__isnull=True) | Q(note__visibility=Note.Visibility.SHARED))


def readable_notes(user: Person | None, transaction: Transaction) -> QuerySet[Note]:
    """The transaction's notes the person may read, as a query: none unless they may see
    it, and internal ones only for those who may read its internal notes (never anyone
    outside the staff, whom `capabilities` never gives read_internal_notes)."""
    internal = _internal_readable(user, transaction, "view")
    notes = _notes(transaction.pk, bool(internal))
    return notes.none() if internal is None else notes


def readable_attachments(user: Person | None, transaction: Transaction) -> QuerySet[Attachment]:
    """The transaction's files (not deleted) the person may download, as a query: none
    without download_files, and those on internal notes only for those who may read
    internal notes. Fetch one file through this, by (transaction, id), never by id alone."""
    internal = _internal_readable(user, transaction, "download_files")
    attachments = _attachments(transaction.pk, bool(internal))
    return attachments.none() if internal is None else attachments


# The pages of a transaction read these on every view: the same rule, in the timeline's
# order with what the pages show of each row, its SQL written once (portico.statements).
_NOTES = {
    internal: Statement(
        lambda transaction, i=internal: (
            _notes(transaction, i)
            .select_related("author__user_group", "contact")
            .order_by("created_at", "id")
        ),
        transaction=int,
    )
    for internal in (False, True)
}
_ATTACHMENTS = {
    internal: Statement(
        lambda transaction, i=internal: (
            _attachments(transaction, i).select_related("uploaded_by").order_by("created_at", "id")
        ),
        transaction=int,
    )
    for internal in (False, True)
}


def readable_note_rows(user: Person | None, transaction: Transaction) -> list[Note]:
    """`readable_notes` in the timeline's order, with each author, their group and the
    contact: what a page of the transaction shows."""
    internal = _internal_readable(user, transaction, "view")
    return [] if internal is None else _NOTES[internal].rows(transaction=transaction.pk)


def readable_attachment_rows(user: Person | None, transaction: Transaction) -> list[Attachment]:
    """`readable_attachments` in the order they came, with who uploaded each."""
    internal = _internal_readable(user, transaction, "download_files")
    return [] if internal is None else _ATTACHMENTS[internal].rows(transaction=transaction.pk)


def publishable_notes(transaction: Transaction) -> QuerySet[Note]:
    """The notes of a transaction that may leave it for a wider audience (a draft
    article drafted from it): shared ones the staff wrote. Never an internal note,
    whatever the editor drafting it may read."""
    from portico.parties.models import Portal
    from portico.service.models import Note

    return Note.objects.filter(
        transaction=transaction,
        visibility=Note.Visibility.SHARED,
        author__user_group__portal=Portal.CONSOLE,
    )


def recent_readable_notes(
    user: Person | None, shown: QuerySet[Note], *, count: int, **where: Any
) -> list[Note]:
    """The newest `count` notes the person may read on the transactions matching `where`
    (`organization=`, `requester=`), newest first, fetched through `shown` (for its
    select_related), for the timelines that span many transactions (the 360° views):
    shared notes of the transactions they may see, and internal ones only where
    `capabilities` would give read_internal_notes — their own grants, else their
    organisation's, else the group's default — so a Read only grant hides internal
    notes here as on the transaction's page.

    The transactions are walked newest note first (`last_note_at`, indexed per
    organisation and per requester) in growing batches, and the walk stops once the
    next transaction's newest note is older than the `count`-th note found: none of its
    notes could come in. Reading all the notes and sorting them took 63 ms for the
    busiest organisation's 28,000 (scale L). Internal notes are decided in Python:
    written as one SQL filter, the rule's grant subqueries made PostgreSQL hash every
    grant of the staff's own organisation (820,000 at a million transactions)."""
    from portico.service.models import Note

    individual = individual_of(user)
    if individual is None or count <= 0:
        return []
    staff = individual.user_group.is_staff_group
    shared = Note.Visibility.SHARED
    walk = (
        visible_transactions(user, per_row=True)
        .filter(last_note_at__isnull=False, **where)
        .order_by("-last_note_at", "-id")
        .values_list("pk", "application_id", "last_note_at")
    )
    found: list[tuple[datetime.datetime, int]] = []  # (created_at, pk), newest first
    after: Q = Q()
    size = count * 2
    while True:
        batch = list(walk.filter(after)[: size + 1])
        applications = {pk: application for pk, application, _at in batch[:size]}
        if not applications:
            break
        notes = Note.objects.filter(transaction_id__in=applications)
        if not staff:
            notes = notes.filter(visibility=shared)  # internal notes never leave the staff
        if len(found) == count:
            notes = notes.filter(created_at__gte=found[-1][0])
        rows = list(notes.values_list("pk", "transaction_id", "visibility", "created_at"))
        internal = {tid: applications[tid] for _pk, tid, vis, _at in rows if vis != shared}
        readable = _reads_internal_notes(user, individual, internal)
        found += [(at, pk) for pk, tid, vis, at in rows if vis == shared or tid in readable]
        found = sorted(found, reverse=True)[:count]
        if len(batch) <= size:
            break  # walked them all
        last_pk, _app, last_at = batch[size - 1]
        next_at = batch[size][2]
        assert next_at is not None  # the walk reads only transactions with notes
        if len(found) == count and next_at < found[-1][0]:
            break
        after = Q(last_note_at__lt=last_at) | Q(last_note_at=last_at, pk__lt=last_pk)
        size *= 4
    if not found:
        return []
    return list(
        shown.filter(pk__in=[pk for _at, pk in found])
        .select_related("transaction")
        .order_by("-created_at", "-id")
    )


def _reads_internal_notes(
    user: Person | None, individual: Individual, applications: dict[int, int]
) -> set[int]:
    """Of the transactions (id → application id), those whose internal notes the person
    may read: `capabilities`' precedence, own grants over the organisation's over the
    group's default, for read_internal_notes alone, in one query."""
    from portico.service.models import Grant

    if not applications:
        return set()
    principals = Q(individual_id=individual.pk)
    if individual.organization_id is not None:
        principals |= Q(organization_id=individual.organization_id)
    own: dict[int, bool] = {}
    ours: dict[int, bool] = {}
    for transaction_id, grantee, reads in Grant.objects.filter(
        principals, transaction_id__in=list(applications), permission__decides_access=True
    ).values_list("transaction_id", "individual_id", "permission__read_internal_notes"):
        held = own if grantee == individual.pk else ours
        held[transaction_id] = held.get(transaction_id, False) or reads
    rights = application_rights(user)
    readable = set()
    for transaction_id, application_id in applications.items():
        if transaction_id in own:
            reads = own[transaction_id]
        elif transaction_id in ours:
            reads = ours[transaction_id]
        else:
            right = rights.get(application_id)
            default = right.default_permission if right is not None else None
            reads = default is not None and default.read_internal_notes
        if reads:
            readable.add(transaction_id)
    return readable


def may_read_note(user: Person | None, note: Note) -> bool:
    """A shared note is read by whoever may see its transaction; an internal one only by
    those who may read the transaction's internal notes (never anyone outside the staff,
    whom `capabilities` never gives read_internal_notes)."""
    from portico.service.models import Note

    if not can(user, "view", note.transaction):
        return False
    return note.visibility == Note.Visibility.SHARED or can(
        user, "read_internal_notes", note.transaction
    )
