"""Reading PostgreSQL's EXPLAIN (FORMAT JSON) plans in the tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


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
