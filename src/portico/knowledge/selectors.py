"""What a knowledge search answers: the articles, FAQs and downloads one reader may see
that clear the relevance floor. The help pages' search (which the console's staff use
too) and the API's search both call `search_help`, so a reader gets the same answer,
in the same order, whichever they ask, and each search is counted once, the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from django.db.models import Q, QuerySet

from portico import access
from portico.knowledge import search, search_terms, services
from portico.knowledge.models import Document, Faq

if TYPE_CHECKING:
    from portico.access import Person

ARTICLES: Final = 10
FAQS: Final = 5
DOCUMENTS: Final = 5
# FAQs and downloads have no full-text index: the first this many by a coarse match are
# judged by the relevance floor one by one.
CANDIDATES: Final = 50


@dataclass
class HelpSearch:
    query: str
    results: search.Results  # the articles, with their snippets and any correction
    faqs: list[Faq] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)

    @property
    def found(self) -> int:
        return len(self.results.hits) + len(self.faqs) + len(self.documents)


def search_help(*, user: Person | None, query: str, limit: int = ARTICLES) -> HelpSearch:
    """The best articles (at most `limit`, best first), and the FAQs (in the editors'
    order: position, question) and downloads (by title) for `query` among those
    `user` may read; and the search counted. A pane of a zone the reader
    may not enter is empty (`access.visible_publications`); whether they may search at
    all (the Knowledge zone) is the caller's question, answered before this."""
    query = query.strip()[: search_terms.MAX_QUERY]
    if not query:
        return HelpSearch(query=query, results=search.Results(query=query))
    results = search.search(user, query, limit=limit)
    answer = HelpSearch(query=query, results=results)
    stems = sorted(search.stems(results))
    if stems:
        faqs = Faq.objects.select_related("category").order_by("position", "question", "pk")
        answer.faqs = [
            faq
            for faq in _matching(user, faqs, stems, "question", "answer")
            if results.holds(f"{faq.question} {faq.answer}")
        ][:FAQS]
        documents = Document.objects.select_related("category").order_by("title", "pk")
        answer.documents = [
            document
            for document in _matching(user, documents, stems, "title", "description")
            if results.holds(f"{document.title} {document.description}")
        ][:DOCUMENTS]
    # Under the relevance floor nothing counts: a search that showed no good match is
    # one that found nothing, for the editors' list of what is missing.
    services.record_search(user=user, query=query, results=answer.found)
    return answer


def _matching[M: Faq | Document](
    user: Person | None, queryset: QuerySet[M], words: list[str], *fields: str
) -> list[M]:
    match = Q()
    for word in words:
        for name in fields:
            match |= Q(**{f"{name}__icontains": word})
    return list(access.visible_publications(user, queryset).filter(match)[:CANDIDATES])
