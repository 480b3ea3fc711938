"""Changes the API makes to its own data: personal access tokens. Like every service,
each takes the acting log-in, validates before it writes and records an audit event."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction as db
from django.utils import timezone

from portico import access
from portico.api.models import ApiToken
from portico.audit import services as audit
from portico.events import services as events
from portico.parties.models import User

# A token reads "portico_" and 43 URL-safe characters (32 random bytes); the marker
# lets secret scanners recognise a leaked one.
TOKEN_MARKER = "portico_"  # noqa: S105 - a prefix, not a secret
SECRET_BYTES = 32
PREFIX_LENGTH = 8
MAX_LIFETIME = datetime.timedelta(days=365)
NAME_MAX = 80
# Writing last_used_at on every request would make each read a write; once a minute is
# enough to tell a person which of their tokens is still in use.
LAST_USED_EVERY = datetime.timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once, never stored


@db.atomic
def create_token(*, actor: User, name: str, expires_at: datetime.datetime) -> NewToken:
    """A new token for the actor themself, valid until `expires_at` (at most a year)."""
    if not access.may_log_in(actor) or access.individual_of(actor) is None:
        raise PermissionDenied("Only an active person can have API tokens.")
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = ["Name the token, e.g. after the script that uses it."]
    elif len(name) > NAME_MAX:
        errors["name"] = [f"The name is at most {NAME_MAX} characters."]
    if timezone.is_naive(expires_at):
        errors["expires_at"] = ["Give the expiry time with its time zone."]
    elif expires_at <= now:
        errors["expires_at"] = ["The expiry time must be in the future."]
    elif expires_at > now + MAX_LIFETIME:
        errors["expires_at"] = ["A token lives at most a year; choose an earlier expiry."]
    if errors:
        raise ValidationError(errors)
    secret = TOKEN_MARKER + secrets.token_urlsafe(SECRET_BYTES)
    token = ApiToken.objects.create(
        owner=actor,
        name=name,
        prefix=secret[len(TOKEN_MARKER) : len(TOKEN_MARKER) + PREFIX_LENGTH],
        key_hash=hash_secret(secret),
        created_at=now,
        expires_at=expires_at,
    )
    events.record(
        "api_token.created",
        actor=actor,
        channel=audit.Channel.API,
        subject=token,
        data={"name": name, "prefix": token.prefix, "expires_at": expires_at.isoformat()},
    )
    return NewToken(token=token, secret=secret)


@db.atomic
def revoke_token(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke one of the actor's own tokens; it stops working at once."""
    if token.owner_id != actor.pk:
        raise PermissionDenied("You may revoke only your own tokens.")
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    events.record(
        "api_token.revoked",
        actor=actor,
        channel=audit.Channel.API,
        subject=token,
        data={"name": token.name, "prefix": token.prefix},
    )
    return token


def token_for_secret(secret: str) -> ApiToken | None:
    """The usable token with this secret, or None (unknown, revoked, expired, or its
    person may no longer log in). Looked up by the secret's hash, so no comparison of
    secrets ever happens in Python."""
    if not secret.startswith(TOKEN_MARKER) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("owner__individual__user_group")
        .filter(key_hash=hash_secret(secret))
        .first()
    )
    if token is None or not token.is_usable or not access.may_log_in(token.owner):
        return None
    now = timezone.now()
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


# A retry comes within minutes; a day is ample, and the table stays small.
IDEMPOTENCY_KEY_LIFETIME = datetime.timedelta(hours=24)


def purge_idempotency_keys(*, now: datetime.datetime | None = None) -> int:
    """Forget idempotency keys older than a day (run it daily as a task)."""
    from portico.api.models import IdempotencyKey

    cutoff = (now or timezone.now()) - IDEMPOTENCY_KEY_LIFETIME
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
