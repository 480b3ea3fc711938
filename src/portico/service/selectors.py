"""Reads that matter: every list of transactions starts from
`access.visible_transactions`, so each page is fast and safe for the same reason."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Exists, F, OuterRef, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from portico import access
from portico.access import setup
from portico.audit.models import Event
from portico.service.filters import ALL_STATUSES, OPEN_CATEGORIES, TransactionFilters
from portico.service.models import (
    Attachment,
    Grant,
    Note,
    Permission,
    Priority,
    ProfileField,
    ProfileValue,
    Relation,
    Status,
    Transaction,
)
from portico.statements import Statement
from portico.surveys.models import Answer

if TYPE_CHECKING:
    from collections.abc import Iterable

    from portico.access import Person
    from portico.parties.models import Individual

# What a list row shows beside the transaction. Organisation, requester and team are
# joined; application, status and priority (a handful of rows each) come by one small
# query apiece: joined as well, the eight-table query took PostgreSQL 32 ms to plan and
# 1 ms to run (console queue, scale L).
LIST_RELATED = ("organization", "requester", "team")
LIST_LOOKUPS = ("application", "status", "priority")


def for_list(transactions: QuerySet[Transaction]) -> QuerySet[Transaction]:
    """`transactions` with what a list row shows, at a fixed number of queries."""
    return transactions.select_related(*LIST_RELATED).prefetch_related(*LIST_LOOKUPS)


def listed(
    transactions: QuerySet[Transaction], *, related: tuple[str, ...] = LIST_RELATED
) -> QuerySet[Transaction]:
    """`for_list` less the small lookups, for a page that shows several lists: it reads
    them once for all of its rows with `fill_lookups`. `related`: the joined rows the
    page shows, when it shows fewer than the console's lists."""
    # No names would be select_related() of every foreign key: nothing joined instead.
    return transactions.select_related(*related) if related else transactions


def fill_lookups(*lists: Iterable[Transaction], user: Person | None) -> None:
    """Application, status and priority for every row of a page's lists, without a
    query: three per list made up a third of the console home's queries (15 of 28).
    Rows that already hold them are skipped.

    The applications come with the person's rights (`access.attach_applications`), the
    statuses and priorities from this process's copy of them (`access.setup`); a row
    whose lookup is not there (one outside the rights, a status made in another process
    a moment ago) has it read, one query for them all."""
    rows = [t for each in lists for t in each]
    access.attach_applications(user, rows)
    # The request's own copies of the kept rows, of those its rows use only: copying
    # all 36 statuses of the standard set-up cost more than the rest of this.
    kept_statuses = {status.pk: status for status in _kept_statuses()}
    kept_priorities = {priority.pk: priority for priority in _kept_priorities()}
    by_status = {
        pk: setup.fresh(kept_statuses[pk])
        for pk in {t.status_id for t in rows}
        if pk in kept_statuses
    }
    by_priority = {
        pk: setup.fresh(kept_priorities[pk])
        for pk in {t.priority_id for t in rows}
        if pk in kept_priorities
    }
    for t in rows:
        if t.status_id in by_status and not Transaction.status.is_cached(t):
            t.status = by_status[t.status_id]
        if t.priority_id in by_priority and not Transaction.priority.is_cached(t):
            t.priority = by_priority[t.priority_id]
    prefetch_related_objects(rows, *LIST_LOOKUPS)


def priorities() -> list[Priority]:
    """Every priority in order, this request's own copies of the process's."""
    return [setup.fresh(priority) for priority in _kept_priorities()]


def _kept_statuses() -> list[Status]:
    """Every status, the process's own rows (`access.setup`): copy before handing on."""
    return setup.remembered("statuses", None, lambda: list(Status.objects.all()))


def _kept_priorities() -> list[Priority]:
    """Every priority in order, the process's own rows: copy before handing on."""
    return setup.remembered("priorities", None, lambda: list(Priority.objects.all()))


def transaction_list(
    user: Person | None,
    filters: TransactionFilters,
    *,
    now: datetime.datetime | None = None,
    per_row: bool = False,
) -> QuerySet[Transaction]:
    """The transactions the person may see, narrowed by `filters`, in the list's order
    (soonest due first, none due last, then by id). The one list behind the console's
    list and exports, the portals' lists and the API: each pages or re-orders it as it
    shows it. `per_row` as for `access.visible_transactions`."""
    narrowed = narrow(
        access.visible_transactions(user, per_row=per_row), filters, now=now or timezone.now()
    )
    return narrowed.order_by(F("due_at").asc(nulls_last=True), "id")


def narrow(
    transactions: QuerySet[Transaction],
    filters: TransactionFilters,
    *,
    now: datetime.datetime,
) -> QuerySet[Transaction]:
    """`transactions` narrowed by `filters`, each filter in a shape an index can serve
    (the PostgreSQL plans are held by tests/test_query_plans.py)."""
    f = filters
    if f.application is not None:
        transactions = transactions.filter(application_id=f.application.pk)
    if f.status != ALL_STATUSES:
        categories = [f.status] if f.status else list(OPEN_CATEGORIES)
        # By status id (a tiny table), so the (status, due_at) index can serve it.
        transactions = transactions.filter(
            status_id__in=Status.objects.filter(category__in=categories).values("pk")
        )
        if set(categories) <= set(OPEN_CATEGORIES):
            # The same rows (the status actions keep resolved_at null exactly while the
            # status is an open one), said so that the partial index of unresolved
            # transactions by due time serves the queue: by status alone the first page
            # walked 8,000 finished transactions (scale L).
            transactions = transactions.filter(resolved_at__isnull=True)
    if f.priority is not None:
        transactions = transactions.filter(priority_id=f.priority.pk)
    if f.organization is not None:
        transactions = transactions.filter(organization_id=f.organization.pk)
    if f.team is not None:
        transactions = transactions.filter(team_id=f.team.pk)
    if f.assignee is not None:
        # The task list's own rule (and its literal permission ids, for the planner).
        assigned = task_grants(f.assignee).filter(transaction_id=OuterRef("pk"))
        transactions = transactions.filter(Exists(assigned))
    for choice in (f.product, f.area):
        if choice is not None:
            # EXISTS on (choice, transaction): the profile_value_choice index.
            transactions = transactions.filter(
                Exists(
                    ProfileValue.objects.filter(choice_id=choice.pk, transaction_id=OuterRef("pk"))
                )
            )
    transactions = _due_within(transactions, f.due, now=now)
    if f.q:
        # A number is matched whole (its unique index); words are looked for in the title.
        transactions = transactions.filter(Q(number=f.q.upper()) | Q(title__icontains=f.q))
    return transactions


def _due_within(
    transactions: QuerySet[Transaction], due: str, *, now: datetime.datetime
) -> QuerySet[Transaction]:
    if due == "overdue":
        return transactions.filter(due_at__lt=now, resolved_at__isnull=True)
    if due == "today":
        # "Today" is the local working day, not the UTC one.
        start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        return transactions.filter(due_at__gte=start, due_at__lt=start + datetime.timedelta(days=1))
    if due == "week":
        return transactions.filter(due_at__gte=now, due_at__lt=now + datetime.timedelta(days=7))
    return transactions


def task_list(user: Person) -> QuerySet[Transaction]:
    """The person's transactions "assigned to for action", soonest due first, as `listed`
    rows (their lookups by `fill_lookups`, or `for_list` for a list of its own)."""
    individual = access.individual_of(user)
    if individual is None:
        return Transaction.objects.none()
    grants = task_grants(individual)
    assigned = grants.filter(transaction_id=OuterRef("pk"))
    running = Q(resolved_at__isnull=True)
    # A resolved one stays while a "not satisfied" answer about it waits for follow-up
    # (issue 23). They are few, so their ids go in as literals: the running half keeps
    # its plan.
    follow_ups = list(
        Answer.objects.filter(satisfied=False, followed_up_at__isnull=True)
        .filter(transaction_id__in=grants.values("transaction_id"))
        .values_list("transaction_id", flat=True)
    )
    if follow_ups:
        running |= Q(pk__in=follow_ups)
    return listed(access.visible_transactions(user).filter(Exists(assigned), running)).order_by(
        "due_at", "id"
    )


def task_grants(individual: Individual) -> QuerySet[Grant]:
    """The grants that put transactions on the person's task list.

    The permissions go in as literal ids, not a join: only then can PostgreSQL use what
    it knows of (person, permission) pairs (statistics from service/0006). Joined, it
    took a technician's 14,000 task grants for 2,000, and read every one of their
    transactions to find the 361 still running (114 ms at scale L) rather than walk the
    running ones by due time until the page is full (10 ms)."""
    permissions = setup.remembered(
        "task_permissions",
        None,
        lambda: list(Permission.objects.filter(on_task_list=True).values_list("pk", flat=True)),
    )
    return Grant.objects.filter(individual_id=individual.pk, permission_id__in=permissions)


def breached(user: Person, *, now: datetime.datetime | None = None) -> QuerySet[Transaction]:
    """Running transactions past a due time: each half uses its own partial index."""
    late_response, late_resolution = _late(now or timezone.now())
    return for_list(
        access.visible_transactions(user).filter(late_response | late_resolution)
    ).order_by("due_at", "id")


def _late(now: datetime.datetime) -> tuple[Q, Q]:
    """Late to respond, and late to resolve, at `now`: each the WHERE of its partial
    index (transaction_response_breach, transaction_resolution_breach) and more.

    A closed request owes no response: one the customer withdrew before we answered has
    no first response (it was not ours), and is not late. (Resolving it is our response,
    clock.move.) It is closed_at, not resolved_at, that says so: with resolved_at
    both halves would share the resolution index's whole condition, and PostgreSQL,
    taking it out of the OR, reads every running transaction through that index rather
    than the late ones of each."""
    return (
        Q(
            first_response_at__isnull=True,
            closed_at__isnull=True,
            sla_paused_at__isnull=True,
            response_due_at__lt=now,
        ),
        Q(resolved_at__isnull=True, sla_paused_at__isnull=True, resolution_due_at__lt=now),
    )


def breaching_first(user: Person, *, now: datetime.datetime, limit: int) -> list[Transaction]:
    """The `limit` transactions of `breached(user, now=now)` whose breach comes first, each
    with `breach_target` ("Response" while the response is late, else "Resolution") and
    `breach_at` (that due time), earliest first.

    Read as two lists, each in the order of its own partial index, and merged: ordered
    by the earlier of two due times, one query read and sorted every breached
    transaction (12,900 at scale L) to show ten."""
    late_response, late_resolution = _late(now)
    visible = listed(access.visible_transactions(user))
    responses = list(visible.filter(late_response).order_by("response_due_at", "id")[:limit])
    resolutions = list(
        visible.filter(late_resolution)
        .exclude(late_response)
        .order_by("resolution_due_at", "id")[:limit]
    )
    for transaction in responses:
        transaction.breach_target = "Response"  # type: ignore[attr-defined]
        transaction.breach_at = transaction.response_due_at  # type: ignore[attr-defined]
    for transaction in resolutions:
        transaction.breach_target = "Resolution"  # type: ignore[attr-defined]
        transaction.breach_at = transaction.resolution_due_at  # type: ignore[attr-defined]
    both = sorted(responses + resolutions, key=lambda t: (t.breach_at, t.pk))  # type: ignore[attr-defined]
    fill_lookups(both[:limit], user=user)
    return both[:limit]


def notes_for(user: Person, transaction: Transaction) -> QuerySet[Note]:
    """The notes timeline as the person may read it (`access.readable_notes`)."""
    return (
        access.readable_notes(user, transaction)
        .select_related("author", "contact")
        .order_by("created_at", "id")
    )


def attachments_for(user: Person, transaction: Transaction) -> QuerySet[Attachment]:
    """The files as the person may download them (`access.readable_attachments`)."""
    return (
        access.readable_attachments(user, transaction)
        .select_related("uploaded_by")
        .order_by("created_at", "id")
    )


def attachment_for(user: Person, transaction: Transaction, attachment_id: int) -> Attachment:
    """One attachment, fetched by (transaction, attachment) so an id from another
    transaction never resolves; 404 when it is not there or not the person's to see."""
    from django.http import Http404

    try:
        return attachments_for(user, transaction).get(pk=attachment_id)
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise Http404("No such file.") from None


# Every page of a transaction asks; most have none (portico.statements: SQL written once).
_RELATIONS = Statement(
    lambda transaction: Relation.objects.filter(
        Q(source_id=transaction) | Q(target_id=transaction)
    ),
    transaction=int,
)
_PROFILE_VALUES = Statement(
    lambda transaction: ProfileValue.objects.filter(transaction_id=transaction).select_related(
        "choice"
    ),
    transaction=int,
)


@dataclass(frozen=True)
class RelatedTransaction:
    label: str
    transaction: Transaction


def relations_of(user: Person, transaction: Transaction) -> list[RelatedTransaction]:
    """Links from both ends, with the other end only where the person may see it."""
    rows = _RELATIONS.rows(transaction=transaction.pk)
    if not rows:
        return []  # most have none: no visibility filter to build
    out = [r for r in rows if r.source_id == transaction.pk]
    into = [r for r in rows if r.target_id == transaction.pk]
    others = {
        t.pk: t
        for t in access.visible_transactions(user)
        .filter(pk__in=[r.target_id for r in out] + [r.source_id for r in into])
        .select_related("status")
    }
    related = [
        RelatedTransaction(r.get_kind_display(), others[r.target_id])
        for r in out
        if r.target_id in others
    ]
    related += [
        RelatedTransaction(Relation.INVERSE[Relation.Kind(r.kind)], others[r.source_id])
        for r in into
        if r.source_id in others
    ]
    return sorted(related, key=lambda r: r.transaction.number)


def history_of(user: Person, transaction: Transaction) -> QuerySet[Event]:
    """The audit trail of one transaction, newest first, as the person may read it: for
    staff who may see it, and the events of its internal notes only for those who may
    read them (`access.readable_history`)."""
    return (
        access.readable_history(user, transaction)
        .select_related("actor")
        .order_by("-occurred_at", "-id")
    )


def profile_shown(user: Person, transaction: Transaction) -> list[tuple[ProfileField, str]]:
    """The Profile as the person may read it, in the application's order, the values
    given only: staff-only classifications (Root cause) never reach anyone else
    (`access.may_see_classification`). The fields are kept set-up; only those shown
    are copied for the request."""
    values = {
        value.classification_id: value.display
        for value in _PROFILE_VALUES.rows(transaction=transaction.pk)
    }
    if not any(values.values()):
        return []
    return [
        (setup.fresh(field), values[field.classification_id])
        for field in _profile_layout(transaction.application_id)
        if values.get(field.classification_id)
        and access.may_see_classification(user, field.classification)
    ]


def _profile_layout(application_id: int) -> list[ProfileField]:
    """An application's profile fields with their classifications, in order: set-up
    kept per process (`access.setup`), a query fewer on every transaction page. Not
    `actions.profile_fields`, whose copies of every field's choices cost more than the
    query (a millisecond and a half for the standard Service Issue)."""
    return setup.remembered(
        "profile_layout",
        application_id,
        lambda: list(
            ProfileField.objects.filter(application_id=application_id)
            .select_related("classification")
            .order_by("position", "pk")
        ),
    )
