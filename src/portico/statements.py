"""The hot pages' queries, their SQL written once per process.

Django writes a query's SQL anew each time it runs: the compiler walks the models, the
joins of `select_related` and every selected column. On the pages everybody opens all
day that costs about half a millisecond a query, several times what SQLite or
PostgreSQL take to answer it (docs/performance.md, entry 10). A `Statement` builds its
queryset once per database alias with a marker for each argument, keeps the SQL and the
compiler's column map, and afterwards only puts the arguments in; the rows become model
instances through Django's own iterable, so `select_related`, converters and
`prefetch_related` behave as they do for any queryset.

The rule that keeps this safe: the query's shape may not depend on its arguments. An
argument is an `int` or a `str` compared as it is (`=`, `>`, `<`); a lookup that
rewrites its value (`contains`, `in`, `iexact`) or an argument that may be None cannot
be one, and the first compile refuses a statement whose markers do not come back
unchanged in the SQL's parameters.
"""

from __future__ import annotations

import copy
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.models import Model, QuerySet
from django.db.models.sql.query import Query

# Markers no real argument takes: a count beyond any id, and text no one types.
_numbers = itertools.count(8_000_000_000_000_000_001, 2)


def _marker(kind: type) -> int | str:
    number = next(_numbers)
    if kind is int:
        return number
    if kind is str:
        return f"\x00portico-argument-{number}\x00"
    raise TypeError(f"a statement's argument is an int or a str, not {kind.__name__}")


@dataclass(frozen=True, slots=True)
class _Compiled:
    """A statement as written for one database alias: the queryset it was built from,
    its compiler's state (select, klass_info, col_count), the SQL, its parameters with
    the argument markers in place and where each argument goes, and the converters."""

    queryset: QuerySet[Any]
    compiler: Any
    sql: str
    params: list[Any]
    slots: list[tuple[int, str, Callable[[Any], Any] | None]]
    converters: Any


class _WrittenQuery(Query):
    """A copy of the statement's query whose compiler answers with the SQL already
    written and this call's parameters. It only ever reaches a model or values
    iterable: `Statement` hands out rows, never the queryset."""

    written: tuple[_Compiled, tuple[Any, ...]]

    def get_compiler(
        self, using: str | None = None, connection: Any = None, elide_empty: bool = True
    ) -> Any:
        compiled, params = self.written
        compiler = copy.copy(compiled.compiler)
        compiler.connection = (
            connection if connection is not None else connections[using or DEFAULT_DB_ALIAS]
        )
        compiler.using = using
        compiler.query = self
        sql = compiled.sql
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        converters = compiled.converters
        compiler.get_converters = lambda expressions: converters
        return compiler


class Statement[M: Model]:
    """`build(**arguments)` returns the queryset; `kinds` names each argument's type.

    `rows(**arguments)` is the list the queryset would give; `one(**arguments)` the
    single row or None (the queryset should be narrowed to one row by a unique key)."""

    def __init__(self, build: Callable[..., QuerySet[M]], **kinds: type) -> None:
        self._build = build
        self._kinds = kinds
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()
        self._model: type[M] | None = None

    def _compile(self, alias: str) -> _Compiled:
        markers = {name: _marker(kind) for name, kind in self._kinds.items()}
        queryset = self._build(**markers).using(alias)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        params = list(params)
        slots: list[tuple[int, str, Callable[[Any], Any] | None]] = []
        for index, value in enumerate(params):
            for name, marker in markers.items():
                if isinstance(value, type(marker)) and value == marker:
                    # PostgreSQL's backend wraps some values (a bigint's Int8): the
                    # argument gets the same wrapper.
                    wrap = None if type(value) is type(marker) else type(value)
                    slots.append((index, name, wrap))
                    break
            else:
                # A marker rewritten by its lookup ("%marker%") would run as it is.
                if any(str(marker) in str(value) for marker in markers.values()):
                    raise ValueError(
                        f"the statement's SQL does not carry {value!r} as given: only =, <, "
                        "> lookups on an int or a str can be arguments"
                    )
        missing = set(markers) - {name for _, name, _ in slots}
        if missing:
            raise ValueError(
                f"the statement's SQL does not carry {sorted(missing)} as given: "
                "only =, <, > lookups on an int or a str can be arguments"
            )
        # Every thread's compiler starts from this one's state (select, klass_info,
        # col_count); the connection is swapped for the caller's on each use. Which
        # columns need converting (dates, booleans, JSON on SQLite) is the same each
        # time: asked once, not for each of a page's few hundred columns.
        converters = compiler.get_converters(
            [column[0] for column in compiler.select[: compiler.col_count]]
        )
        return _Compiled(queryset, compiler, sql, params, slots, converters)

    def _queryset(self, arguments: dict[str, Any]) -> QuerySet[M]:
        if arguments.keys() != self._kinds.keys():
            raise TypeError(f"the statement takes {sorted(self._kinds)}")
        for name, kind in self._kinds.items():
            if type(arguments[name]) is not kind:
                raise TypeError(f"{name} must be {kind.__name__}, not {arguments[name]!r}")
        if self._model is None:
            markers = {name: _marker(kind) for name, kind in self._kinds.items()}
            self._model = self._build(**markers).model
        # The alias a queryset of the model would read from now (the replica's scope
        # routes reads; see portico.operations.replica).
        alias = router.db_for_read(self._model)
        compiled = self._compiled.get(alias)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(alias)
                if compiled is None:
                    compiled = self._compiled[alias] = self._compile(alias)
        params = list(compiled.params)
        for index, name, wrap in compiled.slots:
            value = arguments[name]
            params[index] = value if wrap is None else wrap(value)
        queryset: QuerySet[M] = compiled.queryset._clone()  # type: ignore[attr-defined]
        query = queryset.query
        query.__class__ = _WrittenQuery
        query.written = (compiled, tuple(params))  # type: ignore[attr-defined]
        return queryset

    def rows(self, **arguments: Any) -> list[M]:
        return list(self._queryset(arguments))

    def one(self, **arguments: Any) -> M | None:
        rows = self.rows(**arguments)
        if len(rows) > 1:
            raise type(rows[0]).MultipleObjectsReturned(  # type: ignore[attr-defined]
                f"a statement meant to find one {type(rows[0]).__name__} found {len(rows)}"
            )
        return rows[0] if rows else None
