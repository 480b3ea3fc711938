"""The transaction list: filters, keyset paging and saved views.

Every row comes from `access.visible_transactions`, so the list shows exactly what the
person may open. Paging is by (due_at, id) cursor, never OFFSET, and nothing counts the
whole set: the page costs the same at ten rows and at ten million."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from portico import access
from portico.console.forms import Cursor, SaveViewForm, TransactionFilterForm, page_of
from portico.console.models import SavedView
from portico.forms_renderer import drawn
from portico.pages import done
from portico.service import selectors

PAGE_SIZE = 50


@access.zone_required(access.CONSOLE)
@require_GET
def transaction_list(request: HttpRequest) -> HttpResponse:
    context = _list_context(request, request.GET)
    status = 400 if context["filter_errors"] else 200
    return render(request, "console/list.html", context, status=status)


def _list_context(
    request: HttpRequest, params: QueryDict, *, save_form: SaveViewForm | None = None
) -> dict[str, Any]:
    now = timezone.now()
    form = TransactionFilterForm(params, user=request.user)
    owner = access.individual_of(request.user)
    rows: list[Any] = []
    next_url = ""
    cursor_error = ""
    filter_errors = not form.is_valid()
    if not filter_errors:
        after = None
        raw_after = str(params.get("after", ""))
        if raw_after:
            try:
                after = Cursor.decode(raw_after)
            except ValidationError as error:
                cursor_error = " ".join(error.messages)
        transactions = selectors.listed(
            selectors.transaction_list(request.user, form.filters, now=now)
        )
        rows, next_cursor = page_of(transactions, after=after, size=PAGE_SIZE)
        selectors.fill_lookups(rows, user=request.user)
        if next_cursor is not None:
            following = QueryDict(form.query_string(), mutable=True)
            following["after"] = next_cursor.encode()
            next_url = f"{reverse('console:transactions')}?{following.urlencode()}"
    current_query = form.query_string()
    saved_views = list(SavedView.objects.filter(owner=owner)) if owner is not None else []
    return {
        "form": form,
        "rows": rows,
        "rows_html": drawn("console/_queue_rows.html", {"rows": rows, "now": now}) if rows else "",
        "now": now,
        "filter_errors": filter_errors,
        "cursor_error": cursor_error,
        "later_page": bool(params.get("after")) and not (filter_errors or cursor_error),
        "next_url": next_url,
        "first_url": f"{reverse('console:transactions')}?{current_query}".rstrip("?"),
        "current_query": current_query,
        "saved_views": saved_views,
        "save_form": save_form
        or SaveViewForm(initial={"query": current_query}, owner=owner, user=request.user),
    }


@access.zone_required(access.CONSOLE)
@require_POST
def save_view(request: HttpRequest) -> HttpResponse:
    """Save the current filters under a name (POST, then back to the list showing it)."""
    owner = access.individual_of(request.user)
    if owner is None:
        raise PermissionDenied("Only a person can save views.")
    form = SaveViewForm(request.POST, owner=owner, user=request.user)
    if form.is_valid():
        try:
            with transaction.atomic():
                view = SavedView.objects.create(
                    owner=owner, name=form.cleaned_data["name"], query=form.cleaned_data["query"]
                )
        except IntegrityError:
            form.add_error("name", "You already have a view with that name.")
        else:
            messages.success(request, f"Saved the view “{view.name}”.")
            url = reverse("console:transactions")
            return done(request, f"{url}?{view.query}" if view.query else url)
    # Show the list the person was looking at, with the save form's errors beside it.
    params = QueryDict(str(request.POST.get("query", ""))[:2000])
    context = _list_context(request, params, save_form=form)
    return render(request, "console/list.html", context, status=400)


@access.zone_required(access.CONSOLE)
@require_POST
def delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete one of the person's own saved views; anyone else's is a 404, the same
    answer as for a view that does not exist."""
    owner = access.individual_of(request.user)
    view = get_object_or_404(SavedView, pk=pk, owner_id=owner.pk if owner else None)
    name = view.name
    view.delete()
    messages.success(request, f"Deleted the view “{name}”.")
    return done(request, reverse("console:transactions"))
