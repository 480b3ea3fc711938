"""Relating two transactions: related, a duplicate, parent and child, caused by."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction as db

from portico import access
from portico.events import services as events
from portico.parties.models import User
from portico.service.actions.base import event_channel
from portico.service.models import Channel, Relation, Transaction


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
    events.record(
        "relation.added",
        actor=actor,
        channel=event_channel(channel),
        subject=transaction,
        data={"kind": kind, "other": other.number},
    )
    return relation
