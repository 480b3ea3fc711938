"""Reading an audit event as a sentence, for the history a person sees."""

from collections.abc import Callable
from typing import Any

from portico.audit.models import Event
from portico.events import registry

# The history's words for each event: the registry's summary.
ACTIONS = {name: kind.summary for name, kind in registry.REGISTRY.items()}


# Free text that can run to pages (a description may hold 50,000 characters): its
# change is not squeezed onto the history's line but shown whole, before and after, by
# `text_changes`.
LONG_TEXT = frozenset({"description"})


def _changed(value: Any) -> bool:
    return isinstance(value, dict) and {"before", "after"} <= value.keys()


def _label(key: str) -> str:
    return key.replace("_", " ").replace("-", " ").capitalize()


def describe(event: Event) -> str:
    """What happened, with before → after for every changed value but long text."""
    special = _SENTENCES.get(event.action)
    if special is not None:
        return special(event.data or {})
    parts = []
    for key, value in (event.data or {}).items():
        label = _label(key)
        if key in LONG_TEXT and _changed(value):
            continue
        if _changed(value):
            parts.append(f"{label}: {_show(value['before'])} → {_show(value['after'])}")
        elif key not in {"note", "grant", "attachment", "sha256"}:
            parts.append(f"{label}: {_show(value)}")
    return "; ".join(parts)


def text_changes(event: Event) -> list[tuple[str, str, str]]:
    """The long texts the event changed: (label, the text before, the text after)."""
    return [
        (_label(key), str(value["before"] or ""), str(value["after"] or ""))
        for key, value in (event.data or {}).items()
        if key in LONG_TEXT and _changed(value)
    ]


def title(event: Event) -> str:
    return ACTIONS.get(event.action, event.action.replace("_", " ").replace(".", ": "))


def _show(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_show(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_show(v) for v in value) or "—"
    return str(value)


def _answered(data: dict[str, Any]) -> str:
    # "Not satisfied (rating 1), changed: “…”" reads better than the payload's keys.
    said = "Satisfied" if data.get("satisfied") else "Not satisfied"
    words = f"{said} (rating {_show(data.get('rating'))})"
    if data.get("changed"):
        words += ", a changed answer"
    if data.get("comment"):
        words += f": “{data['comment']}”"
    return words


def _followed_up(data: dict[str, Any]) -> str:
    # Its "note" is the follow-up's own words, not a note's id as elsewhere.
    return f"Note: {data['note']}" if data.get("note") else ""


_SENTENCES: dict[str, Callable[[dict[str, Any]], str]] = {
    "satisfaction.answered": _answered,
    "satisfaction.followed_up": _followed_up,
}
