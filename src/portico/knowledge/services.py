"""Every change to the knowledge base, and what self-support leaves behind to count.
Pages, the admin, the demo loader and tasks call these; each asks `portico.access`,
validates before it writes, writes in one database transaction and records an audit
event."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import transaction as db
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.text import slugify
from markdown_it import MarkdownIt

from portico import access
from portico.events import services as events
from portico.knowledge import search
from portico.knowledge.models import (
    Article,
    ArticleVersion,
    Category,
    Deflection,
    Document,
    Feedback,
    Search,
    Status,
)
from portico.parties.models import User, UserGroup
from portico.service import content
from portico.service.models import Choice, Transaction
from portico.service.models import Status as TransactionStatus

PRODUCT_CLASSIFICATION = "product"
_PLAIN = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def plain_text(markdown: str) -> str:
    """The words of a Markdown text without its punctuation: what search reads."""
    lines: list[str] = []
    for token in _PLAIN.parse(markdown):
        if token.type == "inline" and token.children:
            lines.append(
                "".join(
                    child.content if child.type in {"text", "code_inline"} else " "
                    for child in token.children
                    if child.type in {"text", "code_inline", "softbreak", "hardbreak"}
                )
            )
        elif token.type in {"fence", "code_block"}:
            lines.append(token.content)
    return "\n".join(line.strip() for line in lines if line.strip())


@dataclass(frozen=True)
class ArticleChange:
    """What an editor submits; the same fields whichever page or loader it came from."""

    title: str
    body: str
    summary: str = ""
    category: Category | None = None
    tags: str = ""
    products: tuple[Choice, ...] = ()
    status: str = Status.DRAFT
    public: bool = False
    audience: tuple[UserGroup, ...] = ()
    change_note: str = ""


def _validate(change: ArticleChange) -> None:
    errors: dict[str, list[str]] = {}
    if not change.title.strip():
        errors["title"] = ["Give the article a title."]
    elif len(change.title.strip()) > 200:
        errors["title"] = ["A title may be at most 200 characters."]
    if not change.body.strip():
        errors["body"] = ["Write the article's text."]
    if len(change.summary.strip()) > 300:
        errors["summary"] = ["A summary may be at most 300 characters."]
    if len(_tags(change.tags)) > 300:
        errors["tags"] = ["Tags may be at most 300 characters in all."]
    if len(change.change_note.strip()) > 200:
        errors["change_note"] = ["A note on what changed may be at most 200 characters."]
    if change.status not in Status.values:
        errors["status"] = ["Choose draft, published or archived."]
    if any(p.classification.code != PRODUCT_CLASSIFICATION for p in change.products):
        errors["products"] = ["Only products may be chosen here."]
    if errors:
        raise ValidationError(errors)


def _tags(raw: str) -> str:
    seen: list[str] = []
    for tag in raw.split(","):
        cleaned = " ".join(tag.split()).lower()
        if cleaned and cleaned not in seen:
            seen.append(cleaned)
    return ", ".join(seen)


def _unique_slug(title: str, article: Article | None) -> str:
    base = (slugify(title) or "article")[:100]
    slug, n = base, 1
    others = Article.objects.exclude(pk=article.pk) if article else Article.objects.all()
    while others.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@db.atomic
def save_article(
    *, actor: User | None, change: ArticleChange, article: Article | None = None, slug: str = ""
) -> Article:
    """Create or change an article; every save is a new version with who made it.
    `actor` None is the system itself (demo loading); people must be editors."""
    if actor is not None:
        access.require_editor(actor)
    _validate(change)
    now = timezone.now()
    creating = article is None
    if article is None:
        article = Article(created_at=now, created_by=actor)
        article.slug = slug or _unique_slug(change.title, None)
    else:
        article = Article.objects.select_for_update().get(pk=article.pk)
        article.version += 1
    before = {"title": article.title, "status": article.status} if not creating else {}
    words_before = search.published_words(None if creating else article.pk)
    article.title = change.title.strip()
    article.summary = change.summary.strip()
    article.body = change.body
    article.body_text = plain_text(change.body)
    article.category = change.category
    article.tags = _tags(change.tags)
    article.public = change.public
    if change.status == Status.PUBLISHED and article.status != Status.PUBLISHED:
        article.published_at = now
    article.status = change.status
    article.updated_at = now
    article.save()
    article.products.set(change.products)
    article.audience.set(change.audience)
    ArticleVersion.objects.create(
        article=article,
        version=article.version,
        title=article.title,
        summary=article.summary,
        body=article.body,
        tags=article.tags,
        status=article.status,
        changed_by=actor,
        changed_at=now,
        change_note=change.change_note.strip()[:200],
    )
    events.record(
        (
            "article.created"
            if creating
            else "article.published"
            if article.status == Status.PUBLISHED and before.get("status") != Status.PUBLISHED
            else "article.changed"
        ),
        actor=actor,
        subject=article,
        data={
            "version": article.version,
            "before": before,
            "after": {"title": article.title, "status": article.status},
        },
    )
    search.update_vocabulary(words_before, search.published_words(article.pk))
    return article


@db.atomic
def draft_from_transaction(*, actor: User, transaction: Transaction) -> Article:
    """A resolved transaction's problem and resolution as a draft article, for an
    editor to polish and publish: the staff's fixes become self-service answers."""
    access.require_editor(actor)
    access.require(actor, "view", transaction)
    finished = (TransactionStatus.Category.RESOLVED, TransactionStatus.Category.CLOSED)
    if transaction.status.category not in finished:
        raise ValidationError("Only a resolved transaction has a resolution to write up.")
    resolution = transaction.resolution.strip()
    if not resolution:
        last = access.publishable_notes(transaction).order_by("-created_at", "-id").first()
        resolution = last.body if last is not None else ""
    if not resolution:
        raise ValidationError("The transaction has no resolution or shared staff note to use.")
    products = tuple(
        Choice.objects.filter(
            pk__in=transaction.profile_values.filter(
                classification__code=PRODUCT_CLASSIFICATION
            ).values("choice")
        )
    )
    change = ArticleChange(
        title=transaction.title,
        summary="",
        body=f"## The problem\n\n{transaction.description.strip()}\n\n"
        f"## What fixed it\n\n{resolution}\n",
        products=products,
        status=Status.DRAFT,
        change_note=f"Drafted from {transaction.number}",
    )
    article = save_article(actor=actor, change=change)
    article.source_transaction = transaction
    article.save(update_fields=["source_transaction"])
    return article


def _require_readable(user: Any, article: Article, refusal: str) -> None:
    if not access.visible_publications(user, Article.objects.filter(pk=article.pk)).exists():
        raise PermissionDenied(refusal)


def record_feedback(*, user: Any, article: Article, helpful: bool, comment: str = "") -> Feedback:
    _require_readable(user, article, "You cannot give feedback on that article.")
    comment = comment.strip()
    if len(comment) > 1000:
        raise ValidationError({"comment": ["A comment may be at most 1,000 characters."]})
    return Feedback.objects.create(
        article=article, individual=access.individual_of(user), helpful=helpful, comment=comment
    )


def record_deflection(*, user: Any, article: Article, query: str = "") -> Deflection:
    """ "This solved my problem": no transaction, and one more problem solved by reading."""
    _require_readable(user, article, "You cannot mark that article.")
    return Deflection.objects.create(
        article=article,
        individual=access.individual_of(user),
        query=query.strip()[:200],
        portal=access.portal_of(user),
    )


def record_search(*, user: Any, query: str, results: int) -> Search | None:
    query = " ".join(query.split())[:200]
    if not query:
        return None
    return Search.objects.create(
        query=query,
        results=results,
        individual=access.individual_of(user),
        portal=access.portal_of(user),
    )


DOCUMENT_MAX_BYTES = 50 * 1024 * 1024


@db.atomic
def add_document(
    *,
    actor: User | None,
    title: str,
    upload: File[Any],
    name: str,
    description: str = "",
    category: Category | None = None,
    status: str = Status.PUBLISHED,
    public: bool = False,
    audience: Iterable[UserGroup] = (),
) -> Document:
    """A download or publication: its type judged from its bytes, its stored name our
    own, its display name cleaned, exactly as for attachments."""
    if actor is not None:
        access.require_editor(actor)
    size = upload.size
    if not title.strip():
        raise ValidationError({"title": ["Give the document a title."]})
    if not size:
        raise ValidationError({"file": ["The file is empty."]})
    if size > DOCUMENT_MAX_BYTES:
        raise ValidationError(
            {"file": [f"A document may be at most {filesizeformat(DOCUMENT_MAX_BYTES)}."]}
        )
    upload.seek(0)
    head = upload.read(content.SNIFF_BYTES)
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    document = Document(
        title=title.strip(),
        description=description.strip(),
        name=content.display_name(name),
        content_type=content.sniff_content_type(head),
        size=size,
        category=category,
        status=status,
        public=public,
    )
    document.file.save("upload", upload, save=False)
    try:
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    document.audience.set(list(audience))
    events.record("document.added", actor=actor, subject=document, data={"title": title})
    return document
