"""Reading an audit event as a sentence, for the history a person sees."""

from typing import Any

from portico.audit.models import Event

ACTIONS = {
    "transaction.created": "Logged",
    "transaction.profile_changed": "Profile changed",
    "transaction.text_changed": "Title or description changed",
    "transaction.status_changed": "Status changed",
    "transaction.forwarded": "Forwarded",
    "transaction.withdrawn": "Withdrawn",
    "transaction.reopened": "Reopened",
    "transaction.viewed": "Viewed in the portal",
    "note.added": "Note added",
    "attachment.added": "File attached",
    "attachment.deleted": "File deleted",
    "grant.added": "Permission granted",
    "grant.removed": "Permission removed",
    "relation.added": "Related",
}


def describe(event: Event) -> str:
    """What happened, with before → after for every changed value."""
    parts = []
    for key, value in (event.data or {}).items():
        label = key.replace("_", " ").replace("-", " ").capitalize()
        if isinstance(value, dict) and {"before", "after"} <= value.keys():
            parts.append(f"{label}: {_show(value['before'])} → {_show(value['after'])}")
        elif key not in {"note", "grant", "attachment", "sha256"}:
            parts.append(f"{label}: {_show(value)}")
    return "; ".join(parts)


def title(event: Event) -> str:
    return ACTIONS.get(event.action, event.action.replace("_", " ").replace(".", ": "))


def _show(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_show(v)}" for k, v in value.items())
    return str(value)
