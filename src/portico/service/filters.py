"""The transaction list's filters: one name for each and one parse of a query string,
for every channel that lists transactions (the console's list and its exports, the
portals' lists, the API). `selectors.transaction_list` narrows what the person may see
by them."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import QuerySet

from portico import access
from portico.parties.models import Individual, Organization
from portico.parties.selectors import organization_typed
from portico.service.models import Application, Choice, Priority, Status

if TYPE_CHECKING:
    from portico.access import Person

OPEN_CATEGORIES = (Status.Category.NEW, Status.Category.OPEN, Status.Category.WAITING)
ALL_STATUSES = "all"
STATUS_CHOICES = [
    ("", "All open"),
    (Status.Category.NEW.value, "New"),
    (Status.Category.OPEN.value, "Open (in progress)"),
    (Status.Category.WAITING.value, "Waiting on customer"),
    (Status.Category.RESOLVED.value, "Resolved"),
    (Status.Category.CLOSED.value, "Closed"),
    (ALL_STATUSES, "Any status"),
]
DUE_CHOICES = [
    ("", "Any time"),
    ("overdue", "Overdue"),
    ("today", "Due today"),
    ("week", "Due in the next 7 days"),
]
# The classifications offered as list filters, by code (standard set-up, service app).
PRODUCT = "product"
AREA = "area"
MAX_LENGTH = 200

# Every filter's name in a query string, in the order forms and documents list them,
# with what it takes.
FILTERS: dict[str, str] = {
    "q": "A whole number such as SI-000123 (any case), or words from the title.",
    "application": "An application code, of those the person's group sees.",
    "status": "A status category (new, open, waiting, resolved, closed); all open ones "
    "unless given; `all` for any.",
    "priority": "A priority code (P1…P4).",
    "organization": "An organisation: its id, its account number or its exact name.",
    "team": "A team (its id).",
    "assignee": "Staff only: a member of staff (their id) the transaction is assigned "
    "to for action.",
    "product": "A Product choice code.",
    "area": "An Area choice code.",
    "due": "overdue (past its due time and not resolved), today (due on the local working "
    "day) or week (due in the next 7 days).",
}


@dataclass(frozen=True)
class TransactionFilters:
    """What a list is narrowed by; each field empty (None or "") when not given.
    `status` is "" for every open category, a category, or ALL_STATUSES."""

    q: str = ""
    application: Application | None = None
    status: str = ""
    priority: Priority | None = None
    organization: Organization | None = None
    team: Organization | None = None
    assignee: Individual | None = None
    product: Choice | None = None
    area: Choice | None = None
    due: str = ""


def filterable_organizations(user: Person | None) -> QuerySet[Organization]:
    """The organisations a list can be narrowed to: those the person may see, less our
    own company and its teams (a transaction's organisation is the one it is about)."""
    return (
        access.visible_organizations(user)
        .exclude(kind__in=[Organization.Kind.TEAM, Organization.Kind.OWN])
        .only("pk", "name", "account_number")
    )


def teams() -> QuerySet[Organization]:
    return Organization.objects.filter(kind=Organization.Kind.TEAM).only("pk", "name")


def parse(
    user: Person | None,
    params: Mapping[str, Any],
    *,
    offered: Collection[str] = tuple(FILTERS),
) -> TransactionFilters:
    """The filters in a query string (a QueryDict, or any mapping of names to text),
    looked up as `user` may see them. Only the `offered` names are read; anything else
    (a page cursor, a portal's list name) is left to the caller.

    Raises ValidationError with a message for each bad value, by filter name: the
    console shows them beside its fields, the portals above their list, the API in its
    error body."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name in FILTERS:
        if name not in offered:
            continue
        raw = str(params.get(name, "") or "").strip()
        if not raw:
            continue
        try:
            _well_formed(raw)
            values[name] = _PARSERS[name](user, raw)
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)
    return TransactionFilters(**values)


def _well_formed(raw: str) -> None:
    ProhibitNullCharactersValidator()(raw)
    if len(raw) > MAX_LENGTH:
        raise ValidationError(
            f"Ensure this value has at most {MAX_LENGTH} characters (it has {len(raw)}).",
            code="max_length",
        )


def _no_such(thing: str, raw: str) -> ValidationError:
    return ValidationError(f"There is no such {thing} (“{raw}”).", code="invalid_choice")


def _id(raw: str, thing: str) -> int:
    if not (raw.isdigit() and len(raw) <= 18):
        raise _no_such(thing, raw)
    return int(raw)


def _text(user: Person | None, raw: str) -> str:
    return raw


def _application(user: Person | None, raw: str) -> Application:
    # From the person's rights, read once per request (the list's rows use them too).
    for right in access.application_rights(user).values():
        if right.application.code == raw:
            return right.application
    raise _no_such("application", raw)


def _status(user: Person | None, raw: str) -> str:
    if raw not in {value for value, _ in STATUS_CHOICES}:
        raise _no_such("status category", raw)
    return raw


def _priority(user: Person | None, raw: str) -> Priority:
    found = Priority.objects.filter(code=raw).first()
    if found is None:
        raise _no_such("priority", raw)
    return found


def _organization(user: Person | None, raw: str) -> Organization | None:
    return organization_typed(filterable_organizations(user), raw)


def _team(user: Person | None, raw: str) -> Organization:
    found = teams().filter(pk=_id(raw, "team")).first()
    if found is None:
        raise _no_such("team", raw)
    return found


def _assignee(user: Person | None, raw: str) -> Individual:
    # Who works a transaction is the staff's business: the portals never show it.
    if not access.sees_who_works(user):
        raise ValidationError("Only the service team can filter by assignee.", code="staff_only")
    # People who left stay findable: their old assignments are still worth finding.
    staff = access.staff_individuals(active_only=False).only("pk", "first_name", "last_name")
    found = staff.filter(pk=_id(raw, "member of staff")).first()
    if found is None:
        raise _no_such("member of staff", raw)
    return found


def _choice(code: str) -> Callable[[Person | None, str], Choice]:
    def parse_choice(user: Person | None, raw: str) -> Choice:
        found = Choice.objects.filter(classification__code=code, code=raw).first()
        if found is None:
            raise _no_such(code, raw)
        return found

    return parse_choice


def _due(user: Person | None, raw: str) -> str:
    if raw not in {value for value, _ in DUE_CHOICES}:
        raise _no_such("due period", raw)
    return raw


_PARSERS: dict[str, Callable[[Person | None, str], object]] = {
    "q": _text,
    "application": _application,
    "status": _status,
    "priority": _priority,
    "organization": _organization,
    "team": _team,
    "assignee": _assignee,
    "product": _choice(PRODUCT),
    "area": _choice(AREA),
    "due": _due,
}
