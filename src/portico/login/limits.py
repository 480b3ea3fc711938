"""Failed log-ins, counted atomically in the database and shared by every worker.

Each attempt to check a secret first *reserves* its place: one SQL statement adds 1 to
the count for the account and for the address and returns the new counts. An attempt
whose number is past the limit is refused before any password is hashed, so however
many requests arrive at once, at most `limit` of them are evaluated in a window. A
success gives its place back (as allauth's limiter does), so the count is failures
plus attempts still in flight.

The same counts and limits guard every way in: the log-in form (portal, console and the
Systems Admin, which sends people to the same form), anything else that calls Django's
`authenticate()`, and API tokens. Limits are read from PORTICO_LOGIN_FAILED_LIMIT in
allauth's notation, e.g. "20/m/ip,5/5m/key": per address, and per account (the e-mail
address as typed, lower-cased; for API tokens, the token's prefix).
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.http import HttpRequest

from portico.audit.services import client_address
from portico.login.models import AttemptCount

ACCOUNT = "key"
ADDRESS = "ip"
# Set on the request when an attempt was refused by a limit, so the form can say so and
# the audit trail can tell a refusal from a wrong password.
REFUSED_FLAG = "_portico_login_refused"

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*/\s*(ip|key)\s*$")


@dataclass(frozen=True)
class Limit:
    attempts: int
    seconds: int


def parse_limits(text: str) -> dict[str, Limit]:
    """ "20/m/ip,5/5m/key" -> {"ip": Limit(20, 60), "key": Limit(5, 300)}."""
    limits: dict[str, Limit] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        match = _RATE.match(part)
        if match is None:
            raise ValueError(f"Not a log-in limit: {part!r} (write e.g. 5/5m/key or 20/m/ip)")
        attempts, amount, unit, scope = match.groups()
        limits[scope] = Limit(int(attempts), int(amount or 1) * _UNITS[unit])
    return limits


def configured() -> dict[str, Limit]:
    return parse_limits(str(settings.PORTICO_LOGIN_FAILED_LIMIT))


def _key(scope: str, identifier: str) -> str:
    return hashlib.sha256(f"{scope}:{identifier}".encode()).hexdigest()


def reserve(*, scope: str, identifier: str, limit: Limit) -> int:
    """Count one more attempt in this window and return its number (1 for the first).
    One statement, so the database serialises concurrent callers on the row."""
    quote = connection.ops.quote_name
    table, key, count, ends = (
        quote(AttemptCount._meta.db_table), quote("key"), quote("count"), quote("window_ends")
    )  # fmt: skip
    now = int(time.time())
    # Works on SQLite (3.35+) and PostgreSQL: the upsert locks the row, and RETURNING
    # gives this caller the count its own increment produced.
    sql = (
        f"INSERT INTO {table} ({key}, {count}, {ends}) VALUES (%s, 1, %s) "  # noqa: S608
        f"ON CONFLICT ({key}) DO UPDATE SET "
        f"{count} = CASE WHEN {table}.{ends} <= %s THEN 1 ELSE {table}.{count} + 1 END, "
        f"{ends} = CASE WHEN {table}.{ends} <= %s THEN excluded.{ends} ELSE {table}.{ends} END "
        f"RETURNING {count}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [_key(scope, identifier), now + limit.seconds, now, now])
        row = cursor.fetchone()
    return int(row[0])


def give_back(*, scope: str, identifier: str) -> None:
    """Undo one reservation (the attempt succeeded)."""
    from django.db.models import F

    AttemptCount.objects.filter(key=_key(scope, identifier), count__gt=0).update(
        count=F("count") - 1
    )


def used(*, scope: str, identifier: str) -> int:
    """Attempts counted in the current window (0 when none or the window has passed)."""
    row = (
        AttemptCount.objects.filter(key=_key(scope, identifier), window_ends__gt=int(time.time()))
        .values_list("count", flat=True)
        .first()
    )
    return int(row or 0)


def _identifiers(request: HttpRequest | None, account: str) -> dict[str, str]:
    found = {ACCOUNT: account}
    if address := client_address(request):
        found[ADDRESS] = address
    return found


def begin(*, request: HttpRequest | None, account: str) -> bool:
    """Reserve an attempt for this account (and the caller's address). False when either
    is past its limit: then the secret must not be checked at all."""
    allowed = True
    for scope, identifier in _identifiers(request, account).items():
        limit = configured().get(scope)
        if limit is not None and reserve(scope=scope, identifier=identifier, limit=limit) > (
            limit.attempts
        ):
            allowed = False
    if not allowed and request is not None:
        setattr(request, REFUSED_FLAG, True)
    return allowed


def succeeded(*, request: HttpRequest | None, account: str) -> None:
    for scope, identifier in _identifiers(request, account).items():
        if scope in configured():
            give_back(scope=scope, identifier=identifier)


def failed(*, request: HttpRequest | None, account: str) -> bool:
    """Count a failure after the fact (API tokens: a right token is never refused, since
    it cannot be guessed, so nothing is reserved before checking one). True while still
    within the limits."""
    return begin(request=request, account=account)


def was_refused(request: HttpRequest | None) -> bool:
    return bool(getattr(request, REFUSED_FLAG, False))


def clear(*, account: str) -> None:
    """Forget an account's failures (its password was just reset by e-mail)."""
    AttemptCount.objects.filter(key=_key(ACCOUNT, account)).delete()
