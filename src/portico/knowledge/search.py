"""Knowledge search: ranked, stemmed, forgiving of misspellings and of people's own
words for things, with highlighted snippets, over only what the reader may see.

One way of reading a query for both databases — words, minus the small words every
article has, each widened by its synonyms and, when no article knows it, by the nearest
word some article does use — and two engines to run it:

- SQLite (the embedded default): FTS5 with the Porter stemmer, ranked by BM25 with the
  title weighted over tags and summary over body; a second, unstemmed FTS5 index gives
  the vocabulary that misspellings are corrected against.
- PostgreSQL: a weighted tsvector (GIN) ranked by ts_rank, plus pg_trgm: titles that
  are only similar to the query still match, and misspelled words are corrected against
  the vocabulary by trigram similarity.

Both indexes are kept in step by the database (see migration 0002), so nothing here
writes to them. This module asks, ranks and applies the relevance floor, and keeps the
PostgreSQL vocabulary in step; `search_terms` reads the query and `search_engines` holds
the two engines.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from django.db import connection
from django.db.models import QuerySet
from django.utils.safestring import SafeString, mark_safe

from portico import access
from portico.knowledge.models import Article
from portico.knowledge.search_engines import CLOSE, ENGINES, OPEN, Engine
from portico.knowledge.search_terms import MAX_QUERY, Term, parse, stem, stem_pattern, words_of

if TYPE_CHECKING:
    from portico.access import Person

# The relevance floor: an article is a match only if it holds at least this share of
# what the query means, each word weighted by how rare it is among the articles (see
# `_relevant`). A share, not a rank: BM25 and ts_rank scores move with the size of the
# knowledge base and the length of the query, a share of the query does not.
RELEVANCE_FLOOR: Final = 0.5
# A word matched only through a spelling correction counts for half: the nearest known
# word to an off-topic one ("snow" -> "show") says little about what was meant.
CORRECTED_CREDIT: Final = 0.5


@dataclass(frozen=True)
class Hit:
    article: Article
    snippet: SafeString
    score: float


@dataclass
class Results:
    query: str
    hits: list[Hit] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)  # typed word -> known word
    terms: list[Term] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)  # each term's, see _weights

    def share(self, held: set[int]) -> float:
        """The share of the query that the terms at `held` (indexes) make up."""
        total = sum(self.weights)
        if not total:
            return 0.0
        credits = [CORRECTED_CREDIT if term.corrected else 1.0 for term in self.terms]
        return sum(self.weights[i] * credits[i] for i in held) / total

    def holds(self, text: str) -> bool:
        """Whether `text` (an FAQ, a download's description) clears the relevance floor
        by the same weights as the articles. Its words are matched by their first
        letters, a rough stemmer: FAQs and downloads are few and have no index."""
        lowered = text.lower()
        held = {
            index
            for index, term in enumerate(self.terms)
            if any(stem_pattern(form).search(lowered) for form in term.forms)
        }
        return self.share(held) >= RELEVANCE_FLOOR

    @property
    def corrected_query(self) -> str:
        if not self.corrections:
            return ""
        return " ".join(self.corrections.get(word, word) for word in words_of(self.query))


def search(user: Person | None, query: str, *, limit: int = 10, typing: bool = False) -> Results:
    """The articles that best answer `query` among those `user` may read, best first.
    `typing` treats the last word as a prefix (the deflection widget asks while the
    title is still being typed)."""
    results = Results(query=query.strip()[:MAX_QUERY])
    terms = parse(results.query, typing=typing)
    if not terms:
        return results
    engine = ENGINES.get(connection.vendor)
    if engine is None:  # pragma: no cover - the two databases Portico runs on
        raise NotImplementedError(f"No knowledge search for {connection.vendor}")
    # Which words the articles use, asked once for the whole query.
    known = engine.known([term.word for term in terms if " " not in term.word])
    terms = [_corrected(engine, _finished(term, known), known) for term in terms]
    results.terms = terms
    results.weights = _weights(engine, terms)
    results.corrections = {t.word: t.corrected for t in terms if t.corrected}
    visible = access.visible_publications(user, Article.objects.all())
    ranked = _rank(engine, results, visible, limit)
    if not ranked:
        results.corrections = {}  # with no hit shown, no correction may be told either
        return results
    articles = Article.objects.select_related("category").in_bulk([pk for pk, _ in ranked])
    snippets = engine.snippets(terms, [pk for pk, _ in ranked])
    results.hits = [
        Hit(articles[pk], _marked(snippets.get(pk) or articles[pk].summary), score)
        for pk, score in ranked
        if pk in articles
    ]
    # The vocabulary holds words of articles this reader may not see: a correction is
    # only told when a hit shown to them uses the word, so none can leak one.
    shown = " ".join(
        f"{h.article.title} {h.article.summary} {h.article.body_text}".lower() for h in results.hits
    )
    results.corrections = {
        typed: known for typed, known in results.corrections.items() if known in shown
    }
    return results


def _finished(term: Term, known: set[str]) -> Term:
    """The word still being typed, taken as typed when it is already a word some article
    uses: "car" is not the start of "cartridge" for the relevance floor."""
    if term.prefix and term.word in known:
        return Term(term.word, term.alternatives)
    return term


def _corrected(engine: Engine, term: Term, known: set[str]) -> Term:
    """A word no article uses gets the nearest one that some article does."""
    if (
        term.prefix
        or " " in term.word
        or len(term.word) < 4
        or term.word.isdigit()
        or term.alternatives
        or term.word in known
    ):
        return term
    nearest = engine.nearest(term.word)
    if not nearest or nearest == term.word:
        return term
    return Term(term.word, (nearest,), corrected=nearest)


def _marked(snippet: str) -> SafeString:
    escaped = html.escape(snippet)
    return mark_safe(  # noqa: S308 - escaped just above; only our own markers become tags
        escaped.replace(OPEN, "<mark>").replace(CLOSE, "</mark>")
    )


def _rank(
    engine: Engine, results: Results, visible: QuerySet[Article], limit: int
) -> list[tuple[int, float]]:
    """The best matches are ranked on their own and only then narrowed to what the
    reader may see, widening the window while too few are left. With the visibility
    test inside the full-text query SQLite probed its index once per visible article
    (0.5 s at 10,000 articles); a top-k with LIMIT costs 2 ms. Then the relevance floor
    drops the articles that hold too little of the query."""
    first = window = max(limit * 4, 40)
    while True:
        rows = engine.candidates(results.terms, results.query, window)
        allowed = set(visible.filter(id__in=[pk for pk, _ in rows]).values_list("id", flat=True))
        kept = [(pk, score) for pk, score in rows if pk in allowed]
        if len(kept) >= limit or len(rows) < window:
            break
        window *= 8
    return _relevant(engine, results, kept[:first])[:limit]


def _weights(engine: Engine, terms: list[Term]) -> list[float]:
    """What each term counts for in the relevance floor: its BM25 inverse document
    frequency, so that a word most articles use counts for little ("how do I let a
    colleague see our requests" is answered without "let" and "see"; "pizza delivery
    near me" is not answered by "delivery" alone). A word no article uses weighs as one
    that a single article uses, no more: otherwise one unfamiliar word ("bleach safety
    precautions") sinks a question whose other words all match. A misspelled word is
    such a word, whatever its correction's count. A term the engine reads as no word at
    all weighs nothing, and so does a word still being typed beside others: what has
    been typed so far need not begin its stem ("readin" of "readings"), and as a prefix
    it matches too much ("car" of "cartridge")."""
    articles, counts = engine.document_counts(terms)
    return [
        0.0
        if count < 0 or (term.prefix and len(terms) > 1)
        else _idf(articles, 1 if term.corrected else max(count, 1))
        for term, count in zip(terms, counts, strict=True)
    ]


def _idf(articles: int, count: int) -> float:
    return math.log(1 + (articles - count + 0.5) / (count + 0.5))


def _relevant(
    engine: Engine, results: Results, rows: list[tuple[int, float]]
) -> list[tuple[int, float]]:
    """The rows whose article holds at least RELEVANCE_FLOOR of the query, best first.
    A term matched only through its spelling correction counts for CORRECTED_CREDIT.
    The engines' scores are scaled by the share held, so an article holding all of the
    query ranks above one holding one word many times (ts_rank alone ranked those the
    other way round: "set up 2fa" found the setup articles first)."""
    if not rows:
        return rows
    held = engine.held(results.terms, [pk for pk, _ in rows])
    relevant: list[tuple[int, float]] = []
    for pk, score in rows:
        share = results.share(held.get(pk, set()))
        if share >= RELEVANCE_FLOOR:
            relevant.append((pk, score * share))
    relevant.sort(key=lambda row: row[1], reverse=True)
    return relevant


def stems(results: Results) -> set[str]:
    """The stems of the query's words and their synonyms, for a coarse `icontains`
    pass before `Results.holds` judges each text."""
    return {stem(word) for term in results.terms for form in term.forms for word in words_of(form)}


_ARTICLE_WORDS = (
    "SELECT DISTINCT lexeme FROM knowledge_article, unnest(to_tsvector('simple'::regconfig,"
    " coalesce(title, '') || ' ' || coalesce(tags, '') || ' ' || coalesce(summary, '')"
    " || ' ' || coalesce(body_text, ''))) WHERE id = %s AND status = 'published'"
)


def published_words(article_id: int | None) -> set[str]:
    """The words the article gives the vocabulary as it is stored now: none unless it
    is published. Empty on SQLite, whose FTS5 keeps its own vocabulary."""
    if article_id is None or connection.vendor != "postgresql":
        return set()
    with connection.cursor() as cursor:
        cursor.execute(_ARTICLE_WORDS, [article_id])
        return {word for (word,) in cursor.fetchall()}


def update_vocabulary(before: set[str], after: set[str]) -> None:
    """One article's change to the vocabulary, from its words before and after: each
    word keeps its count of articles. Refilling the whole table instead read every
    published article on each save (2.2 s at 10,000 articles)."""
    if connection.vendor != "postgresql":
        return
    lost, gained = sorted(before - after), sorted(after - before)
    with connection.cursor() as cursor:
        if lost:
            cursor.execute("UPDATE knowledge_word SET ndoc = ndoc - 1 WHERE word = ANY(%s)", [lost])
            cursor.execute("DELETE FROM knowledge_word WHERE word = ANY(%s) AND ndoc <= 0", [lost])
        if gained:
            cursor.execute(
                "INSERT INTO knowledge_word (word, ndoc) SELECT unnest(%s::text[]), 1"
                " ON CONFLICT (word) DO UPDATE SET ndoc = knowledge_word.ndoc + 1",
                [gained],
            )


def refresh_vocabulary() -> None:
    """Refill the vocabulary misspellings are corrected against from every published
    article. SQLite's FTS5 keeps its own; on PostgreSQL the table is refilled in the
    caller's transaction, so searches see the old words or the new, never none."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM knowledge_word")
            cursor.execute(
                "INSERT INTO knowledge_word (word, ndoc) SELECT word, ndoc FROM ts_stat("
                "$$SELECT to_tsvector('simple'::regconfig, coalesce(title, '') || ' ' ||"
                " coalesce(tags, '') || ' ' || coalesce(summary, '') || ' ' ||"
                " coalesce(body_text, '')) FROM knowledge_article"
                " WHERE status = 'published'$$)"
            )
