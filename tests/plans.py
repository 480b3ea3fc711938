"""Reading PostgreSQL's EXPLAIN (FORMAT JSON) plans in the tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.db.models import QuerySet


def explain(sql: str, params: Any = None, *, analyze: bool = False) -> Any:
    """The plan of `sql` as EXPLAIN (FORMAT JSON) gives it, run too with `analyze`."""
    options = "ANALYZE, FORMAT JSON" if analyze else "FORMAT JSON"
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN ({options}) {sql}", params)
        raw = cursor.fetchone()[0]
    return json.loads(raw) if isinstance(raw, str) else raw


def explain_queryset(queryset: QuerySet[Any], *, analyze: bool = False) -> Any:
    sql, params = queryset.query.sql_with_params()
    return explain(sql, params, analyze=analyze)


def scans_of(plan: Any, table: str) -> Iterator[dict[str, Any]]:
    """Every node of the plan that reads `table` (heap or index scan), at any depth."""
    if isinstance(plan, dict):
        if plan.get("Relation Name") == table:
            yield plan
        for value in plan.values():
            yield from scans_of(value, table)
    elif isinstance(plan, list):
        for item in plan:
            yield from scans_of(item, table)


def index_used(node: dict[str, Any]) -> str | None:
    """The index a scan node reads through: its own, or for a bitmap heap scan its bitmap
    index scan's (the planner picks either for the same query, by the table's statistics)."""
    if "Index Name" in node:
        return str(node["Index Name"])
    for child in node.get("Plans", []):
        if child.get("Node Type") == "Bitmap Index Scan" and "Index Name" in child:
            return str(child["Index Name"])
    return None


@contextmanager
def without_seqscan() -> Iterator[None]:
    """Sequential scans off for plans made inside: with a test's few rows a whole read
    is the planner's cheapest, and this asks whether an index can answer at all."""
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            yield
        finally:
            cursor.execute("RESET enable_seqscan")
