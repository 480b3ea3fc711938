"""The set-up pages read on every request, kept per process for a few seconds.

A page asks which zones the person's user group opens and what rights it has on each
application, where the transaction's status may go next, the statuses, priorities and
permissions its lists and forms offer, which permissions put a transaction on a task
list (`portico.service.selectors`), the SLA calendar, a new transaction's profile
fields, initial status and default grants, the knowledge search's synonyms: a query each
on every request, about rows an administrator changes a few times a year. Each process
keeps what it read for PORTICO_SETUP_CACHE_SECONDS (10), by user group, status or
application. A change saved through Django (the admin, `prepare`, a test) empties this
process's copy at once, and a read that overlapped the change does not keep what it
read; other processes see it when their copy runs out, within those seconds. What is
kept is set-up only: whether a person is active, their group and organisation, and
every grant are read on each request as before.

Callers get their own copies of kept rows (`fresh`), so nothing a request does to a row
(a prefetched relation, an attribute) reaches another request.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from django.conf import settings
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

_lock = threading.Lock()
_kept: dict[tuple[str, Hashable], tuple[float, Any]] = {}
_changes = 0  # how many times a change emptied the copy: a read that spans one is not kept


def remembered[T](kind: str, key: Hashable, read: Callable[[], T]) -> T:
    """What `read` returns for (kind, key), from this process's copy while it lasts."""
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
    """Empty this process's copy (a set-up row was saved or deleted)."""
    global _changes
    with _lock:
        _changes += 1
        _kept.clear()


def rows[M: Model](kind: str, key: Hashable, read: Callable[[], list[M]]) -> list[M]:
    """`remembered` for a list of rows, each a copy of the request's own."""
    return [fresh(row) for row in remembered(kind, key, read)]


def connect() -> None:
    """Forget on every save and delete of the rows kept here (called once, at start)."""
    from portico.knowledge.models import Synonym
    from portico.parties.models import UserGroup, Zone
    from portico.service import models as service
    from portico.surveys.models import SatisfactionSetting

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
    )
    for model in kept:
        post_save.connect(forget, sender=model, dispatch_uid=f"setup-forget-{model.__name__}")
        post_delete.connect(forget, sender=model, dispatch_uid=f"setup-del-{model.__name__}")
    for through in (UserGroup.zones.through, service.Status.next_statuses.through):
        m2m_changed.connect(forget, sender=through, dispatch_uid=f"setup-m2m-{through.__name__}")
