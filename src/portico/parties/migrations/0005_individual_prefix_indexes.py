"""Indexes for the console's one-box find (console.views.phone): an individual's first
name, last name and e-mail by lowercase prefix.

PostgreSQL only. A LIKE 'abc%' test can use a b-tree index only through the pattern
operator class unless the database collates as C, and Django's Index cannot give an
expression an operator class portably; SQLite's LIKE does not use such indexes."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

INDEXES = {
    "individual_first_prefix": "first_name",
    "individual_last_prefix": "last_name",
    "individual_email_prefix": "email",
}


def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} "
            f"ON parties_individual (lower({column}) text_pattern_ops)"
        )


def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("parties", "0004_usergroup_mfa_required"),
    ]

    operations = [migrations.RunPython(create, drop)]
