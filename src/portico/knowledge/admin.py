"""Systems Admin pages for the knowledge base. Articles are written in the console
(`knowledge.editor`), where every save is a version; here they are only listed, with
what self-support recorded. FAQs, news, documents, categories and synonyms are kept
here."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from portico.knowledge.models import (
    Article,
    Category,
    Deflection,
    Document,
    Faq,
    Feedback,
    NewsItem,
    Search,
    Synonym,
)
from portico.service import content


class ReadOnly[M: Any](admin.ModelAdmin[M]):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin[Category]):
    list_display = ("name", "slug", "position")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Synonym)
class SynonymAdmin(admin.ModelAdmin[Synonym]):
    list_display = ("words",)
    search_fields = ("words",)


class PublicationAdmin[M: Any](admin.ModelAdmin[M]):
    list_filter = ("status", "public", "category")
    filter_horizontal = ("audience",)


@admin.register(Faq)
class FaqAdmin(PublicationAdmin[Faq]):
    list_display = ("question", "category", "status", "public", "position")
    search_fields = ("question",)


@admin.register(NewsItem)
class NewsItemAdmin(PublicationAdmin[NewsItem]):
    list_display = ("title", "published_at", "status", "public")
    search_fields = ("title",)


@admin.register(Document)
class DocumentAdmin(PublicationAdmin[Document]):
    list_display = ("title", "name", "content_type", "size", "status", "public")
    search_fields = ("title",)
    fields = ("title", "description", "file", "category", "status", "public", "audience")

    def save_model(self, request: HttpRequest, obj: Document, form: Any, change: bool) -> None:
        # The same rules as attachments: type from the bytes, a clean display name.
        upload = form.cleaned_data.get("file")
        if upload is not None and "file" in form.changed_data:
            upload.seek(0)
            obj.content_type = content.sniff_content_type(upload.read(content.SNIFF_BYTES))
            upload.seek(0)
            obj.size = upload.size
            obj.name = content.display_name(upload.name or "file")
        super().save_model(request, obj, form, change)


@admin.register(Article)
class ArticleAdmin(ReadOnly[Article]):
    list_display = ("title", "status", "public", "version", "updated_at")
    list_filter = ("status", "public", "category")
    search_fields = ("title",)


@admin.register(Feedback)
class FeedbackAdmin(ReadOnly[Feedback]):
    list_display = ("article", "helpful", "comment", "created_at")
    list_filter = ("helpful",)


@admin.register(Deflection)
class DeflectionAdmin(ReadOnly[Deflection]):
    list_display = ("article", "query", "portal", "created_at")


@admin.register(Search)
class SearchAdmin(ReadOnly[Search]):
    list_display = ("query", "results", "portal", "created_at")
    list_filter = ("results",)
