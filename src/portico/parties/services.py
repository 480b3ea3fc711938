"""Changes to parties. Views, the admin and commands call these; none writes rows itself."""

from typing import Any

from django.db import transaction
from django.utils import timezone

from portico.audit import services as audit
from portico.login.services import end_sessions
from portico.parties.models import Individual


@transaction.atomic
def deactivate_individual(
    *, individual: Individual, actor: Any, channel: str = audit.Channel.WEB
) -> Individual:
    """The person has left: every access ends now (seed 003, "removing access when
    people leave"). Their log-in is disabled and their sessions are deleted on the
    server, so a page they still have open is logged out on its next request."""
    if not individual.active:
        return individual
    individual.active = False
    individual.left_at = timezone.now()
    individual.save(update_fields=["active", "left_at"])
    ended = 0
    if individual.user is not None:
        individual.user.is_active = False
        individual.user.save(update_fields=["is_active"])
        ended = end_sessions(user=individual.user)
    audit.record(
        action=audit.Action.DEACTIVATED,
        actor=actor,
        channel=channel,
        subject=individual,
        data={"sessions_ended": ended},
    )
    return individual


@transaction.atomic
def reactivate_individual(
    *, individual: Individual, actor: Any, channel: str = audit.Channel.WEB
) -> Individual:
    if individual.active:
        return individual
    individual.active = True
    individual.left_at = None
    individual.save(update_fields=["active", "left_at"])
    if individual.user is not None:
        individual.user.is_active = True
        individual.user.save(update_fields=["is_active"])
    audit.record(action=audit.Action.REACTIVATED, actor=actor, channel=channel, subject=individual)
    return individual
