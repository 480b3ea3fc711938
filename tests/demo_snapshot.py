"""The demo data, loaded once per test process instead of once per test.

Most tests start from the demo company: its people (`demo_people`) or its people and
the demo day's transactions (`demo_data`). Loading them took 0.3–2.5 s a test, most of
the suite's time on PostgreSQL. Here each level is loaded once, inside a transaction
that is never committed: the people in an outer atomic block, the transactions in a
savepoint within it. A test's own atomic block (pytest-django's `db`, a savepoint now)
rolls back whatever the test changed, so every test still starts from the same rows.

Tests that must not see the demo (a test of loading it, a count of what it makes
itself) get the levels rolled back first, and so do transactional tests
(`transaction=True`, `live_server`): their rows must be committed for other
connections to see, and Django flushes the database after them. For them `demo_data`
loads the demo as before, for real.

The collection is sorted (`sort_key`) so that each process goes from the deepest
level to none once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction

from portico.demo import services as demo

PASSWORD = "correct horse battery staple"
NONE = 0
# Each level's rows, loaded on top of the level below it, by the fixture that asks for it.
LEVELS: dict[str, int] = {}
_LOADERS: list[Callable[[], object]] = []


def level(fixture: str, load: Callable[[], object]) -> int:
    """A new level above the others: what the `fixture` asks for, loaded by `load`.
    A module whose tests share a large set-up (the query-plan seed) can add its own."""
    _LOADERS.append(load)
    LEVELS[fixture] = len(_LOADERS)
    return LEVELS[fixture]


PEOPLE = level(
    "demo_people", lambda: demo.load(password=PASSWORD, transactions=False, knowledge=False)
)
TRANSACTIONS = level(
    "demo_data", lambda: demo.load(password=PASSWORD, knowledge=False, surveys=False)
)
_TRANSACTIONAL = {"transactional_db", "live_server", "django_db_reset_sequences"}


def database_use(item: pytest.Item) -> tuple[bool, bool]:
    """Whether a test uses the database, and whether transactionally."""
    names = set(getattr(item, "fixturenames", ()))
    marker = item.get_closest_marker("django_db")
    by_marker = marker is not None and bool(
        marker.kwargs.get("transaction") or marker.args[:1] == (True,)
    )
    transactional = by_marker or bool(names & _TRANSACTIONAL)
    return transactional or marker is not None or "db" in names, transactional


def level_wanted(item: pytest.Item) -> int | None:
    """The demo level a test starts from, or None for a test without the database
    (it can start from anything: it cannot read it)."""
    uses_database, transactional = database_use(item)
    if not uses_database:
        return None
    if transactional:
        return NONE
    names = set(getattr(item, "fixturenames", ()))
    return max((level for name, level in LEVELS.items() if name in names), default=NONE)


def sort_key(item: pytest.Item) -> tuple[int, int, bool]:
    """The order a process takes its tests in. Database tests that are not
    transactional come first, deepest level first, so that each process loads each
    level once; transactional tests after them, as Django orders them (a flush leaves
    the database without its migrations' rows); then the tests without the database.
    Tests marked slow start their group, and those without the database start the run,
    so that no long test is left to end the run on one process while the others idle."""
    uses_database, transactional = database_use(item)
    quick = item.get_closest_marker("slow") is None
    if not uses_database:
        return (3 if quick else 0, 0, quick)
    if transactional:
        return (2, 0, quick)
    return (1, -(level_wanted(item) or NONE), quick)


class Snapshot:
    """The levels now open on the default connection, innermost last."""

    def __init__(self) -> None:
        self.blocks: list[Any] = []

    @property
    def level(self) -> int:
        return len(self.blocks)

    def reach(self, level: int) -> None:
        """Load, within the test's own transaction, the levels above the snapshot's up
        to `level`: what a transactional test (which starts from none) asks for."""
        for load in _LOADERS[self.level : level]:
            load()

    def move_to(self, level: int) -> None:
        if level == self.level:
            return
        # A test's own block inside ours would be rolled back with it, and one entered
        # before ours would hold ours: either way the test would not start where it asks.
        if len(connection.atomic_blocks) != self.level:
            raise RuntimeError(
                "a transaction is open before the demo snapshot was set up: ask for the "
                "`db` fixture rather than marking the test with django_db"
            )
        while self.level > level:
            transaction.set_rollback(True)
            self.blocks.pop().__exit__(None, None, None)
        while self.level < level:
            block = transaction.atomic()
            block.__enter__()
            self.blocks.append(block)
            _LOADERS[self.level - 1]()
            # PostgreSQL defers foreign-key checks to the commit, which never comes. Each
            # test's teardown checks them (SET CONSTRAINTS ALL IMMEDIATE) and then rolls
            # back its savepoint, which makes them pending again: 3 s a test for the
            # query-plan seed. Checked here, once, they stay done.
            connection.check_constraints()
