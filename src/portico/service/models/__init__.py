"""The customer-service transaction and what it is made of (seed 000): the application
it belongs to, its Profile of classifications, its priority and status, the grants that
decide who may do what with it, its notes, attachments and relations.

One module per part; every model is imported here so Django's app registry finds them
all and `from portico.service.models import X` works wherever X lives."""

from portico.service.models.grants import Grant
from portico.service.models.notes import Attachment, Note

# Migration 0001 names the upload path by this dotted path: it must stay importable here.
from portico.service.models.notes import _attachment_path as _attachment_path
from portico.service.models.setup import (
    CAPABILITIES,
    STAFF_ONLY_CAPABILITIES,
    Application,
    ApplicationRight,
    BusinessCalendar,
    Choice,
    Classification,
    Closure,
    DefaultGrant,
    Permission,
    Priority,
    ProfileField,
    Status,
)
from portico.service.models.transactions import Channel, ProfileValue, Relation, Transaction

__all__ = [
    "CAPABILITIES",
    "STAFF_ONLY_CAPABILITIES",
    "Application",
    "ApplicationRight",
    "Attachment",
    "BusinessCalendar",
    "Channel",
    "Choice",
    "Classification",
    "Closure",
    "DefaultGrant",
    "Grant",
    "Note",
    "Permission",
    "Priority",
    "ProfileField",
    "ProfileValue",
    "Relation",
    "Status",
    "Transaction",
]
