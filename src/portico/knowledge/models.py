"""The knowledge the portals offer beside the transactions (seed 004: "search the
company's knowledge base to see if they can find a solution"; FAQs, literature,
downloads and news): articles with their history and feedback, FAQs, documents to
download and company news, and what self-support leaves behind to count: searches and
the problems an article solved.

Who may read each piece is decided in `portico.access` (`visible_publications`), from
the fields of `Publication`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from portico.parties.models import Individual, UserGroup
from portico.service.models import Choice, Transaction


class Category(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ("position", "name")
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class Publication(models.Model):
    """What every readable piece shares: whether it is out yet, and for whom. Public
    pieces are for anyone, signed in or not; otherwise only the user groups named in
    `audience` read it. Staff read everything published, whatever the audience."""

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    public = models.BooleanField(default=False, help_text="Anyone may read it, signed in or not.")
    audience = models.ManyToManyField(
        UserGroup,
        blank=True,
        related_name="+",
        help_text="The groups that may read it when it is not public. None: staff only.",
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True


class Article(Publication):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField(help_text="Markdown.")
    # The body as plain words: what search indexes and cuts snippets from, so neither
    # Markdown punctuation nor markup ever reaches a result.
    body_text = models.TextField(blank=True, editable=False)
    tags = models.CharField(max_length=300, blank=True, help_text="Comma-separated.")
    products = models.ManyToManyField(Choice, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_transaction = models.ForeignKey(
        Transaction,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The transaction whose resolution it was drafted from.",
    )

    class Meta:
        ordering = ("title",)
        indexes = [models.Index(fields=["status", "-updated_at"], name="article_status_updated")]

    def __str__(self) -> str:
        return self.title

    @property
    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.tags.split(",") if tag.strip()]


class ArticleVersion(models.Model):
    """The article as it stood after each change, and who made it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    tags = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    change_note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ("article", "-version")
        constraints = [
            models.UniqueConstraint(fields=["article", "version"], name="article_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class Feedback(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    individual = models.ForeignKey(
        Individual, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    helpful = models.BooleanField()
    comment = models.TextField(blank=True, max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["article", "-created_at"], name="feedback_article")]

    def __str__(self) -> str:
        return f"{self.article}: {'helpful' if self.helpful else 'not helpful'}"


class Deflection(models.Model):
    """A problem solved by reading, with no transaction opened: "this solved my
    problem", counted for the reports."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="deflections")
    individual = models.ForeignKey(
        Individual, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    query = models.CharField(max_length=200, blank=True, help_text="What they had searched for.")
    portal = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=["-created_at"], name="deflection_when")]

    def __str__(self) -> str:
        return f"{self.article} solved {self.query!r}"


class Search(models.Model):
    """One search somebody ran and how many results it found; the ones that found
    nothing show what the knowledge base is missing."""

    query = models.CharField(max_length=200)
    results = models.PositiveIntegerField()
    individual = models.ForeignKey(
        Individual, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    portal = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name_plural = "searches"
        indexes = [
            models.Index(fields=["results", "-created_at"], name="search_results_when"),
            # The reports' roll-ups count a day's searches at a time (portico.reports).
            models.Index(fields=["created_at"], name="search_when"),
        ]

    def __str__(self) -> str:
        return f"{self.query!r}: {self.results}"


class Synonym(models.Model):
    """Words people use for the same thing ("bill", "invoice"): a search for one finds
    the others. Multi-word phrases are allowed ("sign in")."""

    words = models.CharField(max_length=300, help_text="Comma-separated, e.g. bill, invoice")

    class Meta:
        ordering = ("words",)

    def __str__(self) -> str:
        return self.words

    @property
    def word_list(self) -> list[str]:
        return [word.strip().lower() for word in self.words.split(",") if word.strip()]


class Faq(Publication):
    question = models.CharField(max_length=300)
    answer = models.TextField(help_text="Markdown.")
    position = models.PositiveSmallIntegerField(default=100)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("position", "question")
        verbose_name = "FAQ"
        verbose_name_plural = "FAQs"

    def __str__(self) -> str:
        return self.question


def _document_path(instance: Document, filename: str) -> str:
    # As for attachments: the stored name is ours, never the uploader's.
    return f"documents/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}"


class Document(Publication):
    """A download or publication: served like an attachment, as a download with safe
    headers, to the readers its audience allows."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    file = models.FileField(upload_to=_document_path, max_length=200)
    name = models.CharField(max_length=160, help_text="The file name shown; never used to store.")
    content_type = models.CharField(max_length=100, editable=False)
    size = models.PositiveBigIntegerField(editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("title",)

    def __str__(self) -> str:
        return self.title


class NewsItem(Publication):
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Markdown.")
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-published_at", "-id")
        verbose_name = "news item"
        indexes = [models.Index(fields=["status", "-published_at"], name="news_status_published")]

    def __str__(self) -> str:
        return self.title
