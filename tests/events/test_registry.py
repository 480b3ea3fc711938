"""The registry is the one list of event names (issue 20): every name the code records is
in it, every name in it says what it means, and what the demo's day records keeps to the
payload keys each name declares (webhook receivers and the feed rely on that shape)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from portico.audit.models import Action, Event
from portico.events import registry

SRC = Path(__file__).resolve().parents[2] / "src" / "portico"
NAME = re.compile(r"^[a-z_]+\.[a-z_]+$")
KEY = re.compile(r"^[a-z_][a-z0-9_]*$")
# The functions that record an event, and the argument that names it.
RECORDERS = {"record": "action", "record_login_attempt": "action"}


class _Unreadable(Exception):
    pass


def _module_dicts(tree: ast.Module) -> dict[str, ast.Dict]:
    found = {}
    for node in tree.body:
        target = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        if isinstance(target, ast.Name) and isinstance(value, ast.Dict):
            found[target.id] = value
    return found


def _names_of(
    expr: ast.expr, function: ast.FunctionDef | None, dicts: dict[str, ast.Dict]
) -> Iterator[str]:
    """The event names an expression can take, read from the source: a literal, each
    branch of a conditional, a member of audit's `Action`, a module-level table of
    names, or a local variable set from one of those. A parameter of the enclosing
    function passes its caller's name through (the callers are read too)."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        yield expr.value
    elif isinstance(expr, ast.IfExp):
        yield from _names_of(expr.body, function, dicts)
        yield from _names_of(expr.orelse, function, dicts)
    elif isinstance(expr, ast.BoolOp):
        for value in expr.values:
            yield from _names_of(value, function, dicts)
    elif isinstance(expr, ast.Attribute) and expr.attr in Action.__members__:
        yield Action[expr.attr].value
    elif isinstance(expr, ast.Subscript) and isinstance(expr.value, ast.Name):
        table = dicts.get(expr.value.id)
        if table is None:
            raise _Unreadable(ast.unparse(expr))
        for value in table.values:
            yield from _names_of(value, function, dicts)
    elif isinstance(expr, ast.Name) and function is not None:
        if expr.id in {a.arg for a in [*function.args.args, *function.args.kwonlyargs]}:
            return  # a wrapper's parameter: its callers are checked
        assigned = [
            node.value
            for node in ast.walk(function)
            if isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == expr.id for t in node.targets)
        ]
        if not assigned:
            raise _Unreadable(ast.unparse(expr))
        for value in assigned:
            yield from _names_of(value, function, dicts)
    elif isinstance(expr, ast.Constant) and expr.value is None:
        return
    else:
        raise _Unreadable(ast.unparse(expr))


def _recorded_names() -> tuple[dict[str, list[str]], list[str]]:
    """Every event name the source records, with where; and the calls it cannot read."""
    names: dict[str, list[str]] = {}
    unreadable = []
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        dicts = _module_dicts(tree)
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            func = call.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called not in RECORDERS:
                continue
            keyword = [k.value for k in call.keywords if k.arg == RECORDERS[called]]
            args = keyword or call.args[:1]
            where = f"{path.relative_to(SRC)}:{call.lineno}"
            enclosing = next(
                (
                    f
                    for f in reversed(functions)
                    if f.lineno <= call.lineno <= (f.end_lineno or f.lineno)
                ),
                None,
            )
            for arg in args:
                try:
                    for name in _names_of(arg, enclosing, dicts):
                        names.setdefault(name, []).append(where)
                except _Unreadable as error:
                    unreadable.append(f"{where}: {error}")
    return names, unreadable


def test_every_name_the_code_records_is_registered() -> None:
    names, unreadable = _recorded_names()
    # The reader must find the actions' names, or this test proves nothing.
    assert {"transaction.created", "note.added", "session.logged_in"} <= set(names)
    assert {"transaction.withdrawn", "article.published"} <= set(names)
    assert unreadable == [], "record calls whose event name the test cannot read"
    missing = {name: where for name, where in names.items() if name not in registry.REGISTRY}
    assert missing == {}


def test_the_reader_catches_an_unregistered_name(tmp_path: Path) -> None:
    # The control: a name missing from the registry is found.
    tree = ast.parse('def f(actor):\n    audit.record(action="transaction.melted", actor=actor)\n')
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call))
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef)
    found = list(_names_of(call.keywords[0].value, function, {}))
    assert found == ["transaction.melted"]
    assert "transaction.melted" not in registry.REGISTRY


def test_every_name_is_dotted_and_says_what_it_means() -> None:
    problems = []
    subjects = {t.subject for t in registry.REGISTRY.values()}
    for name, kind in registry.REGISTRY.items():
        if kind.name != name or not NAME.match(name):
            problems.append(f"{name}: not a <subject>.<what happened> name")
        if len(name) > Event._meta.get_field("action").max_length:  # type: ignore[operator]
            problems.append(f"{name}: longer than Event.action holds")
        if not kind.summary.strip() or kind.label != kind.summary:
            problems.append(f"{name}: no summary")
        if kind.payload and "*" in kind.payload and len(kind.payload) > 1:
            problems.append(f"{name}: '*' declares any key; it is given alone")
        if not all(key == "*" or KEY.match(key) for key in kind.payload):
            problems.append(f"{name}: payload keys are plain words: {sorted(kind.payload)}")
    assert problems == []
    assert len({t.summary for t in registry.REGISTRY.values()}) == len(registry.REGISTRY)
    assert subjects <= {
        registry.TRANSACTION,
        registry.INDIVIDUAL,
        registry.ARTICLE,
        registry.DOCUMENT,
        registry.API_TOKEN,
        registry.SESSION,
        registry.EXPORT,
        registry.PRODUCT,
        registry.FORM,
        "webhook",
    }


def test_audits_own_names_are_registered() -> None:
    assert {a.value for a in Action} <= set(registry.NAMES)
    for action in Action:
        assert registry.get(action.value).summary == action.label


def test_an_unknown_name_or_undeclared_key_is_refused(db: None) -> None:
    from portico.events import services

    with pytest.raises(registry.UnknownEvent):
        services.record("transaction.melted")
    with pytest.raises(ValueError, match="carries no colour"):
        services.record("document.added", data={"title": "A", "colour": "red"})
    assert not Event.objects.filter(action__in=["transaction.melted", "document.added"]).exists()


def test_the_demo_day_records_only_registered_names_with_declared_keys(demo_data: None) -> None:
    """Whatever wrote them (actions, the demo loader, migrations), the rows in the trail
    speak the registry's words."""
    problems = []
    actions = set()
    for action, data in Event.objects.values_list("action", "data").iterator():
        actions.add(action)
        kind = registry.REGISTRY.get(action)
        if kind is None:
            problems.append(f"{action}: not registered")
            continue
        extra = set(data or {}) - kind.payload
        if extra and "*" not in kind.payload:
            problems.append(f"{action}: undeclared keys {sorted(extra)}")
    assert sorted(set(problems)) == []
    # The demo day is read, not an empty table.
    assert {"transaction.created", "note.added", "grant.added"} <= actions
