"""The knowledge base over the wire: what the help pages show each reader, and what an
editor sends. Input serializers only parse (types, and lookups by slug, code or name);
the editors' rules (lengths, what may be left empty) are `knowledge.services`', so the
API refuses with the console editor's words."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portico.api.serializers.common import SlugLookup
from portico.knowledge import search_terms, selectors
from portico.knowledge.models import Article, Category, Document, Faq, NewsItem, Status
from portico.knowledge.services import PRODUCT_CLASSIFICATION
from portico.parties.models import Portal, UserGroup
from portico.service import content
from portico.service.models import Choice


class CategoryRefSerializer(serializers.ModelSerializer[Category]):
    class Meta:
        model = Category
        fields = ("slug", "name")
        read_only_fields = fields


class ProductRefSerializer(serializers.ModelSerializer[Choice]):
    class Meta:
        model = Choice
        fields = ("code", "label")
        read_only_fields = fields


def _markdown_html(text: str) -> str:
    # The pages' own renderer: Markdown to HTML through the allow-list sanitiser.
    return str(content.render_markdown(text))


# --- articles ---------------------------------------------------------------------------


class ArticleSerializer(serializers.ModelSerializer[Article]):
    """A row of a list: what the help pages' lists show."""

    category = CategoryRefSerializer(read_only=True, allow_null=True)
    tags = serializers.ListField(source="tag_list", child=serializers.CharField(), read_only=True)
    url = serializers.SerializerMethodField(help_text="The article's page in the help pages.")
    api_url = serializers.SerializerMethodField(help_text="The article in this API.")

    class Meta:
        model = Article
        fields: tuple[str, ...] = (
            "id",
            "slug",
            "title",
            "summary",
            "category",
            "tags",
            "status",
            "public",
            "version",
            "updated_at",
            "published_at",
            "url",
            "api_url",
        )
        read_only_fields: tuple[str, ...] = fields

    def get_url(self, article: Article) -> str:
        return reverse("knowledge:article", args=[article.slug])

    def get_api_url(self, article: Article) -> str:
        return reverse("api:knowledge-article", args=[article.slug])


class ArticleDetailSerializer(ArticleSerializer):
    body_html = serializers.SerializerMethodField(
        help_text="The body as the page shows it: rendered and sanitised HTML."
    )
    products = ProductRefSerializer(many=True, read_only=True)
    audience = serializers.SerializerMethodField(
        help_text="The reader groups named, when it is not public; for editors only "
        "(null for everyone else)."
    )

    class Meta(ArticleSerializer.Meta):
        fields = (
            *ArticleSerializer.Meta.fields,
            "body",
            "body_html",
            "products",
            "audience",
            "created_at",
        )
        read_only_fields = fields

    def get_body_html(self, article: Article) -> str:
        return _markdown_html(article.body)

    @extend_schema_field(serializers.ListField(child=serializers.CharField(), allow_null=True))
    def get_audience(self, article: Article) -> list[str] | None:
        # Who else reads a piece is the editors' business, as on the article's page.
        if not self.context.get("editor"):
            return None
        return [group.name for group in article.audience.all()]


class ArticleWriteSerializer(serializers.Serializer[Any]):
    """What an editor sends, the console editor's fields. On a change (PATCH) a field
    left out keeps its value."""

    title = serializers.CharField(required=False, allow_blank=True)
    summary = serializers.CharField(required=False, allow_blank=True)
    body = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, help_text="Markdown."
    )
    category = SlugLookup(
        slug_field="slug",
        queryset=Category.objects.all(),
        required=False,
        allow_null=True,
        help_text="A category's slug, or null for none.",
        error_messages={"does_not_exist": "There is no such category: {value}."},
    )
    tags = serializers.CharField(required=False, allow_blank=True, help_text="Comma-separated.")
    products = SlugLookup(
        slug_field="code",
        queryset=Choice.objects.filter(classification__code=PRODUCT_CLASSIFICATION, active=True),
        many=True,
        required=False,
        help_text="Product choice codes.",
        error_messages={"does_not_exist": "There is no such product: {value}."},
    )
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    public = serializers.BooleanField(
        required=False, help_text="Anyone may read it, signed in or not."
    )
    audience = SlugLookup(
        slug_field="name",
        queryset=UserGroup.objects.exclude(portal=Portal.CONSOLE),
        many=True,
        required=False,
        help_text="The reader groups' names, when it is not public. None: staff only.",
        error_messages={"does_not_exist": "There is no such group of readers: {value}."},
    )
    change_note = serializers.CharField(
        required=False, allow_blank=True, help_text="What changed, for the history."
    )


class ArticleFilterSerializer(serializers.Serializer[Any]):
    category = serializers.SlugField(required=False, help_text="A category's slug.")
    tag = serializers.CharField(required=False, max_length=60, help_text="One tag.")
    product = serializers.SlugField(required=False, help_text="A Product choice code.")
    status = serializers.ChoiceField(
        choices=Status.choices,
        required=False,
        help_text="Editors see every status unless this narrows it; readers see only "
        "published articles.",
    )


class CategoryFilterSerializer(serializers.Serializer[Any]):
    category = serializers.SlugField(required=False, help_text="A category's slug.")


# --- FAQs, news, documents ------------------------------------------------------------


class FaqSerializer(serializers.ModelSerializer[Faq]):
    category = CategoryRefSerializer(read_only=True, allow_null=True)
    answer_html = serializers.SerializerMethodField(help_text="Rendered and sanitised HTML.")
    url = serializers.SerializerMethodField(help_text="The FAQ's page in the help pages.")
    api_url = serializers.SerializerMethodField(help_text="The FAQ in this API.")

    class Meta:
        model = Faq
        fields = (
            "id",
            "question",
            "answer",
            "answer_html",
            "category",
            "updated_at",
            "url",
            "api_url",
        )
        read_only_fields = fields

    def get_answer_html(self, faq: Faq) -> str:
        return _markdown_html(faq.answer)

    def get_url(self, faq: Faq) -> str:
        return reverse("knowledge:faq", args=[faq.pk])

    def get_api_url(self, faq: Faq) -> str:
        return reverse("api:knowledge-faq", args=[faq.pk])


class NewsItemSerializer(serializers.ModelSerializer[NewsItem]):
    url = serializers.SerializerMethodField(help_text="The item's page in the help pages.")
    api_url = serializers.SerializerMethodField(help_text="The item in this API.")

    class Meta:
        model = NewsItem
        fields: tuple[str, ...] = ("id", "title", "published_at", "url", "api_url")
        read_only_fields: tuple[str, ...] = fields

    def get_url(self, item: NewsItem) -> str:
        return reverse("knowledge:news-item", args=[item.pk])

    def get_api_url(self, item: NewsItem) -> str:
        return reverse("api:knowledge-news-item", args=[item.pk])


class NewsItemDetailSerializer(NewsItemSerializer):
    body_html = serializers.SerializerMethodField(help_text="Rendered and sanitised HTML.")

    class Meta(NewsItemSerializer.Meta):
        fields = (*NewsItemSerializer.Meta.fields, "body", "body_html")
        read_only_fields = fields

    def get_body_html(self, item: NewsItem) -> str:
        return _markdown_html(item.body)


class DocumentSerializer(serializers.ModelSerializer[Document]):
    category = CategoryRefSerializer(read_only=True, allow_null=True)
    url = serializers.SerializerMethodField(
        help_text="The file as the help pages serve it (for a person signed in there)."
    )
    api_url = serializers.SerializerMethodField(help_text="The document in this API.")
    download_url = serializers.SerializerMethodField(
        help_text="The file, with the same safety headers as the help pages' download."
    )

    class Meta:
        model = Document
        fields = (
            "id",
            "title",
            "description",
            "name",
            "content_type",
            "size",
            "category",
            "created_at",
            "url",
            "api_url",
            "download_url",
        )
        read_only_fields = fields

    def get_url(self, document: Document) -> str:
        return reverse("knowledge:download", args=[document.pk])

    def get_api_url(self, document: Document) -> str:
        return reverse("api:knowledge-download", args=[document.pk])

    def get_download_url(self, document: Document) -> str:
        return reverse("api:knowledge-download-content", args=[document.pk])


# --- search ---------------------------------------------------------------------------


class SearchQuerySerializer(serializers.Serializer[Any]):
    q = serializers.CharField(max_length=search_terms.MAX_QUERY, help_text="What to look for.")
    limit = serializers.IntegerField(
        required=False,
        default=selectors.ARTICLES,
        min_value=1,
        max_value=50,
        help_text=f"At most this many articles; at most {selectors.FAQS} FAQs and "
        f"{selectors.DOCUMENTS} downloads, as on the help pages.",
    )


class SearchHitSerializer(serializers.Serializer[Any]):
    article = ArticleSerializer(read_only=True)
    snippet = serializers.CharField(
        help_text="HTML: the matching passage, escaped, with the query's words in <mark>."
    )
    score = serializers.FloatField(help_text="Higher is better; only for ordering.")


class SearchResultsSerializer(serializers.Serializer[Any]):
    """What the help pages' search shows the same reader for the same words, in the
    page's order: three lists, all empty when nothing clears the relevance floor."""

    query = serializers.CharField(help_text="The query as searched: trimmed, at most 200.")
    corrected_query = serializers.CharField(
        source="results.corrected_query",
        help_text="The query with misspelt words corrected, or empty.",
    )
    articles = SearchHitSerializer(
        source="results.hits", many=True, help_text="The best answers first."
    )
    faqs = FaqSerializer(
        many=True,
        help_text="Those that answer the query, in the editors' order (position, question).",
    )
    downloads = DocumentSerializer(
        source="documents",
        many=True,
        help_text="The documents to download that answer the query, by title.",
    )
