"""The knowledge base in the API: articles, FAQs, news and downloads, and search. Each
reader gets what the help pages under /help/ show them — `access.visible_publications`
and `access.readable_articles` decide, as they do for the pages — and editors (the
staff who enter the Knowledge zone) write articles through `knowledge.services`, as the
console editor does, so every change is a version with its author."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from portico import access
from portico.api import idempotency, pagination
from portico.api import knowledge_serializers as ks
from portico.api.views.base import (
    _FILE_RESPONSES,
    IDEMPOTENCY_KEY,
    DownloadRenderer,
    PersonView,
    _actor,
    _paged,
    _parse,
)
from portico.knowledge import selectors, services
from portico.knowledge.models import Article, Category, Document, Faq, NewsItem
from portico.knowledge.services import PRODUCT_CLASSIFICATION
from portico.service.models import Choice
from portico.service.views import serve_file

TAGS = ["knowledge"]
SLUG = OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH, description="Its slug.")


def _zone(request: Request, zone: str) -> None:
    # As on the help pages: a group that does not open the zone is refused outright.
    access.require_reading_zone(request.user, zone)


def _require_editor(request: Request) -> None:
    # Before the body is read, so a non-editor hears 403, not what was wrong with it.
    access.require_editor(request.user)


def _category(slug: str) -> Category:
    found = Category.objects.filter(slug=slug).first()
    if found is None:
        raise ValidationError({"category": ["There is no such category."]})
    return found


# --- articles ---------------------------------------------------------------------------


def _articles(request: Request) -> QuerySet[Article]:
    """Drafts and archived articles for editors, as the pages open them by URL; the
    published ones each reader's audience allows for everyone else."""
    _zone(request, access.KNOWLEDGE)
    return access.readable_articles(request.user).select_related("category")


def _for_detail(rows: QuerySet[Article]) -> QuerySet[Article]:
    return rows.prefetch_related(
        Prefetch("products", queryset=Choice.objects.order_by("position", "label")), "audience"
    )


def _detail_body(request: Request, article: Article) -> dict[str, Any]:
    context = {"request": request, "editor": access.may_edit_knowledge(request.user)}
    return dict(ks.ArticleDetailSerializer(article, context=context).data)


def _change(data: dict[str, Any], article: Article | None) -> services.ArticleChange:
    """The editor's change: what was sent, over the article as it stands (a field left
    out keeps its value)."""
    # A new article left without a title or text is told so by the service.
    kept: dict[str, Any] = {"title": "", "body": ""}
    if article is not None:
        kept = {
            "title": article.title,
            "summary": article.summary,
            "body": article.body,
            "category": article.category,
            "tags": article.tags,
            "products": article.products.all(),
            "status": article.status,
            "public": article.public,
            "audience": article.audience.all(),
        }
    merged = {**kept, **data}
    for many in ("products", "audience"):
        if many in merged:
            merged[many] = tuple(merged[many])
    return services.ArticleChange(**merged)


def _tagged(rows: QuerySet[Article], raw: str) -> QuerySet[Article]:
    # Tags are stored cleaned, lower case and ", "-separated (knowledge.services).
    tag = " ".join(raw.split()).lower()
    return rows.filter(
        Q(tags=tag)
        | Q(tags__startswith=f"{tag}, ")
        | Q(tags__endswith=f", {tag}")
        | Q(tags__contains=f", {tag}, ")
    )


class ArticleList(PersonView):
    pagination_class = pagination.TitlePagination

    @extend_schema(
        tags=TAGS,
        parameters=[ks.ArticleFilterSerializer],
        responses=ks.ArticleSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        """The articles the person may read, by title; editors see drafts and archived
        ones too."""
        rows = _articles(request)
        data = _parse(ks.ArticleFilterSerializer(data=request.query_params))
        if "category" in data:
            rows = rows.filter(category=_category(data["category"]))
        if "product" in data:
            product = Choice.objects.filter(
                classification__code=PRODUCT_CLASSIFICATION, code=data["product"]
            ).first()
            if product is None:
                raise ValidationError({"product": ["There is no such product."]})
            rows = rows.filter(products=product)
        if "tag" in data:
            rows = _tagged(rows, data["tag"])
        if "status" in data:
            rows = rows.filter(status=data["status"])
        return _paged(request, self, rows, ks.ArticleSerializer, self.pagination_class())

    @extend_schema(
        tags=TAGS,
        parameters=[IDEMPOTENCY_KEY],
        request=ks.ArticleWriteSerializer,
        examples=[
            OpenApiExample(
                "A draft",
                request_only=True,
                value={
                    "title": "Clearing alarm E42 on a dosing pump",
                    "body": "1. Stop the pump.\n2. Bleed the air from the line.",
                    "tags": "alarms, pumps",
                    "status": "draft",
                },
            )
        ],
        responses={201: ks.ArticleDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        """Write an article (editors only); its first version, with its author."""
        actor = _actor(request)
        _require_editor(request)

        def create() -> tuple[int, dict[str, Any]]:
            data = _parse(ks.ArticleWriteSerializer(data=request.data))
            made = services.save_article(actor=actor, change=_change(data, None))
            shown = _for_detail(_articles(request)).get(pk=made.pk)
            return status.HTTP_201_CREATED, _detail_body(request, shown)

        return idempotency.respond(request, actor, create)


class ArticleDetail(PersonView):
    @extend_schema(tags=TAGS, parameters=[SLUG], responses=ks.ArticleDetailSerializer)
    def get(self, request: Request, slug: str) -> Response:
        # 404 alike for "no such article" and "not for you".
        found = get_object_or_404(_for_detail(_articles(request)), slug=slug)
        return Response(_detail_body(request, found))

    @extend_schema(
        tags=TAGS,
        parameters=[SLUG],
        request=ks.ArticleWriteSerializer,
        examples=[
            OpenApiExample(
                "Publish it",
                request_only=True,
                value={"status": "published", "change_note": "Checked on site."},
            )
        ],
        responses=ks.ArticleDetailSerializer,
    )
    def patch(self, request: Request, slug: str) -> Response:
        """Change an article (editors only): the fields sent, the rest kept; a new
        version with who made it."""
        actor = _actor(request)
        found = get_object_or_404(_for_detail(_articles(request)), slug=slug)
        _require_editor(request)
        data = _parse(ks.ArticleWriteSerializer(data=request.data, partial=True))
        if not data:
            raise ValidationError("Send at least one field to change.")
        saved = services.save_article(actor=actor, article=found, change=_change(data, found))
        return Response(_detail_body(request, _for_detail(_articles(request)).get(pk=saved.pk)))


class KnowledgeSearch(PersonView):
    @extend_schema(
        tags=TAGS, parameters=[ks.SearchQuerySerializer], responses=ks.SearchResultsSerializer
    )
    def get(self, request: Request) -> Response:
        """What the help pages' search shows the person for `q`, in the same order:
        the articles (best first), FAQs and downloads they may read that answer it,
        all three empty when nothing answers it well. Counted once with the pages'
        searches, so the ones that find nothing show the editors what is missing."""
        _zone(request, access.KNOWLEDGE)
        data = _parse(ks.SearchQuerySerializer(data=request.query_params))
        answer = selectors.search_help(user=request.user, query=data["q"], limit=data["limit"])
        return Response(ks.SearchResultsSerializer(answer, context={"request": request}).data)


# --- FAQs, news, downloads --------------------------------------------------------------


def _faqs(request: Request) -> QuerySet[Faq]:
    _zone(request, access.KNOWLEDGE)
    return access.visible_publications(request.user, Faq.objects.select_related("category"))


class FaqList(PersonView):
    pagination_class = pagination.QuestionPagination

    @extend_schema(
        tags=TAGS, parameters=[ks.CategoryFilterSerializer], responses=ks.FaqSerializer(many=True)
    )
    def get(self, request: Request) -> Response:
        """The FAQs the person may read, by question."""
        rows = _faqs(request)
        data = _parse(ks.CategoryFilterSerializer(data=request.query_params))
        if "category" in data:
            rows = rows.filter(category=_category(data["category"]))
        return _paged(request, self, rows, ks.FaqSerializer, self.pagination_class())


class FaqDetail(PersonView):
    @extend_schema(tags=TAGS, responses=ks.FaqSerializer)
    def get(self, request: Request, faq_id: int) -> Response:
        found = get_object_or_404(_faqs(request), pk=faq_id)
        return Response(ks.FaqSerializer(found).data)


def _news(request: Request) -> QuerySet[NewsItem]:
    _zone(request, access.NEWS)
    return access.visible_publications(request.user, NewsItem.objects.all())


class NewsList(PersonView):
    pagination_class = pagination.NewestPagination

    @extend_schema(tags=TAGS, responses=ks.NewsItemSerializer(many=True))
    def get(self, request: Request) -> Response:
        """The news the person may read, newest first."""
        return _paged(request, self, _news(request), ks.NewsItemSerializer, self.pagination_class())


class NewsDetail(PersonView):
    @extend_schema(tags=TAGS, responses=ks.NewsItemDetailSerializer)
    def get(self, request: Request, news_id: int) -> Response:
        found = get_object_or_404(_news(request), pk=news_id)
        return Response(ks.NewsItemDetailSerializer(found).data)


def _documents(request: Request) -> QuerySet[Document]:
    _zone(request, access.DOCUMENTS)
    return access.visible_publications(request.user, Document.objects.select_related("category"))


class DownloadList(PersonView):
    pagination_class = pagination.TitlePagination

    @extend_schema(
        tags=TAGS,
        parameters=[ks.CategoryFilterSerializer],
        responses=ks.DocumentSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        """The documents to download the person may read, by title."""
        rows = _documents(request)
        data = _parse(ks.CategoryFilterSerializer(data=request.query_params))
        if "category" in data:
            rows = rows.filter(category=_category(data["category"]))
        return _paged(request, self, rows, ks.DocumentSerializer, self.pagination_class())


class DownloadDetail(PersonView):
    @extend_schema(tags=TAGS, responses=ks.DocumentSerializer)
    def get(self, request: Request, document_id: int) -> Response:
        found = get_object_or_404(_documents(request), pk=document_id)
        return Response(ks.DocumentSerializer(found).data)


class DownloadContent(PersonView):
    renderer_classes = [JSONRenderer, DownloadRenderer]

    @extend_schema(tags=TAGS, responses=_FILE_RESPONSES)
    def get(self, request: Request, document_id: int) -> HttpResponseBase:
        """The file's bytes, served as the help pages serve it: a raster image may show
        inline; everything else is opaque bytes to download, sandboxed, never sniffed."""
        found = get_object_or_404(_documents(request), pk=document_id)
        return serve_file(found.file, found.content_type, found.name)
