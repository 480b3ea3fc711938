"""Loading the demo knowledge base (articles, FAQs, news, documents, synonyms) through
the same services the console uses, so every article has its first version and its
search index entry exactly as an editor's would."""

import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from portico.demo.knowledge_content import ARTICLES, CATEGORIES, DOCUMENTS, FAQS, NEWS, SYNONYMS
from portico.knowledge import services
from portico.knowledge.models import Article, Category, Document, Faq, NewsItem, Status, Synonym
from portico.parties.models import UserGroup
from portico.service.models import Choice

# The audience words of the content, as the standard user groups.
GROUPS = {"customers": "Customers", "partners": "Partners", "employees": "Employees"}


def _audience(words: tuple[str, ...]) -> tuple[bool, tuple[UserGroup, ...]]:
    names = [GROUPS[word] for word in words if word in GROUPS]
    return "public" in words, tuple(UserGroup.objects.filter(name__in=names))


@transaction.atomic
def load() -> None:
    """Add whatever of the demo knowledge base is missing; running it twice is safe."""
    categories = {}
    for position, (name, description) in enumerate(CATEGORIES, start=1):
        categories[name], _ = Category.objects.get_or_create(
            name=name,
            defaults={"slug": slugify(name), "description": description, "position": position},
        )
    if not Synonym.objects.exists():
        Synonym.objects.bulk_create(Synonym(words=", ".join(group)) for group in SYNONYMS)
    products = {c.code: c for c in Choice.objects.filter(classification__code="product")}
    existing = set(Article.objects.values_list("slug", flat=True))
    for demo in ARTICLES:
        if demo.slug in existing:
            continue
        public, audience = _audience(demo.audience)
        services.save_article(
            actor=None,
            slug=demo.slug,
            change=services.ArticleChange(
                title=demo.title,
                summary=demo.summary,
                body=demo.body,
                category=categories[demo.category],
                tags=", ".join(demo.tags),
                products=tuple(products[code] for code in demo.products),
                status=Status.PUBLISHED,
                public=public,
                audience=audience,
                change_note="Demo content",
            ),
        )
    if not Faq.objects.exists():
        for position, faq in enumerate(FAQS, start=1):
            public, audience = _audience(faq.audience)
            item = Faq.objects.create(
                question=faq.question,
                answer=faq.answer,
                category=categories[faq.category],
                position=position,
                status=Status.PUBLISHED,
                public=public,
            )
            item.audience.set(audience)
    if not NewsItem.objects.exists():
        now = timezone.now()
        for news in NEWS:
            public, audience = _audience(news.audience)
            news_item = NewsItem.objects.create(
                title=news.title,
                body=news.body,
                published_at=now - datetime.timedelta(days=news.days_ago),
                status=Status.PUBLISHED,
                public=public,
            )
            news_item.audience.set(audience)
    if not Document.objects.exists():
        for document in DOCUMENTS:
            public, audience = _audience(document.audience)
            services.add_document(
                actor=None,
                title=document.title,
                description=document.description,
                upload=ContentFile(document.content.encode(), name=document.filename),
                name=document.filename,
                category=categories[document.category],
                public=public,
                audience=audience,
            )
