"""What a person may do with a transaction: capabilities from the most specific grant,
the transactions they may see as one SQL filter, fetching one by number, and the
classifications they may see."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet

from portico.access import setup
from portico.access.roles import PORTAL_HOMES, individual_of, is_automation, is_staff, may_enter
from portico.statements import Statement

if TYPE_CHECKING:
    from collections.abc import Sequence

    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

    from portico.access.roles import Person
    from portico.parties.models import Individual
    from portico.service.models import (
        Application,
        ApplicationRight,
        Classification,
        Grant,
        Transaction,
    )


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
    # service's question (service/actions/status.py).
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
        group_id = individual.user_group_id
        kept = setup.remembered(
            "application_rights",
            group_id,
            lambda: list(
                ApplicationRight.objects.filter(
                    user_group_id=group_id, application__active=True
                ).select_related("default_permission", "application")
            ),
        )
        rights = {right.application_id: setup.fresh(right) for right in kept}
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


def may_open_requests(user: Person | None) -> bool:
    """Whether a person may open a request from their own portal (where a knowledge
    page's "open a request instead" leads): their group may create some application and
    their portal's zone is open to them."""
    individual = individual_of(user)
    if individual is None or not creatable_applications(user):
        return False
    _url_name, _prefix, zone = PORTAL_HOMES[individual.user_group.portal]
    return may_enter(user, zone)


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
    if _DECIDED.get() is not None:  # already inside one: keep what it decided
        yield
        return
    token = _DECIDED.set({})
    try:
        yield
    finally:
        _DECIDED.reset(token)


def _grants(transaction: int, individual: int, organization: int | None = None) -> QuerySet[Grant]:
    from portico.service.models import Grant

    principals = Q(individual_id=individual)
    if organization is not None:
        principals |= Q(organization_id=organization)
    return Grant.objects.filter(
        principals, transaction_id=transaction, permission__decides_access=True
    ).select_related("permission")


# Every page of a transaction asks both (portico.statements writes their SQL once).
_OWN_GRANTS = Statement(_grants, transaction=int, individual=int)
_GRANTS = Statement(_grants, transaction=int, individual=int, organization=int)


def _by_number(number: str) -> QuerySet[Transaction]:
    from portico.service.models import Transaction

    return Transaction.objects.select_related(
        "status", "priority", "organization", "requester", "team"
    ).filter(number=number)


_BY_NUMBER = Statement(_by_number, number=str)


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
    from portico.service.models import CAPABILITIES, STAFF_ONLY_CAPABILITIES

    if is_automation(individual):
        return frozenset(CAPABILITIES) - {"on_task_list"}
    right = application_rights(user).get(transaction.application_id)
    if right is None:
        return frozenset()  # the group does not see this application at all
    if individual.organization_id is None:
        grants = _OWN_GRANTS.rows(transaction=transaction.pk, individual=individual.pk)
    else:
        grants = _GRANTS.rows(
            transaction=transaction.pk,
            individual=individual.pk,
            organization=individual.organization_id,
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


_HIDING_ATTR = "_portico_some_grant_hides"


def _some_grant_hides(user: Person | None) -> bool:
    """Whether any permission decides access without giving view (an administrator may
    define one, e.g. "No access"); read once per request."""
    from portico.service.models import Permission

    cached: bool | None = getattr(user, _HIDING_ATTR, None)
    if cached is None:
        cached = setup.remembered(
            "some_grant_hides",
            None,
            Permission.objects.filter(decides_access=True, view=False).exists,
        )
        if user is not None and user.is_authenticated:
            setattr(user, _HIDING_ATTR, cached)
    return cached


def transaction_for(user: Person | None, number: str) -> Transaction:
    """The transaction by its number, if the person may see it; otherwise 404 — the
    same answer for "does not exist" and "not yours", so numbers leak nothing.

    Read by its number and then judged by `capabilities`, the same rule as
    `visible_transactions` (the property test compares them): building that filter's SQL
    cost more than running it, and the page asks for the capabilities next anyway (once,
    inside `deciding_once`)."""
    from django.http import Http404

    transaction = _BY_NUMBER.one(number=number)
    if transaction is None:
        raise Http404("No such transaction.")
    # One join fewer for PostgreSQL to plan, on every page of a transaction.
    attach_applications(user, [transaction])
    if "view" not in capabilities(user, transaction):
        raise Http404("No such transaction.")
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


# --- money -------------------------------------------------------------------------------
# A transaction's value and cost (seed 002: "dollar value, cost of call") are the desk's
# own figures: what the work is worth and what it cost. Nobody outside the staff sees them
# on a page or in the API, nor sets them through any channel. Among the staff, whoever may
# change the transaction's profile (its classification) may set them: both say what the
# transaction is, and no new permission is needed to decide it.


def may_see_money(user: Person | None, transaction: Transaction) -> bool:
    return is_staff(user) and can(user, "view", transaction)


def may_set_money(user: Person | None, transaction: Transaction) -> bool:
    return is_staff(user) and can(user, "edit_profile", transaction)


def require_money(user: Person | None, transaction: Transaction) -> None:
    """Raise PermissionDenied unless the person may set the value and cost."""
    if not may_set_money(user, transaction):
        raise PermissionDenied("You may not set this transaction's value and cost.")


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


def may_see_classification(user: Person | None, classification: Classification) -> bool:
    """`classification_filter` for a classification already in hand."""
    from portico.service.models import Classification

    return (
        sees_staff_only_classifications(user)
        or classification.audience == Classification.Audience.EVERYONE
    )
