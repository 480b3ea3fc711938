"""What the tests of the transaction actions share: the demo people, short ways to
name them and what they use, a service issue logged as the portal or the phone logs
it, and `refused`, which checks that a mistake is a ValidationError naming the field
and leaves everything as it was."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from portico.audit.models import Event
from portico.parties.models import Individual, User
from portico.service import actions
from portico.service.models import (
    Application,
    Attachment,
    Grant,
    Note,
    Permission,
    Priority,
    ProfileValue,
    Relation,
    Status,
    Transaction,
)
from tests.conftest import PERSONAS

ISSUE = {"issue-type": "fault", "product": "clearflow-dosing-pump"}


@pytest.fixture
def people(demo_people: None) -> None:
    # The demo people only: task lists and counts below must hold just what each test makes.
    """The demo people (tests/conftest.py)."""


def user(key: str) -> User:
    person = PERSONAS[key].individual.user
    assert person is not None
    return person


def individual(key: str) -> Individual:
    return PERSONAS[key].individual


def application(code: str) -> Application:
    return Application.objects.get(code=code)


def status(transaction: Transaction, code: str) -> Status:
    return Status.objects.get(application_id=transaction.application_id, code=code)


def permission(code: str) -> Permission:
    return Permission.objects.get(code=code)


def log_issue(
    by: str = "customer", *, for_: str = "customer", title: str = "Dosing pump stopped"
) -> Transaction:
    """A service issue: from the portal when a customer logs it, by phone from staff."""
    staff = by in {"csr", "technician", "supervisor", "administrator"}
    return actions.create_transaction(
        actor=user(by),
        application=application("service-issue"),
        title=title,
        requester=individual(for_) if staff else None,
        profile=ISSUE,
        channel="phone" if staff else "web",
    )


def sales_opportunity() -> Transaction:
    return actions.create_transaction(
        actor=user("csr"),
        application=application("sales-opportunity"),
        title="Tayside retrofit",
        requester=individual("partner"),
        profile={"deal-value": "184000.00", "close-date": "2027-03-31"},
    )


def counts() -> dict[str, int]:
    """Everything a service might write, counted."""
    return {
        "transactions": Transaction.objects.count(),
        "profile values": ProfileValue.objects.count(),
        "grants": Grant.objects.count(),
        "notes": Note.objects.count(),
        "attachments": Attachment.objects.count(),
        "relations": Relation.objects.count(),
        "audit events": Event.objects.count(),
        "numbers taken": sum(Application.objects.values_list("next_number", flat=True)),
    }


def state(transaction: Transaction) -> dict[str, Any]:
    """A transaction's stored values and profile."""
    row = Transaction.objects.filter(pk=transaction.pk).values().get()
    return {**row, "profile": actions.profile_of(transaction)}


@contextmanager
def refused(field: str, *words: str, transaction: Transaction | None = None) -> Iterator[None]:
    """The block must fail with a ValidationError on `field` whose message contains
    `words`, and change nothing: no row added or removed, no event, no number used."""
    before = counts()
    values = state(transaction) if transaction is not None else None
    with pytest.raises(ValidationError) as caught:
        yield
    errors = caught.value.message_dict
    assert field in errors, errors
    message = " ".join(errors[field])
    for word in words:
        assert word in message, message
    assert counts() == before
    if transaction is not None:
        assert state(transaction) == values


def new_issue(key: str = "customer", priority: str = "P4") -> Transaction:
    return actions.create_transaction(
        actor=user(key),
        application=Application.objects.get(code="service-issue"),
        title="Dosing pump alarm E42",
        priority=Priority.objects.get(code=priority),
        profile={"issue-type": "fault", "product": "clearflow-dosing-pump"},
    )


def trail(transaction: Transaction) -> list[Event]:
    return list(
        Event.objects.filter(
            subject_type=ContentType.objects.get_for_model(Transaction),
            subject_id=str(transaction.pk),
        ).order_by("id")
    )
