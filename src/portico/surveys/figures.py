"""Satisfaction figures: answers counted per resolver, assignee, team, application,
product or organisation over a period (issue 23; the Reports zone of issue 24 shows
them).

Only answers about transactions in `transactions` are counted: callers pass what the
reader may see (`access.visible_transactions(user)`), so a figure never counts a row its
reader could not open. An answer counts once per group it falls in: a transaction with
two assignees counts for each of them, and one with no product under "(none)".
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, FilteredRelation, Q, QuerySet

from portico.parties.models import Individual, Organization
from portico.service.filters import PRODUCT
from portico.service.models import (
    Application,
    Choice,
    Classification,
    Permission,
    Transaction,
)
from portico.surveys.models import Answer

DIMENSIONS: dict[str, str] = {
    "resolver": "Resolver",
    "assignee": "Assignee",
    "team": "Team",
    "application": "Application",
    "product": "Product",
    "organization": "Organisation",
}
NONE_LABEL = "(none)"


@dataclass(frozen=True)
class Figure:
    key: int | None
    label: str
    answered: int
    satisfied: int

    @property
    def not_satisfied(self) -> int:
        return self.answered - self.satisfied

    @property
    def share(self) -> float | None:
        """Per cent of the answers that were satisfied; None with no answers."""
        return round(100 * self.satisfied / self.answered, 1) if self.answered else None


def answered(
    transactions: QuerySet[Transaction], since: datetime.datetime, until: datetime.datetime
) -> QuerySet[Answer]:
    """Answers given in [since, until) about the given transactions."""
    return Answer.objects.filter(
        answered_at__gte=since, answered_at__lt=until, transaction__in=transactions.values("pk")
    )


def figures(
    by: str,
    *,
    transactions: QuerySet[Transaction],
    since: datetime.datetime,
    until: datetime.datetime,
) -> list[Figure]:
    """The answers of the period grouped `by` one of DIMENSIONS, most answers first."""
    if by not in DIMENSIONS:
        raise ValueError(f"no satisfaction figures by {by!r}")
    rows = _joined(by, answered(transactions, since, until))
    counted = (
        rows.annotate(group=_KEYS[by])
        .values("group")
        .annotate(
            n=Count("pk", distinct=True), good=Count("pk", distinct=True, filter=Q(satisfied=True))
        )
        .order_by()
    )
    found = {row["group"]: (row["n"], row["good"]) for row in counted}
    labels = _labels(by, [k for k in found if k is not None])
    result = [
        Figure(
            key=k,
            label=labels.get(k, NONE_LABEL) if k is not None else NONE_LABEL,
            answered=n,
            satisfied=good,
        )
        for k, (n, good) in found.items()
    ]
    return sorted(result, key=lambda f: (-f.answered, f.label))


def totals(
    *, transactions: QuerySet[Transaction], since: datetime.datetime, until: datetime.datetime
) -> Figure:
    """All the period's answers in one figure."""
    counted = answered(transactions, since, until).aggregate(
        n=Count("pk"), good=Count("pk", filter=Q(satisfied=True))
    )
    return Figure(key=None, label="All", answered=counted["n"], satisfied=counted["good"])


_KEYS: dict[str, F] = {
    "resolver": F("resolver__individual__pk"),
    "assignee": F("task__individual_id"),
    "team": F("transaction__team_id"),
    "application": F("transaction__application_id"),
    "organization": F("transaction__organization_id"),
    "product": F("product__choice_id"),
}


def _joined(by: str, rows: QuerySet[Answer]) -> QuerySet[Answer]:
    if by == "assignee":
        # Assigned to for action when it was resolved: the grants that put it on someone's
        # task list, made before the question (not the supervisor's follow-up).
        return rows.alias(
            task=FilteredRelation(
                "transaction__grants",
                condition=Q(
                    transaction__grants__permission_id__in=list(
                        Permission.objects.filter(on_task_list=True).values_list("pk", flat=True)
                    ),
                    transaction__grants__individual__isnull=False,
                    transaction__grants__granted_at__lte=F("asked_at"),
                ),
            )
        )
    if by == "product":
        return rows.alias(
            product=FilteredRelation(
                "transaction__profile_values",
                condition=Q(
                    transaction__profile_values__classification_id__in=list(
                        Classification.objects.filter(code=PRODUCT).values_list("pk", flat=True)
                    )
                ),
            )
        )
    return rows


def _labels(by: str, keys: list[int]) -> dict[int | None, str]:
    if by in ("resolver", "assignee"):
        people = Individual.objects.filter(pk__in=keys).values_list("pk", "first_name", "last_name")
        return {pk: f"{first} {last}".strip() for pk, first, last in people}
    if by in ("team", "organization"):
        return dict(Organization.objects.filter(pk__in=keys).values_list("pk", "name"))
    if by == "application":
        return dict(Application.objects.filter(pk__in=keys).values_list("pk", "name"))
    return dict(Choice.objects.filter(pk__in=keys).values_list("pk", "label"))
