"""Dispatch: assigning a transaction to people on the staff, and forwarding it to another
team's queue."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction as db
from django.utils import timezone

from portico import access
from portico.events import services as events
from portico.parties.models import Individual, Organization, User
from portico.service import rules
from portico.service.actions.base import event_channel, touch
from portico.service.actions.grants import make_grant
from portico.service.actions.notes import add_note
from portico.service.models import Channel, Grant, Note, Permission, Transaction


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
            make_grant(
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
        events.record(
            "transaction.assigned",
            actor=actor,
            channel=event_channel(channel),
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
    transaction.save(update_fields=[*touch(transaction, actor, timezone.now()), "team"])
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
    events.record(
        "transaction.forwarded",
        actor=actor,
        channel=event_channel(channel),
        subject=transaction,
        data={"team": {"before": before, "after": team.name}, "team_id": team.pk},
    )
    return transaction
