"""Who reads a satisfaction answer (issue 23): the staff who may open the transaction
read every answer about it; anyone else only their own — a colleague of the requester
who may see the request does not see how its requester rated it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from portico.access.roles import individual_of, is_staff
from portico.access.transactions import can

if TYPE_CHECKING:
    from portico.access.roles import Person
    from portico.service.models import Transaction
    from portico.surveys.models import Answer


def satisfaction_answers(user: Person | None, transaction: Transaction) -> QuerySet[Answer]:
    """The answered questions about `transaction` that `user` may read, newest first."""
    from portico.surveys.models import Answer

    answers = Answer.objects.filter(transaction=transaction, answered_at__isnull=False)
    if not can(user, "view", transaction):
        return answers.none()
    if not is_staff(user):
        person = individual_of(user)
        answers = answers.filter(person=person) if person is not None else answers.none()
    return answers.order_by("-answered_at")
