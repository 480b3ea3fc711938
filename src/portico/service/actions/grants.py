"""Grants: who may do what with one transaction, given and taken away."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db import transaction as db

from portico import access
from portico.events import services as events
from portico.parties.models import Individual, Organization, User
from portico.service.actions.base import event_channel
from portico.service.models import Channel, Grant, Permission, Transaction


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
    return make_grant(
        actor=actor,
        transaction=transaction,
        permission=permission,
        individual=individual,
        organization=organization,
        channel=channel,
    )


def make_grant(
    *,
    actor: User,
    transaction: Transaction,
    permission: Permission,
    individual: Individual | None,
    organization: Organization | None,
    channel: str,
) -> Grant:
    """The grant itself, for a caller that has checked its own right: `grant` asks
    for manage_grants, `dispatch.assign` for assign."""
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
    events.record(
        "grant.added",
        actor=actor,
        channel=event_channel(channel),
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
    events.record(
        "grant.removed",
        actor=actor,
        channel=event_channel(channel),
        subject=transaction,
        data=data,
    )
