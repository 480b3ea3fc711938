"""Changes to parties. Views, the admin and commands call these; none writes rows itself."""

import re
import unicodedata
import zoneinfo
from functools import cache
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from portico import access
from portico.audit import services as audit
from portico.events import services as events
from portico.login.services import end_sessions
from portico.parties.models import Individual, Organization


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
    events.record(
        audit.Action.DEACTIVATED,
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
    events.record(audit.Action.REACTIVATED, actor=actor, channel=channel, subject=individual)
    return individual


# --- contact details ----------------------------------------------------------------------
# Seed 003: "if you are allowing customers to update their profile information ... the
# same mandatory fields and data formatting rules must apply". These are those rules, for
# the portals, the console and any import alike.

NAME_MAX = 80
JOB_TITLE_MAX = 120
PHONE_MAX = 40
PHONE_DIGITS = (6, 20)
_PHONE_CHARACTERS = re.compile(r"\+?[0-9 ()\-]+")
CONTACT_FIELDS = ("first_name", "last_name", "job_title", "phone", "mobile")


def _tidy(value: str | None) -> str:
    return " ".join((value or "").split())


def _has_control_characters(value: str) -> bool:
    return any(unicodedata.category(ch) in {"Cc", "Cf", "Cs"} for ch in value)


def _name_errors(label: str, value: str) -> list[str]:
    if not value:
        return [f"The {label} is required."]
    if len(value) > NAME_MAX:
        return [f"The {label} is at most {NAME_MAX} characters."]
    if _has_control_characters(value):
        return [f"The {label} has characters that cannot be shown."]
    return []


def _phone_errors(label: str, value: str) -> list[str]:
    if not value:
        return []
    if len(value) > PHONE_MAX:
        return [f"The {label} number is at most {PHONE_MAX} characters."]
    if not _PHONE_CHARACTERS.fullmatch(value):
        return [
            f"The {label} number may hold only digits, spaces, brackets, hyphens and a "
            "leading +, e.g. +44 141 496 0100."
        ]
    digits = sum(ch.isdigit() for ch in value)
    low, high = PHONE_DIGITS
    if not low <= digits <= high:
        return [f"The {label} number needs {low} to {high} digits; it has {digits}."]
    return []


def clean_contact_details(
    *, first_name: str, last_name: str, job_title: str, phone: str, mobile: str
) -> dict[str, str]:
    """The contact details as they are stored (spaces tidied), or a ValidationError
    naming each field that breaks a rule. The one judge of these fields: the
    service below and the admin's person form (parties.admin) both call it."""
    after = {
        "first_name": _tidy(first_name),
        "last_name": _tidy(last_name),
        "job_title": _tidy(job_title),
        "phone": _tidy(phone),
        "mobile": _tidy(mobile),
    }
    errors: dict[str, list[str]] = {}
    for field, label in (("first_name", "first name"), ("last_name", "last name")):
        if messages := _name_errors(label, after[field]):
            errors[field] = messages
    if len(after["job_title"]) > JOB_TITLE_MAX:
        errors["job_title"] = [f"The job title is at most {JOB_TITLE_MAX} characters."]
    elif _has_control_characters(after["job_title"]):
        errors["job_title"] = ["The job title has characters that cannot be shown."]
    for field, label in (("phone", "phone"), ("mobile", "mobile")):
        if messages := _phone_errors(label, after[field]):
            errors[field] = messages
    if errors:
        raise ValidationError(errors)
    return after


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def clean_time_zone(value: str) -> str:
    """A person's time zone as stored: an IANA name ("Europe/London"), or blank for
    the site's. Greetings go out on their day by it (issue 22)."""
    value = value.strip()
    if value and value not in _time_zones():
        raise ValidationError(
            {"time_zone": ["Give a time zone by its name, e.g. Europe/London, or leave it blank."]}
        )
    return value


def clean_organization_people(
    *, kind: str, supervisor: Individual | None, account_owner: Individual | None
) -> None:
    """Who an organisation's automation rules speak of (issue 22): a team's supervisor,
    an outside organisation's account owner, each a member of staff."""
    errors: dict[str, list[str]] = {}
    if supervisor is not None:
        if kind != Organization.Kind.TEAM:
            errors["supervisor"] = ["Only a team has a supervisor."]
        elif not access.is_staff_member(supervisor):
            errors["supervisor"] = ["The supervisor is a member of staff."]
    if account_owner is not None:
        if kind in (Organization.Kind.OWN, Organization.Kind.TEAM):
            errors["account_owner"] = ["Only an outside organisation has an account owner."]
        elif not access.is_staff_member(account_owner):
            errors["account_owner"] = ["The account owner is a member of staff."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def update_contact_details(
    *,
    actor: Any,
    individual: Individual,
    first_name: str,
    last_name: str,
    job_title: str,
    phone: str,
    mobile: str,
    channel: str = audit.Channel.WEB,
) -> Individual:
    """Change a person's name, job title and phone numbers. A person may change their
    own; the staff may change anyone's. E-mail, organisation and user group are not
    contact details: they decide access and change elsewhere."""
    if not access.may_change_contact_details(actor, individual):
        raise PermissionDenied("You may change only your own contact details.")
    after = clean_contact_details(
        first_name=first_name, last_name=last_name, job_title=job_title, phone=phone, mobile=mobile
    )
    locked = Individual.objects.select_for_update().get(pk=individual.pk)
    changes = {
        field: {"before": getattr(locked, field), "after": after[field]}
        for field in CONTACT_FIELDS
        if getattr(locked, field) != after[field]
    }
    if not changes:
        return locked
    for field in changes:
        setattr(locked, field, after[field])
        setattr(individual, field, after[field])
    locked.save(update_fields=list(changes))
    events.record(
        "individual.updated",
        actor=actor,
        channel=channel,
        subject=locked,
        data=changes,
    )
    return locked
