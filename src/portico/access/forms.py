"""Who answers which feedback forms, and who reads their results.

A form's audience is a set of user groups, as a knowledge article's is
(`access.knowledge.visible_publications`): a person is asked when their group is named.
Unlike an article, a form has no "public" and no staff exception: a form is a question
put to the groups named, and staff answer only the forms addressed to them."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from portico.access import setup
from portico.access.roles import individual_of, is_staff, may_administer, may_enter
from portico.parties.zones import REPORTS

if TYPE_CHECKING:
    from portico.access.roles import Person
    from portico.parties.models import Individual
    from portico.surveys.models import Form


def _addressed(individual: Individual, now: datetime.datetime) -> QuerySet[Form]:
    """Active forms that name the person's group and have opened."""
    from portico.surveys.models import Form

    named = Form.audience.through.objects.filter(
        form=OuterRef("pk"), usergroup=individual.user_group_id
    )
    return Form.objects.filter(Exists(named), active=True).filter(
        Q(opens_at__isnull=True) | Q(opens_at__lte=now)
    )


def answerable_forms(
    user: Person | None, *, now: datetime.datetime | None = None
) -> QuerySet[Form]:
    """The forms a person may answer now, as one query: active, addressed to their group,
    opened and not closed, and not a one-answer form they have answered already."""
    from portico.surveys.models import Response

    individual = individual_of(user)
    if individual is None:
        from portico.surveys.models import Form

        return Form.objects.none()
    now = now or timezone.now()
    answered = Response.objects.filter(form=OuterRef("pk"), person=individual)
    return (
        _addressed(individual, now)
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
        .exclude(Q(one_answer_per_person=True) & Exists(answered))
    )


def has_answerable_forms(user: Person | None, *, now: datetime.datetime | None = None) -> bool:
    """Whether `answerable_forms` holds any, for the portals' navigation on every page:
    the same rule, with the forms addressed to the group kept as set-up (`access.setup`)
    and their dates judged here, so only the one-answer forms still open ask whether the
    person answered them (building the one query's subqueries cost more than running it)."""
    from portico.surveys.models import Response

    individual = individual_of(user)
    if individual is None:
        return False
    now = now or timezone.now()
    open_now = [
        (pk, once)
        for pk, opens_at, closes_at, once in _addressed_to_group(individual.user_group_id)
        if (opens_at is None or opens_at <= now) and (closes_at is None or closes_at > now)
    ]
    if any(not once for _pk, once in open_now):
        return True
    once_only = {pk for pk, _once in open_now}
    if not once_only:
        return False
    answered = set(
        Response.objects.filter(form_id__in=once_only, person_id=individual.pk).values_list(
            "form_id", flat=True
        )
    )
    return bool(once_only - answered)


def _addressed_to_group(
    group_id: int,
) -> list[tuple[int, datetime.datetime | None, datetime.datetime | None, bool]]:
    """The active forms that name the group, as (id, opens, closes, one answer each)."""
    from portico.surveys.models import Form

    return setup.remembered(
        "forms_addressed",
        group_id,
        lambda: list(
            Form.objects.filter(active=True, audience=group_id).values_list(
                "pk", "opens_at", "closes_at", "one_answer_per_person"
            )
        ),
    )


def form_for(user: Person | None, pk: int, *, now: datetime.datetime | None = None) -> Form:
    """One form as its page opens it: one addressed to the person that has opened (it
    may since have closed, or they may have answered it: the page says so). Anything
    else — no such form, not theirs, not active, not open yet — is the same 404."""
    individual = individual_of(user)
    found = None
    if individual is not None:
        found = _addressed(individual, now or timezone.now()).filter(pk=pk).first()
    if found is None:
        raise Http404("There is no such form for you.")
    return found


def is_addressed_to(individual: Individual, form: Form) -> bool:
    """Whether the form's audience names the person's group (the service asks this)."""
    return form.active and form.audience.filter(pk=individual.user_group_id).exists()


def may_read_form_results(user: Person | None) -> bool:
    """Results are the staff's figures: for those who enter the Reports zone and for
    administrators, who build the forms."""
    return is_staff(user) and (may_enter(user, REPORTS) or may_administer(user))


def require_form_results(user: Person | None) -> None:
    if not may_read_form_results(user):
        raise PermissionDenied("Only the Reports zone and administrators read form results.")
