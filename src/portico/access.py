"""The one place that decides who may do what.

Pages, the admin, the API and tasks ask here; nothing else looks at groups, zones,
grants or flags to decide access. It answers two kinds of question: may this person
enter a zone (seed 001: a user group's default permissions switch zones of the portal on
and off), and what may this person do with a transaction (its grants, most specific
first, then the group's default for the application).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import TYPE_CHECKING, Any, Concatenate, cast

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    import datetime
    from collections.abc import Sequence

    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

    from portico.audit.models import Event
    from portico.knowledge.models import Article
    from portico.notify.models import Notification
    from portico.parties.models import Individual, Organization, User
    from portico.service.models import Application, ApplicationRight, Note, Transaction

    type Person = User | AbstractBaseUser | AnonymousUser

# Zone codes the code refers to. Zones are data (an administrator may add more); these
# are the ones pages belong to, created by the parties app's first data migration.
CONSOLE = "console"
CUSTOMER_PORTAL = "customer-portal"
PARTNER_PORTAL = "partner-portal"
EMPLOYEE_PORTAL = "employee-portal"
SERVICE = "service"
KNOWLEDGE = "knowledge"
FORUMS = "forums"
DOCUMENTS = "documents"
NEWS = "news"
EVENTS = "events"
REPORTS = "reports"
SYSTEMS_ADMIN = "systems-admin"

_ZONES_ATTR = "_portico_zones"


def individual_of(user: Person | None) -> Individual | None:
    """The active Individual behind a log-in, or None (anonymous, no person, or left)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    individual: Individual | None = getattr(user, "individual", None)
    if individual is None or not individual.active:
        return None
    return individual


def zones_of(user: Person | None) -> frozenset[str]:
    """The zone codes a person may enter, read once per request and kept on the user."""
    cached: frozenset[str] | None = getattr(user, _ZONES_ATTR, None)
    if cached is not None:
        return cached
    individual = individual_of(user)
    if individual is None:
        # The command-line rescue account (a superuser with no person) opens every zone.
        rescue = may_log_in(user) and bool(getattr(user, "is_superuser", False))
        zones: frozenset[str] = all_zone_codes() if rescue else frozenset()
    else:
        zones = frozenset(individual.user_group.zones.values_list("code", flat=True))
    if user is not None and user.is_authenticated:
        setattr(user, _ZONES_ATTR, zones)
    return zones


def all_zone_codes() -> frozenset[str]:
    from portico.parties.models import Zone

    return frozenset(Zone.objects.values_list("code", flat=True))


def may_enter(user: Person | None, zone: str) -> bool:
    return zone in zones_of(user)


def is_staff(user: Person | None) -> bool:
    """Staff are the members of groups whose home is the service console."""
    individual = individual_of(user)
    return individual is not None and individual.user_group.is_staff_group


def staff_individuals(*, active_only: bool = True) -> QuerySet[Individual]:
    """The staff as a query: members of groups whose home is the console."""
    from portico.parties.models import Individual, Portal

    people = Individual.objects.filter(user_group__portal=Portal.CONSOLE)
    return people.filter(active=True) if active_only else people


def may_log_in(user: Person | None) -> bool:
    """A log-in works only while its person is active (seed 003: access ends on leaving).
    A log-in with no Individual is the command-line rescue superuser."""
    if user is None or not user.is_active:
        return False
    individual = getattr(user, "individual", None)
    if individual is None:
        return bool(getattr(user, "is_superuser", False))
    return bool(individual.active)


# Where each portal's people land, and the URL prefix its pages live under.
PORTAL_HOMES = {
    "console": ("console:home", "/console/", CONSOLE),
    "customer": ("portal:customer-home", "/portal/", CUSTOMER_PORTAL),
    "partner": ("portal:partner-home", "/partners/", PARTNER_PORTAL),
    "employee": ("portal:employee-home", "/employees/", EMPLOYEE_PORTAL),
}


def portal_of(user: Person | None, *, next_url: str = "") -> str:
    """The portal a person belongs to; for someone not (yet) known, the portal whose
    page they were heading for."""
    individual = individual_of(user) if user is not None else None
    if individual is not None:
        return str(individual.user_group.portal)
    for portal, (_, prefix, _zone) in PORTAL_HOMES.items():
        if next_url.startswith(prefix):
            return portal
    return ""


def home_url(user: Person | None) -> str:
    """Each person lands on their own home: staff on the console, customers, partners
    and employees on their portal (seed 004: one log-in, access by who the user is)."""
    from django.urls import reverse

    individual = individual_of(user)
    if individual is None:
        if may_enter(user, SYSTEMS_ADMIN):
            return reverse("admin:index")
        return reverse("account_login")
    url_name, _prefix, zone = PORTAL_HOMES[individual.user_group.portal]
    if not may_enter(user, zone):
        # A group switched out of its own portal still gets a page, not a loop.
        return reverse("no-zones")
    return reverse(url_name)


def zone_required[**P](
    zone: str,
) -> Callable[
    [Callable[Concatenate[HttpRequest, P], HttpResponse]],
    Callable[Concatenate[HttpRequest, P], HttpResponse],
]:
    """Guard a view by zone: anonymous people are sent to log in, people whose group
    lacks the zone get a plain 403 (never a redirect, which could loop)."""

    def decorate(
        view: Callable[Concatenate[HttpRequest, P], HttpResponse],
    ) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
        @wraps(view)
        def guarded(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not may_enter(request.user, zone):
                raise PermissionDenied(f"Your user group does not open the {zone} zone.")
            return view(request, *args, **kwargs)

        guarded.zone = zone  # type: ignore[attr-defined]
        return cast("Callable[Concatenate[HttpRequest, P], HttpResponse]", guarded)

    return decorate


class PorticoBackend(ModelBackend):
    """Authenticates by e-mail and password, refuses anyone who has left, and gives the
    Django admin's model permissions to those whose group opens Systems Admin."""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        email: str | None = None,
        **kwargs: Any,
    ) -> AbstractBaseUser | None:
        return super().authenticate(
            request, username=(email or username or "").strip().lower(), password=password
        )

    def user_can_authenticate(self, user: Any) -> bool:
        return may_log_in(user)

    def get_user(self, user_id: Any) -> User | None:
        from portico.parties.models import User

        try:
            user = User.objects.select_related("individual__user_group").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if may_log_in(user) else None

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return may_enter(user_obj, SYSTEMS_ADMIN)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return self.has_perm(user_obj, app_label)


# --- transactions ------------------------------------------------------------------------
# Seed 001: a user group's default permission applies unless a grant on the transaction
# says otherwise; the most specific grant wins (the individual's, then their
# organisation's), so a grant can restrict even an administrator on one transaction.

# What each action needs. Actions are what pages, the API and tasks ask about;
# capabilities are what permissions hold.
ACTIONS: dict[str, str] = {
    "view": "view",
    "edit_profile": "edit_profile",
    "change_status": "edit_profile",
    "relate": "edit_profile",
    "edit_text": "edit_text",
    "add_shared_note": "add_shared_note",
    "add_internal_note": "add_internal_note",
    "read_internal_notes": "read_internal_notes",
    "attach_files": "attach_files",
    "download_files": "download_files",
    "delete_attachment": "edit_text",
    "manage_grants": "manage_grants",
    "assign": "manage_grants",
    "on_task_list": "on_task_list",
    # A customer withdraws their open request or reopens a resolved one "as their grant
    # allows" (issue 19): whoever may add to it (Customer access, Update worknotes, Full
    # access, an assignee), never Read only. Whether its state allows it is the
    # service's question (service/lifecycle.py).
    "withdraw": "add_shared_note",
    "reopen": "add_shared_note",
}
_RIGHTS_ATTR = "_portico_application_rights"


def application_rights(user: Person | None) -> dict[int, ApplicationRight]:
    """The person's group's rights by application id, read once per request."""
    from portico.service.models import ApplicationRight

    cached: dict[int, ApplicationRight] | None = getattr(user, _RIGHTS_ATTR, None)
    if cached is not None:
        return cached
    individual = individual_of(user)
    rights: dict[int, ApplicationRight] = {}
    if individual is not None:
        rights = {
            right.application_id: right
            for right in ApplicationRight.objects.filter(
                user_group_id=individual.user_group_id, application__active=True
            ).select_related("default_permission", "application")
        }
        setattr(user, _RIGHTS_ATTR, rights)
    return rights


def may_create(user: Person | None, application: Application) -> bool:
    right = application_rights(user).get(application.pk)
    return right is not None and right.may_create and application.active


def creatable_applications(user: Person | None) -> list[Application]:
    return sorted(
        (r.application for r in application_rights(user).values() if r.may_create),
        key=lambda a: a.name,
    )


# Capabilities already decided in a `deciding_once` block, by (individual, transaction).
_DECIDED: ContextVar[dict[tuple[int, int], frozenset[str]] | None] = ContextVar(
    "portico_decided", default=None
)


@contextmanager
def deciding_once() -> Iterator[None]:
    """Within the block each person's capabilities on each transaction are read once.

    For a page that only reads: the transaction page asks five times (which forms, the
    notes, the files, the history), a query each. Nothing that changes grants may run
    inside, or it would be judged by what was decided before the change."""
    token = _DECIDED.set({})
    try:
        yield
    finally:
        _DECIDED.reset(token)


def capabilities(user: Person | None, transaction: Transaction) -> frozenset[str]:
    """Everything the person may do with the transaction."""
    individual = individual_of(user)
    if individual is None:
        return frozenset()
    decided = _DECIDED.get()
    if decided is None:
        return _capabilities(user, individual, transaction)
    key = (individual.pk, transaction.pk)
    if key not in decided:
        decided[key] = _capabilities(user, individual, transaction)
    return decided[key]


def _capabilities(
    user: Person | None, individual: Individual, transaction: Transaction
) -> frozenset[str]:
    from portico.service.models import STAFF_ONLY_CAPABILITIES, Grant

    right = application_rights(user).get(transaction.application_id)
    if right is None:
        return frozenset()  # the group does not see this application at all
    principals = Q(individual_id=individual.pk)
    if individual.organization_id is not None:
        principals |= Q(organization_id=individual.organization_id)
    grants = list(
        Grant.objects.filter(
            principals, transaction_id=transaction.pk, permission__decides_access=True
        ).select_related("permission")
    )
    own = [g for g in grants if g.individual_id == individual.pk]
    organization = [g for g in grants if g.organization_id is not None]
    if own:
        held = frozenset().union(*(g.permission.capabilities for g in own))
    elif organization:
        held = frozenset().union(*(g.permission.capabilities for g in organization))
    elif right.default_permission is not None:
        held = right.default_permission.capabilities
    else:
        held = frozenset()
    if not own:
        # A task list is a person's own (seed 001: "appear on an individual's task list");
        # an assignment to their organisation or group puts it in a queue, not on it.
        held -= {"on_task_list"}
    if not individual.user_group.is_staff_group:
        held -= STAFF_ONLY_CAPABILITIES
    # Nothing can be done to a transaction one may not see.
    return held if "view" in held else frozenset()


def allowed_actions(user: Person | None, transaction: Transaction) -> frozenset[str]:
    """Every action the person may take, for a page deciding which forms to show."""
    held = capabilities(user, transaction)
    return frozenset(action for action, needs in ACTIONS.items() if needs in held)


def can(user: Person | None, action: str, transaction: Transaction) -> bool:
    return ACTIONS[action] in capabilities(user, transaction)


class EachRowExists(Exists):
    """EXISTS that PostgreSQL evaluates for each row the outer query reaches.

    Left to itself, PostgreSQL may turn an EXISTS under an OR into a hash of every row
    the subquery could match, built before the first outer row: every grant of the
    busiest organisation (9,500 at scale L) hashed for a list that stops after 26
    transactions, 6 ms of each portal list's 8. OFFSET 0 is its documented way to keep a
    subquery as written, and does not change what EXISTS answers."""

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, Sequence[Any]]:
        sql, params = self.as_sql(compiler, connection, **extra)
        if sql.endswith(")"):
            sql = f"{sql[:-1]} OFFSET 0)"
        return sql, params


def visible_transactions(user: Person | None, *, per_row: bool = False) -> QuerySet[Transaction]:
    """The transactions the person may see, as one SQL filter: the same rule as
    `capabilities`, written for the two shapes of reader.

    - Where the group's default permission lets them view (staff, in the standard
      set-up), a transaction is visible unless a more specific grant hides it. Only a
      grant that decides access without giving view can hide; while no such permission
      exists (none of the standard six is one) the filter is the application alone, so
      a queue never reads the team's hundreds of thousands of grants (bench, scale L).
    - Elsewhere (customers, partners, employees) the query starts from the grants to the
      person and their organisation, which an index finds directly.

    `per_row=True` writes the grant half as tests on each transaction instead (the same
    rule: the property test compares all three writings). That suits a list narrowed to
    one requester or organisation and ordered like an index on it: PostgreSQL walks the
    index and stops when the page is full. Starting from the grants, it read all 10,000
    transactions the busiest organisation may see, for every list (scale L). Across
    everything a person may see, with nothing to walk, keep the default.
    """
    from portico.service.models import Grant, Transaction

    individual = individual_of(user)
    if individual is None:
        return Transaction.objects.none()
    rights = application_rights(user)
    if not rights:
        return Transaction.objects.none()
    default_view = {
        app_id
        for app_id, right in rights.items()
        if right.default_permission is not None and right.default_permission.view
    }
    by_grant_apps = [app_id for app_id in rights if app_id not in default_view]
    deciding = Grant.objects.filter(permission__decides_access=True)
    own = deciding.filter(individual_id=individual.pk)
    organization = (
        deciding.filter(organization_id=individual.organization_id)
        if individual.organization_id is not None
        else deciding.none()
    )
    visible = Q(pk__in=[])
    if default_view:
        by_default = Q(application_id__in=sorted(default_view))
        if _some_grant_hides(user):
            mine = own.filter(transaction_id=OuterRef("pk"))
            ours = organization.filter(transaction_id=OuterRef("pk"))
            own_any, own_view = Exists(mine), Exists(mine.filter(permission__view=True))
            org_any, org_view = Exists(ours), Exists(ours.filter(permission__view=True))
            hidden = Q(own_any & ~own_view) | Q(~own_any & org_any & ~org_view)
            by_default &= ~hidden
        visible |= by_default
    if by_grant_apps and per_row:
        mine = own.filter(transaction_id=OuterRef("pk"))
        ours = organization.filter(transaction_id=OuterRef("pk"))
        granted_here = EachRowExists(mine.filter(permission__view=True)) | (
            EachRowExists(ours.filter(permission__view=True)) & ~EachRowExists(mine)
        )
        visible |= Q(application_id__in=by_grant_apps) & granted_here
    elif by_grant_apps:
        # One list of ids, from the grants: the person's own that give view, and their
        # organisation's that give view where the person has no deciding grant of their
        # own. As one IN over a union the planner starts from these few grants; as an OR
        # of two IN tests it walked every finished transaction (2 s at scale L).
        own_ids = own.filter(permission__view=True).values("transaction_id")
        org_ids = (
            organization.filter(permission__view=True)
            .exclude(Exists(own.filter(transaction_id=OuterRef("transaction_id"))))
            .values("transaction_id")
        )
        granted = Q(pk__in=own_ids.union(org_ids))
        visible |= Q(application_id__in=by_grant_apps) & granted
    return Transaction.objects.filter(visible)


def recent_readable_notes(
    user: Person | None, shown: QuerySet[Note], *, count: int, **where: Any
) -> list[Note]:
    """The newest `count` notes the person may read on the transactions matching `where`
    (`organization=`, `requester=`), newest first, fetched through `shown` (for its
    select_related), for the timelines that span many transactions (the 360° views):
    shared notes of the transactions they may see, and internal ones only where
    `capabilities` would give read_internal_notes — their own grants, else their
    organisation's, else the group's default — so a Read only grant hides internal
    notes here as on the transaction's page.

    The transactions are walked newest note first (`last_note_at`, indexed per
    organisation and per requester) in growing batches, and the walk stops once the
    next transaction's newest note is older than the `count`-th note found: none of its
    notes could come in. Reading all the notes and sorting them took 63 ms for the
    busiest organisation's 28,000 (scale L). Internal notes are decided in Python:
    written as one SQL filter, the rule's grant subqueries made PostgreSQL hash every
    grant of the staff's own organisation (820,000 at a million transactions)."""
    from portico.service.models import Note

    individual = individual_of(user)
    if individual is None or count <= 0:
        return []
    staff = individual.user_group.is_staff_group
    shared = Note.Visibility.SHARED
    walk = (
        visible_transactions(user, per_row=True)
        .filter(last_note_at__isnull=False, **where)
        .order_by("-last_note_at", "-id")
        .values_list("pk", "application_id", "last_note_at")
    )
    found: list[tuple[datetime.datetime, int]] = []  # (created_at, pk), newest first
    after: Q = Q()
    size = count * 2
    while True:
        batch = list(walk.filter(after)[: size + 1])
        applications = {pk: application for pk, application, _at in batch[:size]}
        if not applications:
            break
        notes = Note.objects.filter(transaction_id__in=applications)
        if not staff:
            notes = notes.filter(visibility=shared)  # internal notes never leave the staff
        if len(found) == count:
            notes = notes.filter(created_at__gte=found[-1][0])
        rows = list(notes.values_list("pk", "transaction_id", "visibility", "created_at"))
        internal = {tid: applications[tid] for _pk, tid, vis, _at in rows if vis != shared}
        readable = _reads_internal_notes(user, individual, internal)
        found += [(at, pk) for pk, tid, vis, at in rows if vis == shared or tid in readable]
        found = sorted(found, reverse=True)[:count]
        if len(batch) <= size:
            break  # walked them all
        last_pk, _app, last_at = batch[size - 1]
        next_at = batch[size][2]
        assert next_at is not None  # the walk reads only transactions with notes
        if len(found) == count and next_at < found[-1][0]:
            break
        after = Q(last_note_at__lt=last_at) | Q(last_note_at=last_at, pk__lt=last_pk)
        size *= 4
    if not found:
        return []
    return list(
        shown.filter(pk__in=[pk for _at, pk in found])
        .select_related("transaction")
        .order_by("-created_at", "-id")
    )


def _reads_internal_notes(
    user: Person | None, individual: Individual, applications: dict[int, int]
) -> set[int]:
    """Of the transactions (id → application id), those whose internal notes the person
    may read: `capabilities`' precedence, own grants over the organisation's over the
    group's default, for read_internal_notes alone, in one query."""
    from portico.service.models import Grant

    if not applications:
        return set()
    principals = Q(individual_id=individual.pk)
    if individual.organization_id is not None:
        principals |= Q(organization_id=individual.organization_id)
    own: dict[int, bool] = {}
    ours: dict[int, bool] = {}
    for transaction_id, grantee, reads in Grant.objects.filter(
        principals, transaction_id__in=list(applications), permission__decides_access=True
    ).values_list("transaction_id", "individual_id", "permission__read_internal_notes"):
        held = own if grantee == individual.pk else ours
        held[transaction_id] = held.get(transaction_id, False) or reads
    rights = application_rights(user)
    readable = set()
    for transaction_id, application_id in applications.items():
        if transaction_id in own:
            reads = own[transaction_id]
        elif transaction_id in ours:
            reads = ours[transaction_id]
        else:
            right = rights.get(application_id)
            default = right.default_permission if right is not None else None
            reads = default is not None and default.read_internal_notes
        if reads:
            readable.add(transaction_id)
    return readable


def may_read_note(user: Person | None, note: Note) -> bool:
    """A shared note is read by whoever may see its transaction; an internal one only by
    those who may read the transaction's internal notes (never anyone outside the staff,
    whom `capabilities` never gives read_internal_notes)."""
    from portico.service.models import Note

    if not can(user, "view", note.transaction):
        return False
    return note.visibility == Note.Visibility.SHARED or can(
        user, "read_internal_notes", note.transaction
    )


# --- the audit trail ----------------------------------------------------------------------
# The history is the staff's record. An event about an internal note (marked `internal`
# when written: the note's adding, a file attached to it or deleted from it) is as
# internal as the note: issue 19 found a file's name in the history of staff whose Read
# only grant keeps the note itself from them.


def readable_history(user: Person | None, transaction: Transaction) -> QuerySet[Event]:
    """One transaction's events the person may read, as one SQL filter on the subject
    index: none unless they are staff who may see it, and those about its internal notes
    only if they may read them."""
    from django.contrib.contenttypes.models import ContentType

    from portico.audit.models import Event
    from portico.service.models import Transaction

    if not is_staff(user) or not can(user, "view", transaction):
        return Event.objects.none()
    events = Event.objects.filter(
        subject_type=ContentType.objects.get_for_model(Transaction),
        subject_id=str(transaction.pk),
    )
    if not can(user, "read_internal_notes", transaction):
        events = events.filter(internal=False)
    return events


def recent_readable_events(
    user: Person | None, events: QuerySet[Event], *, count: int
) -> list[Event]:
    """The newest `count` of `events` (one person's activity, for the 360° view) that
    the person may read: for staff only; an event on a transaction only if they may see
    that transaction, and one about an internal note only if they may read its internal
    notes (`readable_history`'s rule, per transaction). Events on no transaction (log-ins,
    a person's deactivation) are the staff's to read.

    Walked newest first in growing batches, decided a batch at a time (two queries), and
    stopped once `count` are found or `WALK_LIMIT` events were read: an actor's events
    are spread over transactions whose grants differ, which one SQL filter could only
    write as the grant subqueries `recent_readable_notes` avoids. The limit keeps the page
    bounded for a viewer who may see little of a busy actor's work; the list is then
    shorter, never wrong."""
    if not is_staff(user) or count <= 0:
        return []
    ordered = events.order_by("-occurred_at", "-id")
    found: list[Event] = []
    read = 0
    size = count * 2
    while len(found) < count and read < WALK_LIMIT:
        batch = list(ordered[read : read + size])
        read += len(batch)
        found += _readable_of(user, batch)
        if len(batch) < size:
            break
        size *= 4
    return found[:count]


WALK_LIMIT = 2_000


def _readable_of(user: Person | None, events: list[Event]) -> list[Event]:
    """Of `events`, in their order, those the person may read (see `readable_history`)."""
    from django.contrib.contenttypes.models import ContentType

    from portico.service.models import Transaction

    individual = individual_of(user)
    if individual is None or not individual.user_group.is_staff_group:
        return []
    kind = ContentType.objects.get_for_model(Transaction).pk
    ids = {int(e.subject_id) for e in events if e.subject_type_id == kind}
    visible = dict(
        visible_transactions(user).filter(pk__in=sorted(ids)).values_list("pk", "application_id")
    )
    internal = {
        int(e.subject_id): visible[int(e.subject_id)]
        for e in events
        if e.internal and e.subject_type_id == kind and int(e.subject_id) in visible
    }
    readable = _reads_internal_notes(user, individual, internal)
    shown = []
    for event in events:
        if event.subject_type_id != kind:
            shown.append(event)
            continue
        subject = int(event.subject_id)
        if subject in visible and (not event.internal or subject in readable):
            shown.append(event)
    return shown


# What only Systems Admin reads of the trail: log-ins (addresses, names tried), API
# tokens, exports and webhook pings are about the system's security, not a transaction.
ADMIN_ONLY_EVENT_SUBJECTS = frozenset({"session", "api_token", "export", "webhook"})


def readable_events(user: Person | None, events: list[Event]) -> list[Event]:
    """Of `events`, in their order, those the person may be shown by the event feed or
    sent by a webhook they own: the history's rule (`readable_history`: staff only; a
    transaction's events if they may see it, those about its internal notes if they may
    read them), and events about the system's security only to Systems Admin."""
    from portico.events import registry

    shown = _readable_of(user, events)
    if shown and not may_enter(user, SYSTEMS_ADMIN):
        shown = [
            e
            for e in shown
            if e.action not in registry.REGISTRY
            or registry.REGISTRY[e.action].subject not in ADMIN_ONLY_EVENT_SUBJECTS
        ]
    return shown


def may_see_event(user: Person | None, event: Event) -> bool:
    return bool(readable_events(user, [event]))


def readable_notifications(user: Person | None) -> QuerySet[Notification]:
    """The person's own notifications about transactions they may still see: a notice
    names its transaction, so one they have lost access to is neither listed nor counted
    in the unread badge."""
    from portico.notify.models import Notification

    individual = individual_of(user)
    if individual is None:
        return Notification.objects.none()
    visible = visible_transactions(user).filter(pk=OuterRef("transaction_id"))
    return Notification.objects.filter(recipient=individual).filter(Exists(visible))


_HIDING_ATTR = "_portico_some_grant_hides"


def _some_grant_hides(user: Person | None) -> bool:
    """Whether any permission decides access without giving view (an administrator may
    define one, e.g. "No access"); read once per request."""
    from portico.service.models import Permission

    cached: bool | None = getattr(user, _HIDING_ATTR, None)
    if cached is None:
        cached = Permission.objects.filter(decides_access=True, view=False).exists()
        if user is not None and user.is_authenticated:
            setattr(user, _HIDING_ATTR, cached)
    return cached


# --- parties ---------------------------------------------------------------------------


def visible_organizations(user: Person | None) -> QuerySet[Organization]:
    """Staff see every organisation; anyone else only their own."""
    from portico.parties.models import Organization

    if is_staff(user):
        return Organization.objects.all()
    individual = individual_of(user)
    if individual is None or individual.organization_id is None:
        return Organization.objects.none()
    return Organization.objects.filter(pk=individual.organization_id)


def visible_individuals(user: Person | None) -> QuerySet[Individual]:
    """Staff see everyone; anyone else themself and the active people of their own
    organisation."""
    from portico.parties.models import Individual

    if is_staff(user):
        return Individual.objects.all()
    individual = individual_of(user)
    if individual is None:
        return Individual.objects.none()
    if individual.organization_id is None:
        return Individual.objects.filter(pk=individual.pk)
    return Individual.objects.filter(
        Q(organization_id=individual.organization_id, active=True) | Q(pk=individual.pk)
    )


def transaction_for(user: Person | None, number: str) -> Transaction:
    """The transaction by its number, if the person may see it; otherwise 404 — the
    same answer for "does not exist" and "not yours", so numbers leak nothing."""
    from django.http import Http404

    from portico.service.models import Transaction

    try:
        transaction = (
            visible_transactions(user)
            .select_related("status", "priority", "organization", "requester", "team")
            .get(number=number)
        )
    except Transaction.DoesNotExist:
        raise Http404("No such transaction.") from None
    # One join fewer for PostgreSQL to plan, on every page of a transaction.
    attach_applications(user, [transaction])
    return transaction


def attach_applications(user: Person | None, transactions: Iterable[Transaction]) -> None:
    """Give each transaction its application from the person's rights, read once per
    request: `visible_transactions` keeps to those applications, so a page need not
    read or join the table again. One outside them is left to load as before."""
    rights = application_rights(user)
    for transaction in transactions:
        right = rights.get(transaction.application_id)
        if right is not None:
            transaction.application = right.application


def require(user: Person | None, action: str, transaction: Transaction) -> None:
    """Raise PermissionDenied unless the person may do the action."""
    if not can(user, action, transaction):
        raise PermissionDenied(_DENIED.get(action, "You may not do that on this transaction."))


_DENIED = {
    "edit_profile": "You may not change this transaction's profile.",
    "change_status": "You may not change this transaction's status.",
    "edit_text": "You may not change this transaction's title or description.",
    "add_shared_note": "You may not add notes to this transaction.",
    "add_internal_note": "You may not add internal notes to this transaction.",
    "attach_files": "You may not attach files to this transaction.",
    "download_files": "You may not download this transaction's files.",
    "manage_grants": "You may not change who has access to this transaction.",
    "assign": "You may not assign this transaction.",
    "relate": "You may not relate this transaction to others.",
    "withdraw": "You may not withdraw this transaction.",
    "reopen": "You may not reopen this transaction.",
}


# --- classifications ---------------------------------------------------------------------
# Issue 19: some classifications (Root cause) are the staff's own analysis. Nobody outside
# the staff sees them on a page or in the API, nor sets them through any channel.


def sees_staff_only_classifications(user: Person | None) -> bool:
    return is_staff(user)


def classification_filter(user: Person | None, prefix: str = "") -> Q:
    """The classifications the person may see and set, as a filter on Classification
    (or, with a prefix such as "classification__", on a model that points at one)."""
    from portico.service.models import Classification

    if sees_staff_only_classifications(user):
        return Q()
    return Q(**{f"{prefix}audience": Classification.Audience.EVERYONE})


# --- knowledge ---------------------------------------------------------------------------
# Seed 004: self-support before a ticket. Articles, FAQs, documents and news are read by
# the audience each names (user groups, or anyone when public), inside the zone each
# belongs to; visitors who are not signed in read public pieces only.

PUBLICATION_ZONES = {
    "article": KNOWLEDGE,
    "faq": KNOWLEDGE,
    "document": DOCUMENTS,
    "newsitem": NEWS,
}


def may_read_zone(user: Person | None, zone: str) -> bool:
    """Whether the pages of a reading zone open at all: to visitors (who then see only
    public pieces) and to signed-in people whose group opens the zone."""
    if user is None or not user.is_authenticated:
        return True
    return may_enter(user, zone)


def visible_publications[M: Model](user: Person | None, queryset: QuerySet[M]) -> QuerySet[M]:
    """The published pieces (articles, FAQs, documents, news) of `queryset` a person may
    read, as a query: staff read everything published in the zones they enter; others
    the public pieces and those whose audience names their group; visitors public only."""
    from portico.knowledge.models import Status

    model = queryset.model
    name = str(model._meta.model_name)
    zone = PUBLICATION_ZONES[name]
    if not may_read_zone(user, zone):
        return queryset.none()
    published = queryset.filter(status=Status.PUBLISHED)
    individual = individual_of(user)
    if individual is None:
        # The command-line rescue account (every zone, no person) reads everything.
        return published if may_enter(user, SYSTEMS_ADMIN) else published.filter(public=True)
    if individual.user_group.is_staff_group:
        return published
    through = cast("Any", model).audience.through
    readers = through.objects.filter(
        **{name: OuterRef("pk"), "usergroup": individual.user_group_id}
    )
    return published.filter(Q(public=True) | Exists(readers))


def may_edit_knowledge(user: Person | None) -> bool:
    """Staff who enter the knowledge zone write and publish articles."""
    return is_staff(user) and may_enter(user, KNOWLEDGE)


def readable_articles(user: Person | None) -> QuerySet[Article]:
    """Articles a person may open by URL: what they may read, and for editors the
    drafts and archived ones as well (to preview and restore them)."""
    from portico.knowledge.models import Article

    if may_edit_knowledge(user):
        return Article.objects.all()
    return visible_publications(user, Article.objects.all())


# --- webhooks ------------------------------------------------------------------------------
# Self-contained, so it can move with the rest of this module. Webhooks are managed by
# the people whose group opens the Systems Admin zone (issue 20), in Systems Admin and in
# the API alike. A subscription is sent what its owner may see (`readable_events`), so
# only its owner may point it elsewhere or learn a new secret: another administrator
# could otherwise read, through someone else's subscription, what their own grants hide.


def may_manage_webhooks(user: Person | None) -> bool:
    """List, pause, resume, delete, ping and redeliver any subscription; make one's own."""
    return individual_of(user) is not None and may_enter(user, SYSTEMS_ADMIN)


def may_change_webhook(user: Person | None, owner_id: int) -> bool:
    """Change the URL or the events of a subscription, or rotate its secret: its owner."""
    individual = individual_of(user)
    return individual is not None and individual.pk == owner_id and may_manage_webhooks(user)


def may_receive_webhooks(user: Person | None) -> bool:
    """Whether a subscription's owner is still sent anything: they may still log in and
    still manage webhooks (someone who left, or lost the zone, is sent nothing)."""
    return may_log_in(user) and may_manage_webhooks(user)
