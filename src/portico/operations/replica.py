"""Reads from a read-only PostgreSQL replica (DATABASE_REPLICA_URL), inside an explicit scope.

The reports add up months of roll-ups: the heaviest reads Portico makes, and ones that need
not be the latest second's, since the worker rebuilds the roll-ups every five minutes and a
streaming replica is normally a second behind. So reads go to the replica only inside
`on_replica()`, which the report pages, their exports and the scheduled report e-mails
enter around the calls that read their figures; every other read, and every write, goes to
the primary. A page that writes and then reads must read its own write, which a replica
may not have replayed yet.

Who is asking, and what they may see, is read from the primary even on a report page: the
session, the person and access's answers (`access.report_teams`) are taken before the scope
opens. A replica that lags would otherwise keep a log-out, a removed right or a deactivated
person alive for as long as it lags.

The router lives here, not in reports/, because nothing in it is about reports: any page
with heavy, slightly stale reads may enter the scope.

A replica that cannot be reached costs the reports nothing but speed: the scope's reads go
to the primary, with a warning, and the replica is tried again after RETRY_SECONDS.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Model

REPLICA = "replica"
# How long a process reads the primary after failing to reach the replica before trying it
# again: a replica that is down must not cost every report query a connection attempt.
RETRY_SECONDS = 30.0

logger = logging.getLogger(__name__)
_scope: ContextVar[bool] = ContextVar("portico_replica_scope", default=False)
_down_until = 0.0
_lock = threading.Lock()


def configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def on_replica() -> Iterator[None]:
    """Reads inside go to the replica, if one is configured and answers."""
    token = _scope.set(True)
    try:
        yield
    except DatabaseError:
        # The replica went away mid-page: this page fails, the next ones read the primary.
        if configured() and connections[REPLICA].errors_occurred:
            _mark_down("it failed during a query")
            connections[REPLICA].close()
        raise
    finally:
        _scope.reset(token)


def in_scope() -> bool:
    return _scope.get()


def _mark_down(why: str) -> None:
    global _down_until
    with _lock:
        already = time.monotonic() < _down_until
        _down_until = time.monotonic() + RETRY_SECONDS
    if not already:
        logger.warning(
            "The read-only replica is unreachable (%s): reports read the primary for %d s.",
            why,
            RETRY_SECONDS,
        )


def _usable() -> bool:
    if not configured() or time.monotonic() < _down_until:
        return False
    connection = connections[REPLICA]
    try:
        # At most once per request (CONN_HEALTH_CHECKS): a kept connection that the replica's
        # restart cut is replaced before a query fails on it.
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except DatabaseError as error:
        _mark_down((str(error).strip() or type(error).__name__).splitlines()[0])
        return False
    return True


class ReplicaRouter:
    """DATABASE_ROUTERS entry, set only when DATABASE_REPLICA_URL is."""

    def db_for_read(self, model: type[Model], **hints: object) -> str:
        if _scope.get() and _usable():
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints: object) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: object) -> bool:
        # Both hold the same rows: an object read on the replica may point at one from the
        # primary.
        return True

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: object
    ) -> bool:
        # The standby replays the primary's schema changes; it takes none of its own.
        return db == DEFAULT_DB_ALIAS
