"""Idempotency keys for creates: a client that is not sure its POST arrived sends it
again with the same `Idempotency-Key` and gets the first answer back, and nothing is
made twice.

The key row is inserted first, in the same database transaction as what the request
creates. The (owner, key) unique constraint makes a concurrent retry wait on that
insert until the first request commits (PostgreSQL) or queue behind its write lock
(SQLite), then fail it and replay the committed answer. If the first request fails,
its key row goes with it and a retry runs afresh."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError
from django.db import transaction as db
from rest_framework.request import Request
from rest_framework.response import Response

from portico.api.exceptions import IdempotencyKeyInvalid, IdempotencyKeyReused
from portico.api.models import IdempotencyKey
from portico.parties.models import User

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
_KEY = re.compile(r"[\x21-\x7e]{1,200}")


def _fingerprint(request: Request) -> str:
    payload = {"method": request.method, "path": request.path, "data": request.data}
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(existing: IdempotencyKey, fingerprint: str) -> Response:
    if existing.fingerprint != fingerprint:
        raise IdempotencyKeyReused
    return Response(
        existing.response, status=existing.status_code, headers={REPLAYED_HEADER: "true"}
    )


def respond(
    request: Request, owner: User, create: Callable[[], tuple[int, dict[str, Any]]]
) -> Response:
    """Run `create` (which returns the status and body of its answer) at most once per
    (owner, Idempotency-Key)."""
    key = request.headers.get(HEADER)
    if key is None:
        code, body = create()
        return Response(body, status=code)
    if not _KEY.fullmatch(key):
        raise IdempotencyKeyInvalid
    fingerprint = _fingerprint(request)
    with db.atomic():
        try:
            with db.atomic():
                record = IdempotencyKey.objects.create(
                    owner=owner, key=key, fingerprint=fingerprint
                )
        except IntegrityError:
            record = None
        if record is None:
            return _replay(IdempotencyKey.objects.get(owner=owner, key=key), fingerprint)
        code, body = create()
        record.status_code = code
        record.response = body
        record.save(update_fields=["status_code", "response"])
    return Response(body, status=code)
