"""The satisfaction banner of the portal's transaction page: what it shows, read from
`portico.surveys`; the answer itself is posted to `portal.views.satisfaction`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from portico.parties.models import Individual
from portico.service.models import Transaction
from portico.surveys import services as surveys
from portico.surveys.models import Answer, SatisfactionSetting


@dataclass(frozen=True)
class Survey:
    """The satisfaction banner of a transaction page: the question the person was sent,
    or their answer with the form to change it."""

    answer: Answer
    setting: SatisfactionSetting
    choices: list[tuple[int, str]]
    chosen: int | None
    comment: str
    extra: str
    label: str
    errors: list[str]
    may_reopen: bool


def survey(
    me: Individual,
    transaction: Transaction,
    moves: frozenset[str],
    posted: tuple[dict[str, Any], ValidationError] | None,
) -> Survey | None:
    answer = surveys.asked(me, transaction)
    if answer is None:
        return None
    setting = surveys.setting_for(transaction.application)
    chosen, comment, extra = answer.rating, answer.comment, answer.extra_answer
    errors: list[str] = []
    if posted is not None:  # a refused answer: shown again as typed, with why
        form, error = posted
        chosen, comment, extra = form["rating"] or None, form["comment"], form["extra"]
        errors = [str(m) for m in error.messages]
    return Survey(
        answer=answer,
        setting=setting,
        choices=surveys.choices(setting),
        chosen=chosen,
        comment=comment,
        extra=extra,
        label=surveys.rating_label(setting, answer.rating),
        errors=errors,
        may_reopen="reopen" in moves,
    )
