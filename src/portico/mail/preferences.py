"""A person's choices about the mail Portico sends them: opting out of (and back in to)
everything that is not about their own requests, and the language they are written in.
One set of rules for the unsubscribe link, the portal's profile page and the admin."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction as db
from django.utils import timezone

from portico import access
from portico.audit.models import Channel
from portico.events import services as events
from portico.mail import templates
from portico.parties.models import Individual

LINK = "link"  # opted out through the link in a message
PROFILE = "profile"  # on their profile page


@db.atomic
def set_opted_out(
    *, person: Individual, opted_out: bool, via: str, actor: Any = None, channel: str = Channel.WEB
) -> Individual:
    """Opt `person` out of mail not about their own requests (or back in). `actor`: who
    did it when logged in (None for the signed link, which stands for the person).
    Doing what is already so changes and records nothing."""
    if actor is not None and not access.may_change_contact_details(actor, person):
        raise PermissionDenied("You may change only your own mail settings.")
    locked = Individual.objects.select_for_update().get(pk=person.pk)
    if (locked.mail_opted_out_at is not None) == opted_out:
        return locked
    locked.mail_opted_out_at = timezone.now() if opted_out else None
    locked.save(update_fields=["mail_opted_out_at"])
    person.mail_opted_out_at = locked.mail_opted_out_at
    events.record(
        "individual.mail_opted_out" if opted_out else "individual.mail_opted_in",
        actor=actor,
        actor_label="" if actor is not None else locked.name,
        channel=channel,
        subject=locked,
        data={"via": via, "address": locked.email},
    )
    return locked


@db.atomic
def set_language(
    *, person: Individual, language: str, actor: Any, channel: str = Channel.WEB
) -> Individual:
    """The language Portico writes to `person` in: one that has templates, or blank for
    the site's."""
    if not access.may_change_contact_details(actor, person):
        raise PermissionDenied("You may change only your own mail settings.")
    language = language.strip()
    if language and language not in templates.languages_with_templates():
        raise ValidationError({"language": [f"We have no messages in “{language}”."]})
    locked = Individual.objects.select_for_update().get(pk=person.pk)
    if locked.language == language:
        return locked
    before, locked.language = locked.language, language
    locked.save(update_fields=["language"])
    person.language = language
    events.record(
        "individual.updated",
        actor=actor,
        channel=channel,
        subject=locked,
        data={"language": {"before": before, "after": language}},
    )
    return locked
