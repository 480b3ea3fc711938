"""The knowledge pages everyone shares (/help/): search, articles, FAQs, downloads and
news, for visitors (public pieces only), customers, partners, employees and staff alike;
and the deflection widget the portals' "new request" form asks while a title is typed.

Views only do HTTP: who reads what is `access.visible_publications`, what a search finds
is `knowledge.selectors.search_help` (the API's search calls it too), every change is a
call to `knowledge.services`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from portico import access
from portico.knowledge import search, search_terms, selectors, services
from portico.knowledge.forms import FeedbackForm
from portico.knowledge.models import Article, Category, Document, Faq, NewsItem
from portico.service import content
from portico.service.views import serve_file

SUGGESTIONS = 5
LIST_ROWS = 30


def _zone(request: HttpRequest, zone: str) -> None:
    access.require_reading_zone(request.user, zone)


def _articles(request: HttpRequest) -> QuerySet[Article]:
    return access.visible_publications(request.user, Article.objects.all())


def new_request_url(request: HttpRequest, title: str = "") -> str:
    """Where "open a request instead" leads for this person, with what they were looking
    for carried over as the title; "" when they may not open one here."""
    from portico.portal.sites import SITES

    if not access.may_open_requests(request.user):
        return ""
    portal = access.portal_of(request.user)
    site = next((s for s in SITES if s.key == portal), None)
    if site is None:
        return ""  # staff open requests in the console, not from the help pages
    return site.create_url + ("?" + urlencode({"title": title}) if title else "")


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    _zone(request, access.KNOWLEDGE)
    articles = _articles(request)
    counts = dict(articles.order_by().values_list("category").annotate(n=Count("pk")))
    categories = Category.objects.filter(pk__in=[pk for pk in counts if pk is not None])
    return render(
        request,
        "knowledge/home.html",
        {
            "categories": [(c, counts.get(c.pk, 0)) for c in categories],
            "recent": articles.order_by("-updated_at", "-id")[:6],
            "faqs": access.visible_publications(request.user, Faq.objects.all())[:5],
            "news": access.visible_publications(request.user, NewsItem.objects.all())[:3],
            "may_edit": access.may_edit_knowledge(request.user),
            "new_request_url": new_request_url(request),
        },
    )


# 12 queries: session, person, and the search's own ten (known words, the floor's counts,
# candidates, which of them the reader may see, words held, articles, snippets, FAQs,
# downloads, and the search counted for the editors); none is repeated or set-up.
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    _zone(request, access.KNOWLEDGE)
    answer = selectors.search_help(user=request.user, query=request.GET.get("q", ""))
    return render(
        request,
        "knowledge/search.html",
        {
            "query": answer.query,
            "results": answer.results,
            "faqs": answer.faqs,
            "documents": answer.documents,
            "new_request_url": new_request_url(request, answer.query),
        },
    )


@require_GET
def suggest(request: HttpRequest) -> HttpResponse:
    """The deflection widget: articles that may already answer the request being typed.
    Quietly empty for anyone who may not read the knowledge base."""
    query = (request.GET.get("title") or request.GET.get("q") or "").strip()[
        : search_terms.MAX_QUERY
    ]
    hits: list[search.Hit] = []
    if len(query) >= 3 and access.may_search_knowledge(request.user):
        hits = search.search(request.user, query, limit=SUGGESTIONS, typing=True).hits
    return render(request, "knowledge/_suggestions.html", {"hits": hits, "query": query})


def _article_for(request: HttpRequest, slug: str) -> Article:
    _zone(request, access.KNOWLEDGE)
    try:
        return access.readable_articles(request.user).select_related("category").get(slug=slug)
    except Article.DoesNotExist:
        # The same answer for "no such article" and "not for you".
        raise Http404("No such article.") from None


def article(request: HttpRequest, slug: str) -> HttpResponse:
    found = _article_for(request, slug)
    return _article_page(request, found, FeedbackForm())


def _article_page(
    request: HttpRequest, found: Article, form: FeedbackForm, status: int = 200
) -> HttpResponse:
    query = request.GET.get("q", "").strip()[: search_terms.MAX_QUERY]
    may_edit = access.may_edit_knowledge(request.user)
    context: dict[str, Any] = {
        "article": found,
        "body_html": content.render_markdown(found.body),
        "products": found.products.all(),
        "query": query,
        "feedback_form": form,
        "may_edit": may_edit,
        "readable": _articles(request).filter(pk=found.pk).exists(),
        "new_request_url": new_request_url(request, query),
        "related": _articles(request)
        .filter(category=found.category_id)
        .exclude(pk=found.pk)
        .order_by("title")[:5]
        if found.category_id
        else [],
    }
    if may_edit:
        context["versions"] = found.versions.select_related("changed_by__individual")[:20]
        context["ratings"] = found.feedback.aggregate(
            yes=Count("pk", filter=Q(helpful=True)),
            no=Count("pk", filter=Q(helpful=False)),
        )
        context["comments"] = found.feedback.exclude(comment="").select_related("individual")[:10]
        context["solved"] = found.deflections.count()
    return render(request, "knowledge/article.html", context, status=status)


@require_POST
def feedback(request: HttpRequest, slug: str) -> HttpResponse:
    found = _article_for(request, slug)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return _article_page(request, found, form, status=400)
    try:
        services.record_feedback(
            user=request.user,
            article=found,
            helpful=form.cleaned_data["helpful"] == "yes",
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as error:
        form.add_error("comment", error.messages)
        return _article_page(request, found, form, status=400)
    messages.success(request, "Thank you for telling us.")
    return redirect(reverse("knowledge:article", args=[found.slug]) + "#feedback")


@require_POST
def solved(request: HttpRequest, slug: str) -> HttpResponse:
    """ "This solved my problem": counted, and the flow ends with no transaction."""
    found = _article_for(request, slug)
    services.record_deflection(user=request.user, article=found, query=request.POST.get("q", ""))
    messages.success(
        request,
        f"Glad “{found.title}” solved it. Nothing was logged, so there is nothing to close.",
    )
    if request.user.is_authenticated:
        return redirect(access.home_url(request.user))
    return redirect("knowledge:home")


@require_GET
def category(request: HttpRequest, slug: str) -> HttpResponse:
    _zone(request, access.KNOWLEDGE)
    found = get_object_or_404(Category, slug=slug)
    page = Paginator(
        _articles(request).filter(category=found).order_by("title"), LIST_ROWS
    ).get_page(request.GET.get("page"))
    return render(request, "knowledge/category.html", {"category": found, "page": page})


@require_GET
def faqs(request: HttpRequest) -> HttpResponse:
    _zone(request, access.KNOWLEDGE)
    visible = access.visible_publications(
        request.user, Faq.objects.select_related("category")
    ).order_by("category__position", "category__name", "position", "question")
    groups: dict[Category | None, list[tuple[Faq, Any]]] = {}
    for item in visible:
        groups.setdefault(item.category, []).append((item, content.render_markdown(item.answer)))
    return render(request, "knowledge/faqs.html", {"groups": list(groups.items())})


@require_GET
def faq(request: HttpRequest, faq_id: int) -> HttpResponse:
    _zone(request, access.KNOWLEDGE)
    found = get_object_or_404(
        access.visible_publications(request.user, Faq.objects.all()), pk=faq_id
    )
    return render(
        request,
        "knowledge/faq.html",
        {"faq": found, "answer": content.render_markdown(found.answer)},
    )


@require_GET
def documents(request: HttpRequest) -> HttpResponse:
    _zone(request, access.DOCUMENTS)
    visible = access.visible_publications(
        request.user, Document.objects.select_related("category").order_by("title")
    )
    return render(request, "knowledge/documents.html", {"documents": visible})


@require_GET
def download(request: HttpRequest, document_id: int) -> HttpResponseBase:
    _zone(request, access.DOCUMENTS)
    found = get_object_or_404(
        access.visible_publications(request.user, Document.objects.all()), pk=document_id
    )
    return serve_file(found.file, found.content_type, found.name)


@require_GET
def news(request: HttpRequest) -> HttpResponse:
    _zone(request, access.NEWS)
    page = Paginator(
        access.visible_publications(request.user, NewsItem.objects.all()), LIST_ROWS
    ).get_page(request.GET.get("page"))
    return render(request, "knowledge/news.html", {"page": page})


@require_GET
def news_item(request: HttpRequest, news_id: int) -> HttpResponse:
    _zone(request, access.NEWS)
    found = get_object_or_404(
        access.visible_publications(request.user, NewsItem.objects.all()), pk=news_id
    )
    return render(
        request,
        "knowledge/news_item.html",
        {"item": found, "body_html": content.render_markdown(found.body)},
    )
