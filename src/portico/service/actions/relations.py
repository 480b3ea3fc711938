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
    return _create(actor, transaction, other, kind, channel)


@db.atomic
def follow_up(
    *, actor: User, transaction: Transaction, earlier: Transaction, channel: str = Channel.WEB
) -> Relation:
    """Relate a new request to the finished one it follows up: a customer's e-mail reply
    to a closed request opens a new one (portico.mail). Relating needs the right to
    change the profile, which a customer has not; this one link is theirs to make, on a
    request they recorded, to one they may see."""
    recorder = access.individual_of(actor)
    if (
        recorder is None
        or transaction.recorded_by_id != recorder.pk
        or not access.can(actor, "view", transaction)
        or not access.can(actor, "view", earlier)
        or earlier.pk == transaction.pk
    ):
        raise ValidationError({"other": ["No such transaction."]})
    return _create(actor, transaction, earlier, Relation.Kind.RELATED, channel)


def _create(
    actor: User, transaction: Transaction, other: Transaction, kind: str, channel: str
) -> Relation:
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
