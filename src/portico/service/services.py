"""Every change to a transaction. Views, the API, tasks and the admin call these; each
takes the acting log-in, asks `portico.access`, validates before it writes, writes in
one database transaction and records an audit event."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import IntegrityError, connection
from django.db import transaction as db
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.dateparse import parse_date

from portico import access
from portico.audit import services as audit
from portico.parties.models import Individual, Organization, User
from portico.service import content, rules, sla
from portico.service.calendar import business_minutes_between
from portico.service.models import (
    Application,
    Attachment,
    Channel,
    Choice,
    Classification,
    DefaultGrant,
    Grant,
    Note,
    Permission,
    Priority,
    ProfileValue,
    Relation,
    Status,
    Transaction,
)
from portico.service.standard import WITHDRAWN

# Where the SLA clock's calendar is kept; re-exported for callers that found it here.
default_calendar = sla.default_calendar

DEFAULT_ATTACHMENT_MAX_BYTES = 25 * 1024 * 1024


# --- profile values ---------------------------------------------------------------------


def clean_profile(
    application: Application,
    values: Mapping[str, Any],
    *,
    partial: bool = False,
    actor: User | None = None,
) -> dict[Classification, Any]:
    """Check values for an application's Profile, by classification code. The same rules
    hold wherever a value comes in (console, portal, API, import). With partial=True only
    the given codes are checked (a change), otherwise mandatory ones must be present.
    Given the actor, the classifications they may not set (staff-only ones, for anyone
    outside the staff) are refused, and left to the staff even when mandatory."""
    fields = {
        f.classification.code: f
        for f in application.profile_fields.select_related("classification")
    }
    hidden = set()
    if actor is not None and not access.sees_staff_only_classifications(actor):
        hidden = {
            code
            for code, f in fields.items()
            if f.classification.audience == Classification.Audience.STAFF
        }
    errors: dict[str, list[str]] = {}
    for code in values:
        if code in hidden:
            errors[code] = [f"{fields[code].classification.name} is set by our service team."]
        elif code not in fields:
            errors[code] = [f"{application.name} has no classification “{code}”."]
    cleaned: dict[Classification, Any] = {}
    for code, field in fields.items():
        classification = field.classification
        if (code not in values and partial) or code in hidden:
            continue
        raw = values.get(code)
        # The pages pass what was typed, untrimmed: only spaces is no value, as "" is.
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if field.mandatory:
                errors[code] = [f"{classification.name} is required."]
            else:
                cleaned[classification] = None
            continue
        try:
            cleaned[classification] = _clean_value(classification, raw)
        except ValidationError as error:
            errors[code] = list(error.messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_value(classification: Classification, raw: Any) -> Any:
    kind = classification.kind
    if kind == Classification.Kind.CHOICE:
        code = raw.code if isinstance(raw, Choice) else str(raw)
        choice = classification.choices.filter(code=code, active=True).first()
        if choice is None:
            raise ValidationError(f"“{raw}” is not one of the choices for {classification.name}.")
        return choice
    if kind in {Classification.Kind.NUMBER, Classification.Kind.MONEY}:
        try:
            number = Decimal(str(raw).strip().replace(",", ""))
        except InvalidOperation:
            raise ValidationError(f"{classification.name} must be a number.") from None
        if not number.is_finite() or abs(number) >= Decimal("1e12"):
            raise ValidationError(f"{classification.name} is out of range.")
        if kind == Classification.Kind.MONEY:
            if number != number.quantize(Decimal("0.01")):
                raise ValidationError(f"{classification.name} has at most two decimal places.")
            return number.quantize(Decimal("0.01"))
        return number
    if kind == Classification.Kind.DATE:
        if isinstance(raw, datetime.date):
            return raw
        try:
            parsed = parse_date(str(raw).strip())
        except ValueError:
            parsed = None
        if parsed is None:
            raise ValidationError(f"{classification.name} must be a date (YYYY-MM-DD).")
        return parsed
    return rules.clean_profile_text(classification.name, str(raw))


def _store_value(transaction: Transaction, classification: Classification, value: Any) -> None:
    if value is None:
        ProfileValue.objects.filter(transaction=transaction, classification=classification).delete()
        return
    row = _profile_value(transaction, classification, value)
    ProfileValue.objects.update_or_create(
        transaction=transaction,
        classification=classification,
        defaults={"choice": row.choice, "text": row.text, "number": row.number, "date": row.date},
    )


def profile_of(transaction: Transaction) -> dict[str, str]:
    return {
        v.classification.code: v.display
        for v in transaction.profile_values.select_related("classification", "choice")
    }


def _display(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Choice):
        return value.label
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


# --- the SLA clock ----------------------------------------------------------------------


def _set_due_times(transaction: Transaction) -> None:
    """Due times run from creation over business hours, plus any time spent waiting on
    the customer. `due_at`, the lists' "Resolve by", is the resolution due time only: a
    priority without a resolution target (P4) has none, rather than a response time
    that would make the column mean two things (issue 19)."""
    if transaction.priority is None:  # no targets, and no calendar to read
        transaction.response_due_at = transaction.resolution_due_at = transaction.due_at = None
        return
    due = sla.due_times(
        transaction.priority,
        start=transaction.created_at,
        hours=default_calendar().hours(),
        paused_minutes=transaction.sla_paused_minutes,
    )
    transaction.response_due_at = due.respond_by
    transaction.resolution_due_at = transaction.due_at = due.resolve_by


def _pause_or_resume(transaction: Transaction, new_status: Status, now: datetime.datetime) -> None:
    waiting = new_status.category == Status.Category.WAITING
    if waiting and transaction.sla_paused_at is None:
        transaction.sla_paused_at = now
    elif not waiting and transaction.sla_paused_at is not None:
        hours = default_calendar().hours()
        transaction.sla_paused_minutes += business_minutes_between(
            transaction.sla_paused_at, now, hours
        )
        transaction.sla_paused_at = None
        _set_due_times(transaction)


# What `_move` may change, for the callers' `update_fields`.
MOVE_FIELDS = (
    "status",
    "resolved_at",
    "closed_at",
    "first_response_at",
    "sla_paused_at",
    "sla_paused_minutes",
    "response_due_at",
    "resolution_due_at",
    "due_at",
)


def _move(transaction: Transaction, status: Status, now: datetime.datetime) -> None:
    """Put the transaction in `status` with all that follows for the SLA clock and the
    finish times. The one place for it: the status control (`change_status`), a
    customer's reply to a wait, and the customer's withdraw and reopen (lifecycle.py)
    each decide who may make which move, then call this; the caller saves MOVE_FIELDS.
    `transaction.status` must be the status it is leaving."""
    leaving = transaction.status
    if not leaving.is_open and status.is_open:
        # Back to work after it was finished (Resolved → In progress, by the staff or by
        # the customer reopening it). The clock stopped while we believed it done, as it
        # does while we wait on the customer; pushed on by that time, the due times do
        # not make a reopened request late the moment it is back.
        finished_at = transaction.resolved_at or transaction.closed_at or now
        transaction.sla_paused_minutes += business_minutes_between(
            finished_at, now, default_calendar().hours()
        )
        _set_due_times(transaction)
        transaction.resolved_at = transaction.closed_at = None
    _pause_or_resume(transaction, status, now)
    transaction.status = status
    if status.category == Status.Category.RESOLVED:
        transaction.resolved_at = now
    elif status.category == Status.Category.CLOSED:
        transaction.closed_at = now
        transaction.resolved_at = transaction.resolved_at or now
    if (
        transaction.resolved_at is not None
        and transaction.first_response_at is None
        and status.code != WITHDRAWN
    ):
        # Finishing it is our response if nothing came before: the customer reads the
        # resolution, or is told it is closed. A withdrawal is the customer's word, not
        # ours, and must not count as a response in the response-time figures; the
        # breach list knows a closed request owes none (selectors._late).
        transaction.first_response_at = now


# --- creating ---------------------------------------------------------------------------


def _actor_individual(actor: User) -> Individual:
    individual = access.individual_of(actor)
    if individual is None:
        raise PermissionDenied("Only an active person can do that.")
    return individual


def _next_sequence(application: Application) -> int:
    # One UPDATE … RETURNING takes the row lock and increments, so concurrent creators
    # each get their own number. The lock is held until the creating transaction
    # commits, so everything after it in create_transaction is kept to a few inserts.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Application._meta.db_table} SET next_number = next_number + 1 "  # noqa: S608
            "WHERE id = %s RETURNING next_number",
            [application.pk],
        )
        row = cursor.fetchone()
    return int(row[0]) - 1


@db.atomic
def create_transaction(
    *,
    actor: User,
    application: Application,
    title: str,
    description: str = "",
    requester: Individual | None = None,
    organization: Organization | None = None,
    priority: Priority | None = None,
    profile: Mapping[str, Any] | None = None,
    channel: str = Channel.WEB,
    team: Organization | None = None,
    value: Decimal | None = None,
    cost: Decimal | None = None,
) -> Transaction:
    """Log a transaction. A customer logs their own; staff log one for anyone."""
    recorder = _actor_individual(actor)
    if not access.may_create(actor, application):
        raise PermissionDenied(f"Your user group may not create a {application.name}.")
    staff = access.is_staff(actor)
    if not staff:
        # People outside the staff log for themselves only; what they may not set is
        # set for them, never taken from the request.
        requester, organization, team = recorder, recorder.organization, None
        value = cost = None
    if requester is not None and organization is None:
        organization = requester.organization
    errors: dict[str, list[str]] = {}
    # The field rules every channel shares (service/rules.py, seed 003).
    title = rules.TITLE.collect(title, errors)
    description = rules.DESCRIPTION.collect(description, errors)
    if requester is not None and not requester.active:
        errors["requester"] = [f"{requester.name} has left and cannot be the requester."]
    if (
        requester is not None
        and organization is not None
        and requester.organization_id not in (None, organization.pk)
    ):
        errors["organization"] = [f"{requester.name} is not in {organization.name}."]
    if channel not in Channel.values:
        errors["channel"] = [f"“{channel}” is not a channel."]
    if application.uses_priority and priority is None:
        priority = sla.default_priority()
    try:
        cleaned = clean_profile(application, profile or {}, actor=actor)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    status = application.statuses.get(initial=True)
    now = timezone.now()
    transaction = Transaction(
        application=application,
        title=title,
        description=description,
        status=status,
        priority=priority if application.uses_priority else None,
        organization=organization,
        requester=requester,
        recorded_by=recorder,
        team=team or application.team,
        channel=channel,
        created_at=now,
        updated_at=now,
        customer_updated_at=None if staff else now,
        value=value or Decimal("0"),
        cost=cost or Decimal("0"),
    )
    _set_due_times(transaction)
    grants = _default_grants(transaction)
    # From here on the application's number row is locked: only inserts follow.
    transaction.sequence = _next_sequence(application)
    transaction.number = f"{application.prefix}-{transaction.sequence:06d}"
    transaction.save(force_insert=True)
    ProfileValue.objects.bulk_create(
        _profile_value(transaction, classification, cleaned_value)
        for classification, cleaned_value in cleaned.items()
        if cleaned_value is not None
    )
    for row in grants:
        row.transaction = transaction
    Grant.objects.bulk_create(grants)
    audit.record(
        action="transaction.created",
        actor=actor,
        channel=_audit_channel(channel),
        subject=transaction,
        data={
            "number": transaction.number,
            "title": title,
            "profile": {c.code: _display(v) for c, v in cleaned.items()},
            "priority": priority.code if priority else None,
        },
    )
    return transaction


def _default_grants(transaction: Transaction) -> list[Grant]:
    """The application's default grants for a new transaction, as unsaved rows."""
    rows: dict[tuple[str, int, int], Grant] = {}
    for default in DefaultGrant.objects.filter(application_id=transaction.application_id):
        match default.principal:
            case DefaultGrant.Principal.REQUESTER:
                individual, organization = transaction.requester, None
            case DefaultGrant.Principal.RECORDER:
                individual, organization = transaction.recorded_by, None
            case DefaultGrant.Principal.REQUESTER_ORGANIZATION:
                individual, organization = None, transaction.organization
            case DefaultGrant.Principal.TEAM:
                individual, organization = None, transaction.team
            case _:
                continue
        principal = individual or organization
        if principal is None:
            continue
        key = ("i" if individual else "o", principal.pk, default.permission_id)
        rows[key] = Grant(
            individual=individual,
            organization=organization,
            permission_id=default.permission_id,
            granted_at=transaction.created_at,
        )
    return list(rows.values())


def _profile_value(
    transaction: Transaction, classification: Classification, value: Any
) -> ProfileValue:
    row = ProfileValue(transaction=transaction, classification=classification)
    if isinstance(value, Choice):
        row.choice = value
    elif isinstance(value, Decimal):
        row.number = value
    elif isinstance(value, datetime.date):
        row.date = value
    else:
        row.text = value
    return row


def _audit_channel(channel: str) -> str:
    return audit.Channel.API if channel == Channel.API else audit.Channel.WEB


def _touch(transaction: Transaction, actor: User, now: datetime.datetime) -> list[str]:
    transaction.updated_at = now
    fields = ["updated_at"]
    if not access.is_staff(actor):
        transaction.customer_updated_at = now
        fields.append("customer_updated_at")
    return fields


# --- changing ---------------------------------------------------------------------------


@db.atomic
def update_profile(
    *,
    actor: User,
    transaction: Transaction,
    values: Mapping[str, Any] | None = None,
    priority: Priority | None = None,
    channel: str = Channel.WEB,
) -> Transaction:
    """Change profile values and/or the priority; due times follow a priority change."""
    access.require(actor, "edit_profile", transaction)
    transaction = Transaction.objects.select_for_update().get(pk=transaction.pk)
    cleaned = clean_profile(transaction.application, values or {}, partial=True, actor=actor)
    before = profile_of(transaction)
    changes: dict[str, dict[str, Any]] = {}
    for classification, value in cleaned.items():
        old = before.get(classification.code)
        new = _display(value)
        if old != new:
            changes[classification.code] = {"before": old, "after": new}
            _store_value(transaction, classification, value)
    now = timezone.now()
    fields = _touch(transaction, actor, now)
    if priority is not None and priority.pk != transaction.priority_id:
        if not transaction.application.uses_priority:
            raise ValidationError(
                {"priority": [f"A {transaction.application.name} has no priority."]}
            )
        old_priority = transaction.priority
        transaction.priority = priority
        _set_due_times(transaction)
        changes["priority"] = {
            "before": old_priority.code if old_priority else None,
            "after": priority.code,
        }
        fields += ["priority", "response_due_at", "resolution_due_at", "due_at"]
    if not changes:
        return transaction
    transaction.save(update_fields=fields)
    audit.record(
        action="transaction.profile_changed",
        actor=actor,
        channel=_audit_channel(channel),
        subject=transaction,
        data=changes,
    )
    return transaction


@db.atomic
def edit_text(
    *,
    actor: User,
    transaction: Transaction,
    title: str | None = None,
    description: str | None = None,
    channel: str = Channel.WEB,
) -> Transaction:
    access.require(actor, "edit_text", transaction)
    transaction = Transaction.objects.select_for_update().get(pk=transaction.pk)
    # The field rules every channel shares (service/rules.py, seed 003), both fields
    # judged before either is changed.
    errors: dict[str, list[str]] = {}
    if title is not None:
        title = rules.TITLE.collect(title, errors)
    if description is not None:
        description = rules.DESCRIPTION.collect(description, errors)
    if errors:
        raise ValidationError(errors)
    changes: dict[str, dict[str, str]] = {}
    if title is not None and title != transaction.title:
        changes["title"] = {"before": transaction.title, "after": title}
        transaction.title = title
    if description is not None and description != transaction.description:
        changes["description"] = {"before": transaction.description, "after": description}
        transaction.description = description
    if changes:
        fields = _touch(transaction, actor, timezone.now())
        transaction.save(update_fields=[*fields, "title", "description"])
        audit.record(
            action="transaction.text_changed",
            actor=actor,
            channel=_audit_channel(channel),
            subject=transaction,
            data=changes,
        )
    return transaction


def status_moves(*, actor: User, transaction: Transaction) -> list[Status]:
    """The statuses this person may move the transaction to from where it stands, in the
    flow's order: none without the right to change its status. Pages offer exactly
    these and `change_status` refuses anything else, so no control offers a move the
    server would refuse."""
    if not access.can(actor, "change_status", transaction):
        return []
    # The status itself is never a move, even if an administrator's flow lists it.
    return list(
        Status.objects.filter(previous_statuses=transaction.status_id)
        .exclude(pk=transaction.status_id)
        .order_by("position", "pk")
    )


def _refuse_move(current: Status, status: Status, allowed: list[Status]) -> ValidationError:
    if not allowed:
        why = f"No move is allowed from {current.name}."
    else:
        why = f"Allowed: {', '.join(s.name for s in allowed)}."
    return ValidationError({"status": [f"Cannot move from {current.name} to {status.name}. {why}"]})


@db.atomic
def change_status(
    *,
    actor: User,
    transaction: Transaction,
    status: Status,
    resolution: str = "",
    channel: str = Channel.WEB,
) -> Transaction:
    """Move along the application's status flow. Waiting on the customer pauses the SLA
    clock; resolving needs a resolution the customer will read."""
    access.require(actor, "change_status", transaction)
    transaction = (
        Transaction.objects.select_for_update().select_related("status").get(pk=transaction.pk)
    )
    current = transaction.status
    if status.application_id != transaction.application_id:
        raise ValidationError({"status": [f"“{status.name}” is not a status of this transaction."]})
    if status.pk == current.pk:
        return transaction
    # The same question the pages ask to decide what to offer.
    allowed = status_moves(actor=actor, transaction=transaction)
    if status not in allowed:
        raise _refuse_move(current, status, allowed)
    resolution = rules.RESOLUTION.clean_field(resolution)
    if status.category == Status.Category.RESOLVED and not (resolution or transaction.resolution):
        raise ValidationError({"resolution": ["Say how it was resolved."]})
    now = timezone.now()
    _move(transaction, status, now)
    if status.category == Status.Category.RESOLVED:
        transaction.resolution = resolution or transaction.resolution
    elif status.category == Status.Category.CLOSED and resolution:
        transaction.resolution = resolution
    fields = _touch(transaction, actor, now)
    transaction.save(update_fields=[*fields, *MOVE_FIELDS, "resolution"])
    audit.record(
        action="transaction.status_changed",
        actor=actor,
        channel=_audit_channel(channel),
        subject=transaction,
        data={
            "status": {"before": current.name, "after": status.name},
            **({"resolution": resolution} if resolution else {}),
        },
    )
    return transaction


# --- notes ------------------------------------------------------------------------------


@db.atomic
def add_note(
    *,
    actor: User,
    transaction: Transaction,
    body: str,
    visibility: str,
    channel: str = Channel.INTERNAL,
    direction: str = Note.Direction.NONE,
    contact: Individual | None = None,
    corrects: Note | None = None,
    tell_assignees: bool = True,
) -> Note:
    """Record a contact point (seed 000: every call, fax, e-mail, meeting). A note is
    never changed afterwards; `corrects` points a correction at the note it mends.
    `tell_assignees=False` is for a caller that tells them itself, in its own words (a
    withdrawal's reason is a note, and the assignees hear "withdrew", not "added a note")."""
    author = _actor_individual(actor)
    if visibility == Note.Visibility.INTERNAL:
        access.require(actor, "add_internal_note", transaction)
    elif visibility == Note.Visibility.SHARED:
        access.require(actor, "add_shared_note", transaction)
    else:
        raise ValidationError({"visibility": ["Choose internal or shared."]})
    errors: dict[str, list[str]] = {}
    body = rules.NOTE_BODY.collect(body, errors)
    if channel not in Channel.values:
        errors["channel"] = [f"“{channel}” is not a channel."]
    if direction not in Note.Direction.values:
        errors["direction"] = [f"“{direction}” is not a direction."]
    staff = access.is_staff(actor)
    if not staff:
        # How the contact happened and who it was with are the staff's record; a note
        # from anyone else is their own, through the web (the portal offers no choice).
        channel, direction, contact = Channel.WEB, Note.Direction.INBOUND, None
    if contact is not None and not contact.active:
        errors["contact"] = [f"{contact.name} has left."]
    elif contact is not None and not _may_be_contact(transaction, contact):
        # As the console offers: the people of the transaction's organisation (else its
        # requester). Anyone else's name would reach the customer on a shared note.
        errors["contact"] = [f"{contact.name} is not a contact of this transaction."]
    if corrects is not None and corrects.transaction_id != transaction.pk:
        errors["corrects"] = ["A correction must be on the same transaction."]
    if corrects is not None and not access.may_read_note(actor, corrects):
        errors["corrects"] = ["No such note."]
    if errors:
        raise ValidationError(errors)
    transaction = Transaction.objects.select_for_update().get(pk=transaction.pk)
    now = timezone.now()
    note = Note.objects.create(
        transaction=transaction,
        author=author,
        body=body,
        visibility=visibility,
        channel=channel,
        direction=direction,
        contact=contact,
        corrects=corrects,
        created_at=now,
    )
    fields = _touch(transaction, actor, now)
    if transaction.last_note_at is None or transaction.last_note_at < now:
        transaction.last_note_at = now
        fields.append("last_note_at")
    # The first response is the first thing the customer hears from us: a shared staff
    # note or an outbound contact.
    if (
        staff
        and transaction.first_response_at is None
        and (visibility == Note.Visibility.SHARED or direction == Note.Direction.OUTBOUND)
    ):
        transaction.first_response_at = now
        fields.append("first_response_at")
    resumed = None if staff else _resume_on_reply(transaction, now)
    if resumed is not None:
        fields += MOVE_FIELDS
    transaction.save(update_fields=fields)
    if resumed is not None:
        audit.record(
            action="transaction.status_changed",
            actor=actor,
            channel=_audit_channel(channel),
            subject=transaction,
            data={
                "status": {"before": resumed.name, "after": transaction.status.name},
                "reason": "the customer replied",
            },
        )
    audit.record(
        action="note.added",
        actor=actor,
        channel=_audit_channel(channel),
        subject=transaction,
        internal=visibility == Note.Visibility.INTERNAL,
        data={
            "note": note.pk,
            "visibility": visibility,
            "channel": channel,
            "by_staff": staff,
            **({"corrects": corrects.pk} if corrects else {}),
            **({} if tell_assignees else {"announce": False}),
        },
    )
    return note


def _may_be_contact(transaction: Transaction, contact: Individual) -> bool:
    if transaction.organization_id is not None:
        return contact.organization_id == transaction.organization_id
    return contact.pk == transaction.requester_id


def _resume_on_reply(transaction: Transaction, now: datetime.datetime) -> Status | None:
    """A customer's reply to a transaction that waits on them puts it back in progress
    and restarts the SLA clock. Returns the status it left, or None if nothing moved."""
    waiting = Status.objects.get(pk=transaction.status_id)
    if waiting.category != Status.Category.WAITING:
        return None
    back = waiting.next_statuses.filter(category=Status.Category.OPEN).order_by("position").first()
    if back is None:
        return None
    transaction.status = waiting  # the row just read, so that _move reads it once
    _move(transaction, back, now)
    return waiting


# --- attachments ------------------------------------------------------------------------


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
    uploader = _actor_individual(actor)
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
    transaction.save(update_fields=_touch(transaction, actor, now))
    audit.record(
        action="attachment.added",
        actor=actor,
        channel=_audit_channel(channel),
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
    audit.record(
        action="attachment.deleted",
        actor=actor,
        channel=_audit_channel(channel),
        subject=attachment.transaction,
        internal=_on_internal_note(attachment),
        data={"attachment": attachment.pk, "name": attachment.name},
    )


def _on_internal_note(attachment: Attachment) -> bool:
    return attachment.note is not None and attachment.note.visibility == Note.Visibility.INTERNAL


# --- grants -----------------------------------------------------------------------------


@db.atomic
def grant(
    *,
    actor: User,
    transaction: Transaction,
    permission: Permission,
    individual: Individual | None = None,
    organization: Organization | None = None,
    channel: str = Channel.WEB,
) -> Grant:
    access.require(actor, "manage_grants", transaction)
    return _grant(
        actor=actor,
        transaction=transaction,
        permission=permission,
        individual=individual,
        organization=organization,
        channel=channel,
    )


def _grant(
    *,
    actor: User,
    transaction: Transaction,
    permission: Permission,
    individual: Individual | None,
    organization: Organization | None,
    channel: str,
) -> Grant:
    if (individual is None) == (organization is None):
        raise ValidationError({"principal": ["Grant to one individual or one organisation."]})
    if individual is not None and not individual.active:
        raise ValidationError(
            {"individual": [f"{individual.name} has left; grant nothing to them."]}
        )
    if organization is not None and not organization.active:
        raise ValidationError({"organization": [f"{organization.name} is not active."]})
    try:
        with db.atomic():
            row = Grant.objects.create(
                transaction=transaction,
                permission=permission,
                individual=individual,
                organization=organization,
                granted_by=access.individual_of(actor),
            )
    except IntegrityError:
        raise ValidationError(
            {"permission": [f"{(individual or organization)} already has {permission.name}."]}
        ) from None
    audit.record(
        action="grant.added",
        actor=actor,
        channel=_audit_channel(channel),
        subject=transaction,
        data={
            "grant": row.pk,
            "permission": permission.name,
            "principal": str(individual or organization),
            "kind": "individual" if individual else "organization",
        },
    )
    return row


@db.atomic
def revoke(*, actor: User, grant_row: Grant, channel: str = Channel.WEB) -> None:
    transaction = grant_row.transaction
    access.require(actor, "manage_grants", transaction)
    data = {
        "grant": grant_row.pk,
        "permission": grant_row.permission.name,
        "principal": str(grant_row.principal),
    }
    grant_row.delete()
    audit.record(
        action="grant.removed",
        actor=actor,
        channel=_audit_channel(channel),
        subject=transaction,
        data=data,
    )


@db.atomic
def assign(
    *,
    actor: User,
    transaction: Transaction,
    assignees: Iterable[Individual],
    channel: str = Channel.WEB,
) -> list[Grant]:
    """Dispatch: "Assigned to for action" for each (seed 000: several people at once),
    which puts it on their task list."""
    access.require(actor, "assign", transaction)
    permission = Permission.objects.get(code="assigned")
    people = list(assignees)
    if not people:
        raise ValidationError({"assignees": ["Choose at least one person."]})
    made = []
    for person in people:
        if not person.user_group.is_staff_group:
            raise ValidationError({"assignees": [f"{person.name} is not on the staff."]})
        if Grant.objects.filter(
            transaction=transaction, individual=person, permission=permission
        ).exists():
            continue
        made.append(
            _grant(
                actor=actor,
                transaction=transaction,
                permission=permission,
                individual=person,
                organization=None,
                channel=channel,
            )
        )
    assigned = [g.individual for g in made if g.individual is not None]
    if assigned:
        # The assignees and their supervisors hear of it from the event's subscriber.
        audit.record(
            action="transaction.assigned",
            actor=actor,
            channel=_audit_channel(channel),
            subject=transaction,
            data={"assignees": [p.pk for p in assigned], "names": [p.name for p in assigned]},
        )
    return made


@db.atomic
def forward(
    *,
    actor: User,
    transaction: Transaction,
    team: Organization,
    note: str,
    channel: str = Channel.WEB,
) -> Transaction:
    """Hand the transaction to another team's queue with a note saying why (seed 002:
    forwarding to other departments). The new team gets Full access and is told."""
    access.require(actor, "assign", transaction)
    if team.kind != Organization.Kind.TEAM or not team.active:
        raise ValidationError({"team": [f"{team.name} is not one of our teams."]})
    if team.pk == transaction.team_id:
        raise ValidationError({"team": [f"It is already with {team.name}."]})
    # The note's rule, judged here so a refusal names the form's "note", not "body".
    note = rules.FORWARD_NOTE.clean_field(note)
    transaction = Transaction.objects.select_for_update().get(pk=transaction.pk)
    before = transaction.team.name if transaction.team else None
    transaction.team = team
    transaction.save(update_fields=[*_touch(transaction, actor, timezone.now()), "team"])
    Grant.objects.get_or_create(
        transaction=transaction, organization=team, permission=Permission.objects.get(code="full")
    )
    add_note(
        actor=actor,
        transaction=transaction,
        body=note,
        visibility=Note.Visibility.INTERNAL,
        channel=Channel.INTERNAL,
    )
    audit.record(
        action="transaction.forwarded",
        actor=actor,
        channel=_audit_channel(channel),
        subject=transaction,
        data={"team": {"before": before, "after": team.name}, "team_id": team.pk},
    )
    return transaction


# --- relations --------------------------------------------------------------------------


@db.atomic
def relate(
    *,
    actor: User,
    transaction: Transaction,
    other: Transaction,
    kind: str,
    channel: str = Channel.WEB,
) -> Relation:
    access.require(actor, "relate", transaction)
    if not access.can(actor, "view", other):
        raise ValidationError({"other": ["No such transaction."]})
    if other.pk == transaction.pk:
        raise ValidationError({"other": ["A transaction cannot be related to itself."]})
    if kind not in Relation.Kind.values:
        raise ValidationError({"kind": [f"“{kind}” is not a kind of relation."]})
    if Relation.objects.filter(source=transaction, target=other).exists() or (
        Relation.objects.filter(source=other, target=transaction).exists()
    ):
        raise ValidationError(
            {"other": [f"{transaction.number} and {other.number} are already related."]}
        )
    relation = Relation.objects.create(
        source=transaction, target=other, kind=kind, created_by=access.individual_of(actor)
    )
    audit.record(
        action="relation.added",
        actor=actor,
        channel=_audit_channel(channel),
        subject=transaction,
        data={"kind": kind, "other": other.number},
    )
    return relation


# --- reading ----------------------------------------------------------------------------


def record_view(*, actor: User, transaction: Transaction, channel: str = Channel.WEB) -> None:
    """A portal person's look at a transaction is a touch too (seed 004)."""
    if access.is_staff(actor):
        return
    audit.record(
        action="transaction.viewed",
        actor=actor,
        channel=_audit_channel(channel),
        portal=access.portal_of(actor),
        subject=transaction,
    )
