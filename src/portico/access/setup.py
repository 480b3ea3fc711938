"""The set-up pages read on every request, kept per process for a few seconds.

A page asks which zones the person's user group opens and what rights it has on each
application, where the transaction's status may go next, the statuses, priorities and
permissions its lists and forms offer, which permissions put a transaction on a task
list (`portico.service.selectors`), the SLA calendar, a new transaction's profile
fields, initial status and default grants, the knowledge search's synonyms, the feedback
forms each group is asked (the portals' navigation): a query each on every request,
about rows an administrator changes a few times a year. Each process keeps what it read
for PORTICO_SETUP_CACHE_SECONDS (10), by user group, status or application. A change
saved through Django (the admin, `prepare`, a test) empties this process's copy at once,
and a read that overlapped the change does not keep what it read. What is kept is set-up
only: whether a person is active, their group and organisation, every grant and every
answer are read on each request as before.

Other processes hear of a change through the set-up version when the cache is Redis
(REDIS_URL): the change, once committed, writes a new random token there, and every
process reads the token once per request (at its first look at set-up; outside a request
at most once a second) and empties its copy when the token moved: one Redis GET, 0.2–0.3
ms on loopback (a busy 2-core machine; hiredis made no difference). A token that vanished
(Redis restarted empty) counts as moved. While Redis does not answer, and without Redis,
other processes see a change when their copy runs out, within PORTICO_SETUP_CACHE_SECONDS:
the database cache would make the same look a query on every request (0.2 ms on SQLite,
0.5–0.8 ms on PostgreSQL, measured alike) against the database the copy is there to
spare, for changes made a few times a year, so it is not asked.

Callers get their own copies of kept rows (`fresh`), so nothing a request does to a row
(a prefetched relation, an attribute) reaches another request.
"""

from __future__ import annotations

import copy
import secrets
import threading
import time
from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.signals import request_started
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

from portico.operations.cache import SharedRedisCache

_lock = threading.Lock()
_kept: dict[tuple[str, Hashable], tuple[float, Any]] = {}
_changes = 0  # how many times a change emptied the copy: a read that spans one is not kept
_also: list[Callable[[], None]] = []  # other per-process copies that a change empties

VERSION_KEY = "setup-version"
_seen: str | None = None  # the shared token this process's copy agrees with
_owed = False  # a change made here while Redis was away, to announce when it answers
# When this request (or, outside requests, this context) last read the token.
_checked_at: ContextVar[float | None] = ContextVar("portico_setup_checked_at", default=None)
_OUTSIDE_A_REQUEST = 1.0


def remembered[T](kind: str, key: Hashable, read: Callable[[], T]) -> T:
    """What `read` returns for (kind, key), from this process's copy while it lasts."""
    check()
    seconds = settings.PORTICO_SETUP_CACHE_SECONDS
    now = time.monotonic()
    entry = _kept.get((kind, key))
    if entry is not None and entry[0] > now:
        value: T = entry[1]
        return value
    changes = _changes
    value = read()
    if seconds > 0:
        with _lock:
            if changes == _changes:
                _kept[(kind, key)] = (now + seconds, value)
    return value


def fresh[M: Model](row: M) -> M:
    """A request's own copy of a kept row (and of the rows it holds, one level down)."""
    mine = copy.copy(row)
    cache = mine._state.fields_cache
    for name, related in cache.items():
        if isinstance(related, Model):
            cache[name] = copy.copy(related)
    return mine


def forget(**_: Any) -> None:
    """Empty this process's copy."""
    global _changes
    with _lock:
        _changes += 1
        _kept.clear()
    for also in _also:
        also()


def also_forget(empty: Callable[[], None]) -> None:
    """Have `empty` called whenever this process's copy is emptied (another module's
    own per-process copy of rows that `changed` is connected to)."""
    _also.append(empty)


def changed(*, using: str = "default", **_: Any) -> None:
    """A set-up row was saved or deleted: forget it here now, and once the change is
    committed, tell the other processes."""
    forget()
    if _shared() is not None:
        transaction.on_commit(_announce, using=using)


def check() -> None:
    """Forget this process's copy if another process changed set-up since this process
    last looked: once per request, and at most once a second outside one."""
    now = time.monotonic()
    checked_at = _checked_at.get()
    if checked_at is not None and now - checked_at < _OUTSIDE_A_REQUEST:
        return
    _checked_at.set(now)
    backend = _shared()
    if backend is not None:
        _agree(backend)


def _shared() -> SharedRedisCache | None:
    backend = caches["default"]
    return backend if isinstance(backend, SharedRedisCache) else None


def _announce() -> None:
    global _owed
    backend = _shared()
    if backend is not None:
        backend.set(VERSION_KEY, secrets.token_hex(8), timeout=None)
        _owed = backend.away()


def _agree(backend: SharedRedisCache) -> None:
    global _seen
    if _owed:
        _announce()
    token = backend.get(VERSION_KEY)
    if token is None and not backend.away():  # never written, or Redis restarted empty
        backend.add(VERSION_KEY, secrets.token_hex(8), timeout=None)
        token = backend.get(VERSION_KEY)
    if token is None or token == _seen:  # Redis away: the copy lasts its seconds
        return
    _seen = token
    forget()


def _new_request(**_: Any) -> None:
    _checked_at.set(None)


def rows[M: Model](kind: str, key: Hashable, read: Callable[[], list[M]]) -> list[M]:
    """`remembered` for a list of rows, each a copy of the request's own."""
    return [fresh(row) for row in remembered(kind, key, read)]


def connect() -> None:
    """Forget, here and everywhere, on every save and delete of the rows kept here, and
    look at the set-up version afresh on each request (called once, at start)."""
    from portico.knowledge.models import Synonym
    from portico.parties.models import UserGroup, Zone
    from portico.service import models as service
    from portico.surveys.models import Form, SatisfactionSetting

    kept: tuple[type[Model], ...] = (
        UserGroup,
        Zone,
        service.Application,
        service.ApplicationRight,
        service.Permission,
        service.Priority,
        service.Status,
        # A new transaction's set-up, the SLA calendar, the knowledge search's synonyms.
        service.BusinessCalendar,
        service.Closure,
        service.ProfileField,
        service.Classification,
        service.Choice,
        service.DefaultGrant,
        Synonym,
        SatisfactionSetting,
        # Which feedback forms each group is asked (the portals' navigation).
        Form,
    )
    for model in kept:
        post_save.connect(changed, sender=model, dispatch_uid=f"setup-forget-{model.__name__}")
        post_delete.connect(changed, sender=model, dispatch_uid=f"setup-del-{model.__name__}")
    for through in (
        UserGroup.zones.through,
        service.Status.next_statuses.through,
        Form.audience.through,
    ):
        m2m_changed.connect(changed, sender=through, dispatch_uid=f"setup-m2m-{through.__name__}")
    request_started.connect(_new_request, dispatch_uid="setup-new-request")
