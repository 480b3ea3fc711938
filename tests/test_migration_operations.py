"""portico.migration_operations.AddIndexConcurrently on the database in hand: on
PostgreSQL CREATE INDEX CONCURRENTLY (outside a transaction, as its migration has
`atomic = False`), on SQLite a plain index; undone the same way."""

from __future__ import annotations

import pytest
from django.db import connection, models
from django.db.migrations.loader import MigrationLoader

from portico.migration_operations import AddIndexConcurrently


def _indexes() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, "service_note"))


@pytest.mark.django_db(transaction=True)
def test_an_index_is_built_and_dropped_outside_a_transaction() -> None:
    operation = AddIndexConcurrently(
        "note", models.Index(fields=["visibility", "created_at"], name="note_test_concurrent")
    )
    before = MigrationLoader(connection).project_state()
    after = before.clone()
    operation.state_forwards("service", after)
    with connection.schema_editor(atomic=False) as editor:
        operation.database_forwards("service", editor, before, after)
    assert "note_test_concurrent" in _indexes()
    with connection.schema_editor(atomic=False) as editor:
        operation.database_backwards("service", editor, after, before)
    assert "note_test_concurrent" not in _indexes()


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_postgresql_is_told_to_set_atomic_false() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite builds the index plainly, in a transaction or not")
    operation = AddIndexConcurrently("note", models.Index(fields=["body"], name="note_test_body"))
    before = MigrationLoader(connection).project_state()
    after = before.clone()
    operation.state_forwards("service", after)
    with pytest.raises(RuntimeError, match="atomic = False"), connection.schema_editor() as editor:
        operation.database_forwards("service", editor, before, after)
