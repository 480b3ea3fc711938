"""Migration operations for upgrades while Portico serves (docs/operations.md, "Upgrade").

Django's own AddIndexConcurrently is PostgreSQL's alone and fails on SQLite; Portico's
migrations run on both, so this one builds the index CONCURRENTLY on PostgreSQL (writes
to the table go on meanwhile) and plainly elsewhere. Its migration needs `atomic = False`:
PostgreSQL refuses CREATE INDEX CONCURRENTLY inside a transaction."""

from __future__ import annotations

from typing import Any

from django.db.migrations.operations import AddIndex


class AddIndexConcurrently(AddIndex):
    atomic = False

    def describe(self) -> str:
        return f"{super().describe()}, concurrently on PostgreSQL"

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor != "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
            return
        if schema_editor.connection.in_atomic_block:
            raise RuntimeError(
                f"{self.describe()}: set atomic = False on its migration; PostgreSQL "
                "builds an index concurrently only outside a transaction."
            )
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.add_index(model, self.index, concurrently=True)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if (
            schema_editor.connection.vendor != "postgresql"
            or schema_editor.connection.in_atomic_block
        ):
            super().database_backwards(app_label, schema_editor, from_state, to_state)
            return
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, concurrently=True)
