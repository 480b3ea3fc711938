"""Reads the API needs that the domain apps do not have yet.

`filter_transactions` is the console list's filter logic as keyword arguments, meant to
move to `portico.service.selectors` so the console and the API share one copy."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from portico.service.models import Grant, ProfileValue, Status, Transaction

if TYPE_CHECKING:
    pass

OPEN_CATEGORIES = (Status.Category.NEW, Status.Category.OPEN, Status.Category.WAITING)
ALL_STATUSES = "all"


def filter_transactions(
    transactions: QuerySet[Transaction],
    *,
    now: datetime.datetime,
    text: str = "",
    application_id: int | None = None,
    status: str = "",
    priority_id: int | None = None,
    organization_id: int | None = None,
    team_id: int | None = None,
    assignee_id: int | None = None,
    choice_ids: tuple[int, ...] = (),
    due: str = "",
) -> QuerySet[Transaction]:
    """Narrow a queryset by the list filters, each written so an index can serve it."""
    if application_id is not None:
        transactions = transactions.filter(application_id=application_id)
    if status != ALL_STATUSES:
        categories = [status] if status else list(OPEN_CATEGORIES)
        # By status id (a tiny table), so the (status, due_at) index can serve it.
        transactions = transactions.filter(
            status_id__in=Status.objects.filter(category__in=categories).values("pk")
        )
    if priority_id is not None:
        transactions = transactions.filter(priority_id=priority_id)
    if organization_id is not None:
        transactions = transactions.filter(organization_id=organization_id)
    if team_id is not None:
        transactions = transactions.filter(team_id=team_id)
    if assignee_id is not None:
        transactions = transactions.filter(
            Exists(
                Grant.objects.filter(
                    transaction_id=OuterRef("pk"),
                    individual_id=assignee_id,
                    permission__on_task_list=True,
                )
            )
        )
    for choice_id in choice_ids:
        # EXISTS on (choice, transaction): the profile_value_choice index.
        transactions = transactions.filter(
            Exists(ProfileValue.objects.filter(choice_id=choice_id, transaction_id=OuterRef("pk")))
        )
    if due == "overdue":
        transactions = transactions.filter(due_at__lt=now, resolved_at__isnull=True)
    elif due == "today":
        # "Today" is the local working day, not the UTC one.
        start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        transactions = transactions.filter(
            due_at__gte=start, due_at__lt=start + datetime.timedelta(days=1)
        )
    elif due == "week":
        transactions = transactions.filter(
            due_at__gte=now, due_at__lt=now + datetime.timedelta(days=7)
        )
    text = text.strip()
    if text:
        # A number is matched whole (unique index); words are looked for in the title.
        transactions = transactions.filter(Q(number=text.upper()) | Q(title__icontains=text))
    return transactions
