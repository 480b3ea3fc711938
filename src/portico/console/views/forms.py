"""Feedback forms' results for the staff who read reports: the forms with how many
answered, one form's counts per answer, and every answer as CSV. Who may read them is
`access.may_read_form_results`; the figures are `surveys.feedback`'s."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from portico import access
from portico.surveys import feedback
from portico.surveys.models import Form


@access.zone_required(access.CONSOLE)
@require_GET
def form_list(request: HttpRequest) -> HttpResponse:
    access.require_form_results(request.user)
    forms = Form.objects.annotate(answer_count=Count("responses")).order_by("-created_at", "-pk")
    return render(request, "console/forms.html", {"forms": forms, "now": timezone.now()})


@access.zone_required(access.CONSOLE)
@require_GET
def results(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_form_results(request.user)
    form = get_object_or_404(Form, pk=pk)
    total, per_question = feedback.results(form)
    return render(
        request,
        "console/form_results.html",
        {"form": form, "total": total, "results": per_question},
    )


@access.zone_required(access.CONSOLE)
@require_GET
def results_csv(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_form_results(request.user)
    form = get_object_or_404(Form, pk=pk)
    # Built whole: a form's answers are a few thousand rows at most, unlike the lists.
    response = HttpResponse(
        "".join(feedback.csv_chunks(form)), content_type="text/csv; charset=utf-8"
    )
    filename = f"form-{form.pk}-answers-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
