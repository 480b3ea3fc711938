"""Logging a transaction: its number from the application's sequence, its Profile, its
due times and the application's default grants, in one database transaction."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db import transaction as db
from django.utils import timezone

from portico import access
from portico.access import setup
from portico.events import services as events
from portico.parties.models import Individual, Organization, User
from portico.service import rules, sla
from portico.service.actions import clock
from portico.service.actions.base import actor_individual, event_channel
from portico.service.actions.profile import clean_profile, display_value, value_row
from portico.service.models import (
    Application,
    Channel,
    DefaultGrant,
    Grant,
    Priority,
    ProfileValue,
    Status,
    Transaction,
)


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
    classify_later: bool = False,
) -> Transaction:
    """Log a transaction. A customer logs their own; staff log one for anyone.
    `classify_later`: a request that came in by e-mail brings no Profile, so its
    mandatory classifications are left for the staff to set (portico.mail)."""
    recorder = actor_individual(actor)
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
        cleaned = clean_profile(
            application, profile or {}, actor=actor, partial=classify_later and not profile
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    status = _initial_status(application)
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
        # The application's team by its id: nothing here reads the row.
        team_id=team.pk if team is not None else application.team_id,
        channel=channel,
        created_at=now,
        updated_at=now,
        customer_updated_at=None if staff else now,
        value=value or Decimal("0"),
        cost=cost or Decimal("0"),
    )
    clock.set_due_times(transaction)
    grants = _default_grants(transaction)
    # From here on the application's number row is locked: only inserts follow.
    transaction.sequence = _next_sequence(application)
    transaction.number = f"{application.prefix}-{transaction.sequence:06d}"
    transaction.save(force_insert=True)
    ProfileValue.objects.bulk_create(
        value_row(transaction, classification, cleaned_value)
        for classification, cleaned_value in cleaned.items()
        if cleaned_value is not None
    )
    for row in grants:
        row.transaction = transaction
    Grant.objects.bulk_create(grants)
    events.record(
        "transaction.created",
        actor=actor,
        channel=event_channel(channel),
        subject=transaction,
        data={
            "number": transaction.number,
            "title": title,
            "profile": {c.code: display_value(v) for c, v in cleaned.items()},
            "priority": priority.code if priority else None,
        },
    )
    return transaction


def _initial_status(application: Application) -> Status:
    """The status a new transaction of the application starts in: set-up, kept per
    process (`access.setup`), the request's own copy."""
    kept = setup.remembered(
        "initial_status",
        application.pk,
        lambda: Status.objects.get(application_id=application.pk, initial=True),
    )
    return setup.fresh(kept)


def _default_grants(transaction: Transaction) -> list[Grant]:
    """The application's default grants for a new transaction, as unsaved rows. The
    defaults are set-up, kept per process (`access.setup`) as (principal, permission)."""
    defaults = setup.remembered(
        "default_grants",
        transaction.application_id,
        lambda: list(
            DefaultGrant.objects.filter(application_id=transaction.application_id)
            .order_by("pk")
            .values_list("principal", "permission_id")
        ),
    )
    rows: dict[tuple[str, int, int], Grant] = {}
    for principal, permission_id in defaults:
        match principal:
            case DefaultGrant.Principal.REQUESTER:
                individual_id, organization_id = transaction.requester_id, None
            case DefaultGrant.Principal.RECORDER:
                individual_id, organization_id = transaction.recorded_by_id, None
            case DefaultGrant.Principal.REQUESTER_ORGANIZATION:
                individual_id, organization_id = None, transaction.organization_id
            case DefaultGrant.Principal.TEAM:
                individual_id, organization_id = None, transaction.team_id
            case _:
                continue
        principal_id = individual_id or organization_id
        if principal_id is None:
            continue
        key = ("i" if individual_id else "o", principal_id, permission_id)
        rows[key] = Grant(
            individual_id=individual_id,
            organization_id=organization_id,
            permission_id=permission_id,
            granted_at=transaction.created_at,
        )
    return list(rows.values())
