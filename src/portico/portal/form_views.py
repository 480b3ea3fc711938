"""The portals' feedback-form pages: the forms open to the person, one form to fill in,
and the thanks. Which forms a person sees is `access.answerable_forms` and
`access.form_for`; the rules of an answer are `surveys.feedback.submit`, the same as
the API's, so a refused answer shows the same words against the same question."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils import timezone

from portico import access
from portico.audit.models import Channel
from portico.portal.sites import Site
from portico.portal.views import _individual, _render
from portico.surveys import feedback
from portico.surveys.models import Form, Question


def form_list(request: HttpRequest, site: Site) -> HttpResponse:
    forms = access.answerable_forms(request.user).order_by("closes_at", "-created_at", "pk")
    return _render(
        request,
        site,
        "portal/forms.html",
        {
            "forms": list(forms),
            "form_url_name": site.url_name("form"),
            "current": "forms",
            "has_forms": True,
        },
    )


def _data(form: Form, post: QueryDict) -> dict[str, Any]:
    """The answers posted, keyed as `feedback.submit` takes them: the question's id."""
    data: dict[str, Any] = {}
    for question in form.questions.all():
        if question.kind == Question.Kind.MULTIPLE:
            data[str(question.pk)] = post.getlist(question.field_name)
        elif question.field_name in post:
            data[str(question.pk)] = post.get(question.field_name, "")
    return data


def form_page(request: HttpRequest, site: Site, pk: int) -> HttpResponse:
    form = access.form_for(request.user, pk)
    person = _individual(request)
    questions = list(form.questions.all())
    errors: dict[str, list[str]] = {}
    given: dict[str, Any] = {}
    if request.method == "POST":
        given = _data(form, request.POST)
        try:
            feedback.submit(form=form, person=person, data=given, channel=Channel.WEB)
        except ValidationError as error:
            errors = error.message_dict
        else:
            return redirect(f"{site.url('form', form.pk)}?thanks=1")
    thanks = request.GET.get("thanks") == "1" and request.method == "GET"
    closed = not form.is_open(timezone.now())
    answered = (
        form.one_answer_per_person
        and not form.anonymous
        and form.responses.filter(person=person).exists()
    )
    rows = [
        {
            "question": q,
            "errors": errors.get(str(q.pk), []),
            "given": given.get(str(q.pk), [] if q.kind == Question.Kind.MULTIPLE else ""),
        }
        for q in questions
    ]
    return _render(
        request,
        site,
        "portal/form.html",
        {
            "form": form,
            "rows": rows,
            "general_errors": errors.get(feedback.NON_FIELD, []),
            "has_errors": bool(errors),
            "thanks": thanks,
            "closed": closed,
            "answered": answered and not thanks,
            "current": "forms",
            "has_forms": True,
        },
        status=400 if errors else 200,
    )
