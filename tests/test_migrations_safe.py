"""Zero-downtime upgrades, the static half: every migration leaves a schema the code of
the release before it still works against (expand/contract; the rule is written out in
docs/operations.md, "Upgrade"). An upgrade runs `portico migrate` while the old app
servers still serve, then restarts them one at a time, so for a while old code reads and
writes the new schema.

Each migration's operations are read (MigrationLoader, no database) in the order
`migrate` applies them, against the model state before each operation, and these are
refused unless the Migration class says why they are safe in a `contracts` attribute
("…why the release before no longer uses what this removes…"):

- dropping or renaming what the previous code reads: RemoveField, DeleteModel,
  RenameField, RenameModel, AlterModelTable, AlterField changing `db_column`;
- a column the previous code cannot insert without: AddField NOT NULL without
  `db_default` (a Python `default` lives in the new code only; old code's INSERT names
  no value and fails), AlterField making a column NOT NULL or dropping its `db_default`;
- a type the previous code's values may not fit: AlterField to another column type or a
  shorter `max_length` / fewer digits (a wider type is fine).

And on the tables that grow with the desk's work (BIG_TABLES), where the lock would stop
writes for minutes at scale: an index built without CONCURRENTLY, and a data change in
the same database transaction as a schema change (the schema change's exclusive lock is
held until the data change commits). Those say why they are acceptable in a `locks`
attribute, or use portico.migration_operations.AddIndexConcurrently in a migration with
`atomic = False`.

Migrations written before the rule are named in BEFORE_THE_RULE with what they broke;
they are never edited (conventions: migrations do not change after they land)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import models
from django.db.migrations import Migration, operations
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState

from portico.migration_operations import AddIndexConcurrently

# Tables that grow with use, the ones bench's scale L fills with a million transactions
# and their notes, grants and events: an exclusive lock on them stops the desk's writes.
BIG_TABLES = frozenset(
    {
        ("service", "transaction"),
        ("service", "note"),
        ("service", "attachment"),
        ("service", "grant"),
        ("service", "profilevalue"),
        ("audit", "event"),
        ("notify", "notification"),
        ("notify", "delivery"),
        ("webhooks", "delivery"),
        ("reports", "dayfigure"),
    }
)

# Written before the rule, applied on every database since; what each broke, so that
# nobody copies them.
BEFORE_THE_RULE = {
    ("audit", "0002_event_internal"): "NOT NULL Event.internal; backfill beside it",
    ("audit", "0003_event_dispatch"): "NOT NULL dispatch columns; index; backfill",
    ("audit", "0005_event_rule"): "NOT NULL Event.depth",
    ("audit", "0006_event_occurred"): "index on audit_event",
    ("notify", "0004_delivery_for_customer_mail"): "seven NOT NULL Delivery columns; index",
    ("notify", "0005_notices_for_rules"): "NOT NULL Notification.link",
    ("parties", "0004_usergroup_mfa_required"): "NOT NULL UserGroup.mfa_required",
    ("parties", "0007_individual_language_and_mail_opt_out"): "NOT NULL Individual.language",
    ("parties", "0008_automation_people"): "NOT NULL Individual.time_zone",
    ("reports", "0006_day_backlog"): "drops DayFigure.backlog and backlog_age_seconds",
    ("reports", "0007_schedule_portal_report_and_attachment"): "NOT NULL Schedule.attach",
    ("service", "0003_transaction_customer_updated_index"): "index on service_transaction",
    ("service", "0004_transaction_open_due_index"): "index on service_transaction",
    ("service", "0005_transaction_org_resolved"): "index on service_transaction",
    ("service", "0006_portal_list_indexes"): "indexes on transactions and grants; data",
    ("service", "0007_transaction_last_note_at"): "backfill and four indexes, one transaction",
    ("service", "0009_reopen_period_and_classification_audience"): "two NOT NULL columns",
    ("service", "0010_response_breach_index_leaves_out_closed"): "index on service_transaction",
}

# Column types one may widen to: every value of the old type fits, and the old code's
# values are still written and read the same way.
WIDENINGS = {
    (models.CharField, models.TextField),
    (models.SmallIntegerField, models.IntegerField),
    (models.SmallIntegerField, models.BigIntegerField),
    (models.IntegerField, models.BigIntegerField),
    (models.PositiveSmallIntegerField, models.PositiveIntegerField),
    (models.PositiveIntegerField, models.PositiveBigIntegerField),
}

# Attributes of a field that live in Python only: changing them changes no column.
PYTHON_ONLY = {
    "blank",
    "choices",
    "db_comment",
    "db_index",
    "default",
    "editable",
    "error_messages",
    "help_text",
    "limit_choices_to",
    "on_delete",
    "related_name",
    "related_query_name",
    "validators",
    "verbose_name",
}


@dataclass(frozen=True)
class Breach:
    app: str
    migration: str
    operation: str
    rule: str
    excuse: str  # "contracts" or "locks": the attribute that would let it pass

    def __str__(self) -> str:
        return (
            f"{self.app}.{self.migration}: {self.operation} — {self.rule}. The release "
            f"before serves while it is applied (docs/operations.md, Upgrade); if it is "
            f'safe all the same, say why in `{self.excuse} = "…"` on its Migration class.'
        )


def _plan(loader: MigrationLoader) -> list[tuple[str, str]]:
    """Every migration in the order `migrate` applies them to an empty database."""
    seen: dict[tuple[str, str], None] = {}
    for leaf in sorted(loader.graph.leaf_nodes()):
        for key in loader.graph.forwards_plan(leaf):
            seen.setdefault(key, None)
    return list(seen)


def _field_problem(old: models.Field[object, object], new: models.Field[object, object]) -> str:
    """Why the previous code's reads and writes fail once `old` becomes `new`, or ''."""
    if old.null and not new.null:
        return "makes a column NOT NULL that the previous code may leave empty"
    if old.db_default is not models.NOT_PROVIDED and new.db_default is models.NOT_PROVIDED:
        return "drops a database default that the previous code's inserts rely on"
    if old.db_column != new.db_column:
        return f"renames the column: db_column {old.db_column!r} becomes {new.db_column!r}"
    if type(old) is not type(new) and (type(old), type(new)) not in WIDENINGS:
        return f"changes the column's type from {type(old).__name__} to {type(new).__name__}"
    _, _, _, old_kwargs = old.deconstruct()
    _, _, _, new_kwargs = new.deconstruct()
    for attribute in ("max_length", "max_digits", "decimal_places"):
        before, after = old_kwargs.get(attribute), new_kwargs.get(attribute)
        if before is not None and (after is None or after < before):
            if isinstance(new, models.TextField):
                continue
            return f"narrows {attribute} from {before} to {after}"
    if old_kwargs.get("to") != new_kwargs.get("to"):
        return f"points the foreign key at {new_kwargs.get('to')} instead"
    return ""


def _operation_problems(
    app: str, operation: Operation, state: ProjectState, new: set[tuple[str, str]]
) -> Iterator[tuple[str, str, str]]:
    """(what, rule, excuse) for each way `operation`, applied to `state`, breaks the rule;
    `new` are the tables this migration creates, which the previous code knows nothing of."""
    what = f"{type(operation).__name__} {operation.describe()}"
    model = (app, getattr(operation, "model_name_lower", ""))
    if model in new:
        return
    match operation:
        case operations.RemoveField():
            yield what, "drops a column the previous code reads", "contracts"
        case operations.DeleteModel():
            yield what, "drops a table the previous code reads", "contracts"
        case operations.RenameField() | operations.RenameModel() | operations.AlterModelTable():
            yield what, "renames what the previous code reads by its old name", "contracts"
        case operations.AddField():
            field = operation.field
            if not (
                field.null
                or field.many_to_many
                or field.db_default is not models.NOT_PROVIDED
                or isinstance(field, models.GeneratedField)
            ):
                yield (
                    what,
                    "adds a NOT NULL column without db_default: the previous code's inserts "
                    "give it no value (a Python `default` is not enough)",
                    "contracts",
                )
        case operations.AlterField():
            old = state.models[app, operation.model_name_lower].fields[operation.name]
            problem = _field_problem(old, operation.field)
            if problem:
                yield what, problem, "contracts"
    indexes = isinstance(operation, operations.AddIndex | operations.AddConstraint)
    if model in BIG_TABLES and indexes and not isinstance(operation, AddIndexConcurrently):
        yield (
            what,
            "builds an index on a big table under a lock that stops its writes "
            "(use portico.migration_operations.AddIndexConcurrently, atomic = False)",
            "locks",
        )


def _locks_a_big_table(
    app: str, operation: Operation, state: ProjectState, new: set[tuple[str, str]]
) -> bool:
    """Whether `operation` takes a lock on a big table that its migration's transaction
    holds until it commits (an AlterField of Python-only attributes changes no table)."""
    model = (app, getattr(operation, "model_name_lower", ""))
    if model not in BIG_TABLES or model in new or isinstance(operation, AddIndexConcurrently):
        return False
    if isinstance(operation, operations.AlterField):
        old = state.models[model].fields[operation.name]
        return _column_kwargs(old) != _column_kwargs(operation.field)
    return True


def _column_kwargs(field: models.Field[object, object]) -> tuple[str, dict[str, object]]:
    _, path, _, kwargs = field.deconstruct()
    return path, {k: v for k, v in kwargs.items() if k not in PYTHON_ONLY}


def check(app: str, migration: Migration, state: ProjectState) -> list[Breach]:
    """What in `migration`, applied to `state`, breaks the rule; `state` moves past it."""
    if not migration.__module__.startswith("portico."):
        # A dependency's: its release notes say what an upgrade of it needs.
        for operation in migration.operations:
            operation.state_forwards(app, state)
        return []
    problems: list[tuple[str, str, str]] = []
    new: set[tuple[str, str]] = set()
    locking: list[Operation] = []
    data: list[Operation] = []
    for operation in migration.operations:
        problems += _operation_problems(app, operation, state, new)
        if _locks_a_big_table(app, operation, state, new):
            locking.append(operation)
        if isinstance(operation, operations.RunPython | operations.RunSQL):
            data.append(operation)
        if isinstance(operation, operations.CreateModel):
            new.add((app, operation.name_lower))
        operation.state_forwards(app, state)
    if migration.atomic and locking and data:
        problems.append(
            (
                f"{type(data[0]).__name__} beside {locking[0].describe()}",
                "changes data in the transaction that locked a big table, whose lock is "
                "held until it commits (give the data change a migration of its own)",
                "locks",
            )
        )
    return [
        Breach(app, migration.name, what, rule, excuse)
        for what, rule, excuse in problems
        if not getattr(migration, excuse, "")
    ]


def breaches() -> list[Breach]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    state = ProjectState(real_apps=loader.unmigrated_apps)
    found: list[Breach] = []
    for app, name in _plan(loader):
        found += check(app, loader.graph.nodes[app, name], state)
    return found


def test_every_migration_keeps_the_previous_release_working() -> None:
    found = [b for b in breaches() if (b.app, b.migration) not in BEFORE_THE_RULE]
    assert found == [], "\n".join(str(b) for b in found)


def test_the_list_before_the_rule_is_still_true() -> None:
    """Each exempted migration still exists and still breaks the rule: the list does not
    quietly excuse a migration that is no longer there."""
    broken = {(b.app, b.migration) for b in breaches()}
    assert set(BEFORE_THE_RULE) <= broken


def _next(app: str, *ops: Operation, **attributes: object) -> list[str]:
    """The rules a new migration of `app` holding `ops` breaks, against today's schema."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    migration = type(
        "Migration",
        (Migration,),
        {
            "__module__": f"portico.{app}.migrations.9999_next",
            "operations": list(ops),
            **attributes,
        },
    )("9999_next", app)
    return [b.rule for b in check(app, migration, loader.project_state())]


def test_the_check_refuses_what_breaks_the_previous_code() -> None:
    note_body = operations.RemoveField("note", "body")
    assert _next("service", note_body) == ["drops a column the previous code reads"]
    assert _next("service", note_body, contracts="0012 stopped reading it") == []
    assert _next("service", operations.RenameField("note", "body", "text"))
    assert _next("service", operations.DeleteModel("note"))
    with_default = operations.AddField("note", "pinned", models.BooleanField(default=False))
    assert "without db_default" in _next("service", with_default)[0]
    db_default = models.BooleanField(default=False, db_default=False)
    assert _next("service", operations.AddField("note", "pinned", db_default)) == []
    nullable = models.DateTimeField(null=True)
    assert _next("service", operations.AddField("note", "pinned_at", nullable)) == []
    required = models.DateTimeField(null=False)
    assert _next("service", operations.AlterField("transaction", "last_note_at", required))
    shorter = models.CharField(max_length=5)
    assert (
        "narrows max_length"
        in _next("service", operations.AlterField("note", "channel", shorter))[0]
    )
    wider = models.CharField(max_length=200, choices=[("phone", "Phone")])
    assert _next("service", operations.AlterField("note", "channel", wider)) == []


def test_the_check_refuses_a_locking_index_on_a_big_table() -> None:
    index = models.Index(fields=["closed_at"], name="transaction_closed")
    assert "big table" in _next("service", operations.AddIndex("transaction", index))[0]
    concurrently = AddIndexConcurrently("transaction", index)
    assert _next("service", concurrently, atomic=False) == []
    # A small table's index is built in moments.
    assert (
        _next("service", operations.AddIndex("priority", models.Index(fields=["code"], name="p")))
        == []
    )
