"""What a request's queries read, from the SQL Django captured."""

from __future__ import annotations

from django.test.utils import CaptureQueriesContext


def tables_read(captured: CaptureQueriesContext) -> list[str]:
    """The table each query reads first (after FROM, quoted as Django writes it), in
    order; "" for a statement without FROM, such as a savepoint."""
    return [q["sql"].partition(" FROM ")[2].split(" ", 1)[0] for q in captured.captured_queries]
