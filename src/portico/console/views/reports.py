"""The Reports zone (seed 003: "monitoring and measuring feedback on all elements of the
customer service delivery"): the satisfaction figures of issue 23. The zone's other
pages, read from the roll-ups, are in portico.reports; this one counts the answers
themselves, a few a day.

The figures count only answers about transactions the reader may see
(`access.visible_transactions`), so a group's numbers never include a request its
reader could not open."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from portico import access
from portico.console.report_forms import PeriodForm
from portico.service.filters import ALL_STATUSES, PRODUCT
from portico.service.models import Application, Choice
from portico.surveys import figures


@access.zone_required(access.REPORTS)
@require_GET
def satisfaction(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET, today=timezone.localdate())
    context: dict[str, object] = {"form": form, "rows": [], "total": None}
    if form.is_valid():
        since, until = form.period()
        by = form.cleaned_data["by"]
        visible = access.visible_transactions(request.user)
        found = figures.figures(by, transactions=visible, since=since, until=until)
        links = _list_links(by, [f.key for f in found if f.key is not None])
        context.update(
            by_label=figures.DIMENSIONS[by],
            rows=[(f, links.get(f.key) if f.key is not None else None) for f in found],
            total=figures.totals(transactions=visible, since=since, until=until),
        )
    return render(
        request,
        "console/reports/satisfaction.html",
        context,
        status=200 if form.is_valid() else 400,
    )


def _list_links(by: str, keys: list[int]) -> dict[int, str]:
    """The transaction list filtered to each group, where the list has such a filter
    (it has none by resolver). The list shows transactions now, whatever their answer
    or its date: a way into the group's work, not the figure's rows."""
    if by in ("team", "assignee", "organization"):
        values = {key: str(key) for key in keys}
    elif by == "application":
        values = dict(Application.objects.filter(pk__in=keys).values_list("pk", "code"))
    elif by == "product":
        values = dict(
            Choice.objects.filter(pk__in=keys, classification__code=PRODUCT).values_list(
                "pk", "code"
            )
        )
    else:
        return {}
    url = reverse("console:transactions")
    return {
        key: f"{url}?{urlencode({by: value, 'status': ALL_STATUSES})}"
        for key, value in values.items()
    }
