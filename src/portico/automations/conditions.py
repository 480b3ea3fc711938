"""What a rule's conditions test: the event, and the transaction or person it is about,
read once per event however many rules ask (`Context`). Values compare without regard
to case; a condition on something the event does not have (a priority, for an event
about a person) does not hold, except "is not" / "is none of"."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from portico.audit.models import Event
from portico.automations.models import Condition
from portico.parties.models import Individual
from portico.service.models import Choice, Note, ProfileValue, Transaction

Field = Condition.Field
Operator = Condition.Operator

PRODUCT = "product"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass
class Context:
    """One event, and what the rules may ask of it. `transaction`, `person` and `product`
    (its subject) are read by the engine; the rest on demand."""

    event: Event
    transaction: Transaction | None = None
    person: Individual | None = None
    product: Choice | None = None
    # Who has been told of this event already, by any rule: nobody twice.
    told: set[tuple[str, int]] = field(default_factory=set)

    @property
    def data(self) -> dict[str, Any]:
        return self.event.data or {}

    @cached_property
    def profile(self) -> dict[str, str]:
        """The transaction's classification values: code → choice code or text (for an
        event about a product, that product)."""
        if self.transaction is None:
            return {PRODUCT: self.product.code} if self.product is not None else {}
        rows = ProfileValue.objects.filter(transaction=self.transaction).select_related(
            "classification", "choice"
        )
        return {
            row.classification.code: (row.choice.code if row.choice else row.text) for row in rows
        }

    @cached_property
    def customer(self) -> Individual | None:
        """The customer the event is about: the transaction's requester, or the person."""
        if self.transaction is not None:
            return self.transaction.requester
        return self.person

    @cached_property
    def note(self) -> Note | None:
        note_id = self.data.get("note")
        if self.event.action != "note.added" or not note_id:
            return None
        return Note.objects.filter(pk=int(note_id)).first()

    def value(self, condition: Condition) -> str | None:
        """The value the condition tests, or None if the event has none."""
        t = self.transaction
        match condition.field:
            case Field.APPLICATION:
                return t.application.code if t else None
            case Field.PRIORITY:
                return t.priority.code if t and t.priority else None
            case Field.ORGANIZATION:
                organization = t.organization if t else (self.person and self.person.organization)
                return organization.name if organization else None
            case Field.PRODUCT:
                return self.profile.get(PRODUCT)
            case Field.CHANNEL:
                return t.channel if t else None
            case Field.CLASSIFICATION:
                code = condition.classification.code if condition.classification else ""
                return self.profile.get(code)
            case Field.STATUS_CATEGORY:
                return t.status.category if t else None
            case Field.CUSTOMER_GROUP:
                customer = self.customer
                return customer.user_group.name if customer else None
            case Field.ORGANIZATION_KIND:
                person = self.customer
                return person.organization.kind if person and person.organization else None
            case Field.SATISFIED:
                if self.event.action != "satisfaction.answered":
                    return None
                return "yes" if self.data.get("satisfied") else "no"
            case Field.NOTE_BY:
                if self.event.action != "note.added":
                    return None
                return "staff" if self.data.get("by_staff") else "customer"
            case Field.NOTE_VISIBILITY:
                return self.data.get("visibility") if self.event.action == "note.added" else None
            case Field.TIME_OF_DAY:
                return timezone.localtime(self.event.occurred_at).strftime("%H:%M")
            case Field.WEEKDAY:
                return WEEKDAYS[timezone.localtime(self.event.occurred_at).weekday()]
        return None


def _items(value: str) -> list[str]:
    return [item.strip().lower() for item in value.split(",") if item.strip()]


def _between(value: str) -> tuple[str, str]:
    start, _, end = value.partition("-")
    return start.strip(), end.strip()


def holds(condition: Condition, context: Context) -> bool:
    actual = context.value(condition)
    op = condition.operator
    if op == Operator.BETWEEN:
        start, end = _between(condition.value)
        if actual is None:
            return False
        # A window over midnight (22:00-06:00) holds after its start or before its end.
        return start <= actual < end if start <= end else actual >= start or actual < end
    wanted = (
        _items(condition.value)
        if op in (Operator.ONE_OF, Operator.NONE_OF)
        else [condition.value.strip().lower()]
    )
    inside = actual is not None and str(actual).lower() in wanted
    return inside if op in (Operator.IS, Operator.ONE_OF) else not inside


def all_hold(conditions: list[Condition], context: Context) -> bool:
    return all(holds(condition, context) for condition in conditions)


def clean(condition: Condition) -> None:
    """The rules a condition's form and the API share."""
    errors: dict[str, list[str]] = {}
    if condition.field == Field.CLASSIFICATION and condition.classification_id is None:
        errors["classification"] = ["Choose the classification to test."]
    if condition.field == Field.TIME_OF_DAY:
        if condition.operator != Operator.BETWEEN:
            errors["operator"] = ["A time of day is tested with “is between”."]
        start, end = _between(condition.value)
        for moment in (start, end):
            try:
                datetime.time.fromisoformat(moment)
            except ValueError:
                errors["value"] = ["Write the window as HH:MM-HH:MM, e.g. 09:00-17:30."]
    elif condition.operator == Operator.BETWEEN:
        errors["operator"] = ["Only a time of day is tested with “is between”."]
    if condition.field == Field.WEEKDAY:
        bad = [day for day in _items(condition.value) if day not in WEEKDAYS]
        if bad:
            errors["value"] = [f"Days are written {', '.join(WEEKDAYS)}."]
    if not condition.value.strip():
        errors["value"] = ["Give the value to compare with."]
    if errors:
        raise ValidationError(errors)
