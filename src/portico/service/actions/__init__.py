"""Every change to a transaction, one module per area: `create`, `profile`, `status`,
`notes`, `attachments`, `grants`, `dispatch`, `relations`, `reading`; `clock` is the
status move and the SLA clock several of them share, `base` the actor and the touch.

Views, the API, tasks and the admin call these; each takes the acting log-in, asks
`portico.access`, validates before it writes, writes in one database transaction and
records its event (`portico.events.services.record`). Callers import the package and
use the names below; a new action goes in the module of its area and is listed here."""

from portico.service.actions.attachments import add_attachment, attachment_limit, delete_attachment
from portico.service.actions.create import create_transaction
from portico.service.actions.dispatch import assign, forward
from portico.service.actions.grants import grant, revoke
from portico.service.actions.notes import add_note
from portico.service.actions.profile import (
    clean_profile,
    edit_text,
    profile_fields,
    profile_of,
    set_money,
    update_profile,
)
from portico.service.actions.reading import record_view
from portico.service.actions.relations import follow_up, relate
from portico.service.actions.status import (
    MOVES,
    change_status,
    clean_reason,
    close,
    closing_status,
    offered,
    reopen,
    reopen_deadline,
    reopened_status,
    status_moves,
    withdraw,
    withdrawn_status,
)

__all__ = [
    "MOVES",
    "add_attachment",
    "add_note",
    "assign",
    "attachment_limit",
    "change_status",
    "clean_profile",
    "clean_reason",
    "close",
    "closing_status",
    "create_transaction",
    "delete_attachment",
    "edit_text",
    "follow_up",
    "forward",
    "grant",
    "offered",
    "profile_fields",
    "profile_of",
    "record_view",
    "relate",
    "reopen",
    "reopen_deadline",
    "reopened_status",
    "revoke",
    "set_money",
    "status_moves",
    "update_profile",
    "withdraw",
    "withdrawn_status",
]
