"""A feedback form with one question of each kind, for the form tests."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from portico.parties.models import Individual, UserGroup
from tests.conftest import PERSONAS

FEATURES = "Readings\nAlarms\nReports"
OFTEN = "Daily\nWeekly"


def person(key: str) -> Individual:
    return Individual.objects.select_related("user", "user_group").get(email=PERSONAS[key].email)


def build_form(
    *,
    groups: tuple[str, ...] = ("Customers",),
    anonymous: bool = False,
    once: bool = True,
    opens_in: datetime.timedelta | None = None,
    closes_in: datetime.timedelta | None = None,
    active: bool = True,
    title: str = "Site survey",
) -> Any:
    from portico.surveys.models import Form, Question

    now = timezone.now()
    form = Form.objects.create(
        title=title,
        anonymous=anonymous,
        one_answer_per_person=once and not anonymous,
        opens_at=None if opens_in is None else now + opens_in,
        closes_at=None if closes_in is None else now + closes_in,
        active=active,
    )
    form.audience.set(UserGroup.objects.filter(name__in=groups))
    kinds = Question.Kind
    Question.objects.create(form=form, position=1, kind=kinds.TEXT, label="Comment")
    Question.objects.create(
        form=form, position=2, kind=kinds.CHOICE, label="How often", choices=OFTEN, required=True
    )
    Question.objects.create(
        form=form, position=3, kind=kinds.MULTIPLE, label="Features", choices=FEATURES
    )
    Question.objects.create(
        form=form, position=4, kind=kinds.RATING, label="Rating", rating_max=5, required=True
    )
    Question.objects.create(form=form, position=5, kind=kinds.DATE, label="Installed")
    return form


def ids(form: Any) -> dict[str, str]:
    """Question label → its id as the service and the API key answers."""
    return {q.label: str(q.pk) for q in form.questions.all()}


def good(form: Any) -> dict[str, Any]:
    q = ids(form)
    return {
        q["Comment"]: "Works well",
        q["How often"]: "Daily",
        q["Features"]: ["Readings", "Reports"],
        q["Rating"]: 4,
        q["Installed"]: "2024-03-01",
    }
