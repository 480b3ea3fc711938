"""The staff's side of the knowledge base, in the console: every article whatever its
status, writing and publishing them, turning a resolved transaction into a draft, and
what self-support tells us (searches that found nothing, problems solved by reading)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from portico import access, pages
from portico.knowledge import services
from portico.knowledge.forms import ArticleForm
from portico.knowledge.models import Article, Deflection, Search, Status
from portico.parties.models import User

LIST_ROWS = 50


def _editor(request: HttpRequest) -> User:
    """The editor's pages refuse anyone else before showing a form or an article in
    any state (a draft included); the writes are `knowledge.services`', which decide
    again for every caller, the API and the demo loader included."""
    access.require_editor(request.user)
    assert isinstance(request.user, User)  # zone_required let only a log-in through
    return request.user


@access.zone_required(access.CONSOLE)
def articles(request: HttpRequest) -> HttpResponse:
    _editor(request)
    status = request.GET.get("status", "")
    listed = (
        Article.objects.select_related("category")
        .prefetch_related("audience")
        .annotate(
            helpful=Count("feedback", filter=Q(feedback__helpful=True), distinct=True),
            unhelpful=Count("feedback", filter=Q(feedback__helpful=False), distinct=True),
        )
    )
    if status:
        listed = listed.filter(status=status)
    page = Paginator(listed.order_by("-updated_at", "-id"), LIST_ROWS).get_page(
        request.GET.get("page")
    )
    unanswered = (
        Search.objects.filter(results=0)
        .values("query")
        .annotate(times=Count("pk"))
        .order_by("-times", "query")[:10]
    )
    return render(
        request,
        "knowledge/editor_list.html",
        {
            "page": page,
            "status": status,
            "status_choices": Status.choices,
            "unanswered": unanswered,
            "deflections": Deflection.objects.count(),
            "searches": Search.objects.count(),
        },
    )


@access.zone_required(access.CONSOLE)
def edit(request: HttpRequest, article_id: int | None = None) -> HttpResponse:
    editor = _editor(request)
    found = get_object_or_404(Article, pk=article_id) if article_id is not None else None
    if request.method == "POST":
        form = ArticleForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = services.save_article(
                    actor=editor,
                    article=found,
                    change=services.ArticleChange(
                        title=data["title"],
                        summary=data["summary"],
                        body=data["body"],
                        category=data["category"],
                        tags=data["tags"],
                        products=tuple(data["products"]),
                        status=data["status"],
                        public=data["public"],
                        audience=tuple(data["audience"]),
                        change_note=data["change_note"],
                    ),
                )
            except ValidationError as error:
                pages.add_service_errors(form, error)
            else:
                messages.success(request, f"“{saved.title}” is saved (version {saved.version}).")
                return pages.done(request, reverse("knowledge:article", args=[saved.slug]))
        status = 400
    else:
        initial = {}
        if found is not None:
            initial = {
                "title": found.title,
                "summary": found.summary,
                "body": found.body,
                "category": found.category,
                "tags": found.tags,
                "products": list(found.products.all()),
                "status": found.status,
                "public": found.public,
                "audience": list(found.audience.all()),
            }
        form = ArticleForm(initial=initial)
        status = 200
    return render(
        request, "knowledge/editor_edit.html", {"form": form, "article": found}, status=status
    )


@require_POST
@access.zone_required(access.CONSOLE)
def draft_from_transaction(request: HttpRequest, number: str) -> HttpResponse:
    # No form and nothing shown first: the service decides (403 for a non-editor), after
    # the same 404 for "no such number" and "not yours" as every transaction URL.
    editor = request.user
    assert isinstance(editor, User)  # zone_required let only a log-in through
    transaction = access.transaction_for(editor, number)
    try:
        draft = services.draft_from_transaction(actor=editor, transaction=transaction)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("console:transaction", number=number)
    messages.success(request, f"A draft article was made from {number}. Polish it and publish.")
    return redirect("knowledge:edit", article_id=draft.pk)
