"""A transaction's Profile (its classification values), priority, title and
description: checking values wherever they come in, and changing them."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction as db
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.dateparse import parse_date

from portico import access
from portico.access import setup
from portico.events import services as events
from portico.parties.models import User
from portico.service import rules
from portico.service.actions import clock
from portico.service.actions.base import event_channel, touch
from portico.service.models import (
    Application,
    Channel,
    Choice,
    Classification,
    Priority,
    ProfileField,
    ProfileValue,
    Transaction,
)
from portico.statements import Statement


def profile_fields(application: Application) -> list[ProfileField]:
    """The application's Profile in order, each field with its classification and that
    classification's active choices (`active_choices`, in the order they are offered).
    Set-up kept per process (`access.setup`): the portal's form and `clean_profile`
    read it for every new transaction, four queries between them."""
    kept = setup.remembered(
        "profile_fields",
        application.pk,
        lambda: list(
            ProfileField.objects.filter(application_id=application.pk)
            .order_by("position", "pk")
            .select_related("classification")
            .prefetch_related(
                Prefetch(
                    "classification__choices",
                    queryset=Choice.objects.filter(active=True).order_by("position", "label"),
                    to_attr="active_choices",
                )
            )
        ),
    )
    fields = [setup.fresh(field) for field in kept]
    for field in fields:
        # The request's own list of its own copies, as `fresh` gives of the rows above.
        field.classification.active_choices = [  # type: ignore[attr-defined]
            setup.fresh(choice) for choice in getattr(field.classification, "active_choices", [])
        ]
    return fields


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
    fields = {f.classification.code: f for f in profile_fields(application)}
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
        offered = getattr(classification, "active_choices", None)
        if offered is None:  # a classification not read with its Profile
            offered = classification.choices.filter(active=True).order_by("position", "label")
        choice = next((c for c in offered if c.code == code), None)
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
    row = value_row(transaction, classification, value)
    ProfileValue.objects.update_or_create(
        transaction=transaction,
        classification=classification,
        defaults={"choice": row.choice, "text": row.text, "number": row.number, "date": row.date},
    )


def profile_of(transaction: Transaction) -> dict[str, str]:
    return {v.classification.code: v.display for v in _VALUES.rows(transaction=transaction.pk)}


# Read by every staff page of a transaction and every profile change (portico.statements).
_VALUES = Statement(
    lambda transaction: ProfileValue.objects.filter(transaction_id=transaction).select_related(
        "classification", "choice"
    ),
    transaction=int,
)


def display_value(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Choice):
        return value.label
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def value_row(transaction: Transaction, classification: Classification, value: Any) -> ProfileValue:
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
        new = display_value(value)
        if old != new:
            changes[classification.code] = {"before": old, "after": new}
            _store_value(transaction, classification, value)
    now = timezone.now()
    fields = touch(transaction, actor, now)
    if priority is not None and priority.pk != transaction.priority_id:
        if not transaction.application.uses_priority:
            raise ValidationError(
                {"priority": [f"A {transaction.application.name} has no priority."]}
            )
        old_priority = transaction.priority
        transaction.priority = priority
        clock.set_due_times(transaction)
        changes["priority"] = {
            "before": old_priority.code if old_priority else None,
            "after": priority.code,
        }
        fields += ["priority", "response_due_at", "resolution_due_at", "due_at"]
    if not changes:
        return transaction
    transaction.save(update_fields=fields)
    events.record(
        "transaction.profile_changed",
        actor=actor,
        channel=event_channel(channel),
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
        fields = touch(transaction, actor, timezone.now())
        transaction.save(update_fields=[*fields, "title", "description"])
        events.record(
            "transaction.text_changed",
            actor=actor,
            channel=event_channel(channel),
            subject=transaction,
            data=changes,
        )
    return transaction


@db.atomic
def set_money(
    *,
    actor: User,
    transaction: Transaction,
    value: object = None,
    cost: object = None,
    channel: str = Channel.WEB,
) -> Transaction:
    """Set the transaction's value and/or cost (None leaves one as it is). Staff who may
    change its profile only (access.may_set_money); both judged by `rules.clean_money`
    before either is stored. A change is recorded as a profile change, before → after,
    so the history shows it with the other classification changes."""
    access.require_money(actor, transaction)
    transaction = Transaction.objects.select_for_update().get(pk=transaction.pk)
    sent = {"value": value, "cost": cost}
    errors: dict[str, list[str]] = {}
    amounts: dict[str, Decimal] = {}
    for field, given in sent.items():
        if given is None:
            continue
        try:
            amounts[field] = rules.clean_money(field, given)
        except ValidationError as error:
            errors[field] = list(error.messages)
    if errors:
        raise ValidationError(errors)
    changes: dict[str, dict[str, str]] = {}
    for field, amount in amounts.items():
        before = getattr(transaction, field)
        if amount != before:
            changes[field] = {"before": f"{before:.2f}", "after": f"{amount:.2f}"}
            setattr(transaction, field, amount)
    if changes:
        fields = touch(transaction, actor, timezone.now())
        transaction.save(update_fields=[*fields, *changes])
        events.record(
            "transaction.profile_changed",
            actor=actor,
            channel=event_channel(channel),
            subject=transaction,
            data=changes,
        )
    return transaction
