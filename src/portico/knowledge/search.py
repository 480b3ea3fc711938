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
writes to them.
"""

from __future__ import annotations

import difflib
import html
import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from django.db import connection
from django.db.models import QuerySet
from django.utils.safestring import SafeString, mark_safe

from portico import access
from portico.knowledge.models import Article, Synonym

if TYPE_CHECKING:
    from portico.access import Person

MAX_QUERY: Final = 200
MAX_TERMS: Final = 12
# The relevance floor: an article is a match only if it holds at least this share of
# what the query means, each word weighted by how rare it is among the articles (see
# `_relevant`). A share, not a rank: BM25 and ts_rank scores move with the size of the
# knowledge base and the length of the query, a share of the query does not.
RELEVANCE_FLOOR: Final = 0.5
# A word matched only through a spelling correction counts for half: the nearest known
# word to an off-topic one ("snow" -> "show") says little about what was meant.
CORRECTED_CREDIT: Final = 0.5
# Markers the engines put around matched words. Snippets are escaped as a whole and only
# then are these turned into <mark>, so nothing an author wrote can become markup.
_OPEN: Final = "\u27e6"
_CLOSE: Final = "\u27e7"
_WORD: Final = re.compile(r"\w+", re.UNICODE)
# Words so common in questions that matching them says nothing ("how do I ..."): ours,
# and PostgreSQL's English stop list, which its full-text search drops anyway. Both
# engines leave out the same words, so a query's share of meaningful words matched (the
# relevance floor) means the same thing on either.
STOPWORDS: Final = frozenset(
    """
    a about above after again against all am an and any are as at be because been before
    being below between both but by can can't cannot did do does doing don dont down
    during each few for from further get got had has have having he help her here hers
    herself him himself his how i if in into is it its itself just me more most my myself
    need no nor not now of off on once only or other our ours ourselves out over own
    please same she should so some such t than that the their theirs them themselves then
    there these they this those through to too under until up very want was we were what
    when where which while who whom why will with you your yours yourself yourselves s
    """.split()  # noqa: SIM905 - a list literal would be a word a line, 130 lines
)

# "How long is the guarantee", "how often should I ...": after "how" these words ask
# the question and say nothing of its subject, which an answer need not repeat.
QUESTION_MEASURES: Final = frozenset({"long", "often", "much", "many", "soon", "far"})


@dataclass(frozen=True)
class Term:
    """One word of the query and what else counts as it."""

    word: str
    alternatives: tuple[str, ...] = ()  # synonyms and corrections; may be phrases
    prefix: bool = False  # the last word while someone is still typing
    corrected: str = ""  # the word some article uses, when `word` is unknown

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.word, *self.alternatives)


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
            if any(_stem_pattern(form).search(lowered) for form in term.forms)
        }
        return self.share(held) >= RELEVANCE_FLOOR

    @property
    def corrected_query(self) -> str:
        if not self.corrections:
            return ""
        return " ".join(self.corrections.get(word, word) for word in words_of(self.query))


def words_of(query: str) -> list[str]:
    return [word.lower() for word in _WORD.findall(query[:MAX_QUERY])]


def search(user: Person | None, query: str, *, limit: int = 10, typing: bool = False) -> Results:
    """The articles that best answer `query` among those `user` may read, best first.
    `typing` treats the last word as a prefix (the deflection widget asks while the
    title is still being typed)."""
    results = Results(query=query.strip()[:MAX_QUERY])
    terms = parse(results.query, typing=typing)
    if not terms:
        return results
    engine = _ENGINES.get(connection.vendor)
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


def parse(query: str, *, typing: bool = False) -> list[Term]:
    """The query's meaningful words, each with its synonyms."""
    words = words_of(query)
    if not words:
        return []
    synonyms = _synonym_groups()
    terms: list[Term] = []
    seen: set[str] = set()
    last = len(words) - 1
    for position, word in enumerate(words):
        phrase = f"{words[position - 1]} {word}" if position else ""
        if phrase in synonyms and terms and terms[-1].word == words[position - 1]:
            # "sign in" is one thing; its synonyms ("log in", "login") replace both words.
            terms[-1] = Term(phrase, tuple(synonyms[phrase]))
            seen.add(phrase)
            continue
        if word in seen or (word in STOPWORDS and word not in synonyms):
            continue
        if word in QUESTION_MEASURES and position and words[position - 1] == "how":
            continue
        seen.add(word)
        typing_this = typing and position == last and not query.endswith(" ")
        terms.append(Term(word, tuple(synonyms.get(word, ())), prefix=typing_this))
    return terms[:MAX_TERMS]


def _synonym_groups() -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for synonym in Synonym.objects.all():
        words = synonym.word_list
        for word in words:
            groups.setdefault(word, []).extend(other for other in words if other != word)
    return groups


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


def _required(terms: list[Term]) -> list[Term]:
    """The terms an article must all hold to be ranked in the first, narrower pass:
    every word but one still being typed (its stem may not begin with what has been
    typed so far). Empty where that pass would narrow nothing."""
    required = [term for term in terms if not term.prefix]
    return required if len(terms) > 1 else []


def _marked(snippet: str) -> SafeString:
    escaped = html.escape(snippet)
    return mark_safe(  # noqa: S308 - escaped just above; only our own markers become tags
        escaped.replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")
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


_SUFFIXES: Final = ("ations", "ation", "ings", "ing", "ions", "ion", "ies", "es", "ed", "s", "y")


def stems(results: Results) -> set[str]:
    """The stems of the query's words and their synonyms, for a coarse `icontains`
    pass before `Results.holds` judges each text."""
    return {_stem(word) for term in results.terms for form in term.forms for word in words_of(form)}


def _stem(word: str) -> str:
    """`word` less a common ending, so that it begins its other forms."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _stem_pattern(form: str) -> re.Pattern[str]:
    """Each word of `form`, by its stem, at the start of a word."""
    stemmed = [re.escape(_stem(word)) for word in words_of(form)]
    if not stemmed:
        return re.compile(r"(?!)")  # matches nothing
    return re.compile(r"\b" + r"\w*\W+".join(stemmed))


class Engine:
    def known(self, words: list[str]) -> set[str]:
        """Which of `words` some article uses (one query, whatever their number)."""
        raise NotImplementedError

    def nearest(self, word: str) -> str:
        raise NotImplementedError

    def candidates(self, terms: list[Term], query: str, window: int) -> list[tuple[int, float]]:
        """The best `window` matches of every article, readable or not, best first,
        as (id, score) with higher scores better."""
        raise NotImplementedError

    def snippets(self, terms: list[Term], ids: list[int]) -> dict[int, str]:
        raise NotImplementedError

    def document_counts(self, terms: list[Term]) -> tuple[int, list[int]]:
        """How many articles there are, and how many hold each term (-1 for a term the
        engine reads as no word at all)."""
        raise NotImplementedError

    def held(self, terms: list[Term], ids: list[int]) -> dict[int, set[int]]:
        """For each of `ids`, the indexes of the terms it holds."""
        raise NotImplementedError


class SQLiteEngine(Engine):
    # Column weights for bm25(), in the FTS5 table's column order.
    WEIGHTS: Final = "10.0, 4.0, 3.0, 1.0"

    def match(self, terms: list[Term], *, every: bool = False) -> str:
        """An FTS5 query: any of the terms (with `every`, all of them), each as any of
        its forms. Every word is quoted, so nothing typed is read as FTS5 syntax."""
        groups = []
        for term in terms:
            forms = []
            for form in term.forms:
                quoted = '"' + form.replace('"', "") + '"'
                forms.append(quoted + "*" if term.prefix and form == term.word else quoted)
            groups.append("(" + " OR ".join(forms) + ")")
        return (" AND " if every else " OR ").join(groups)

    def known(self, words: list[str]) -> set[str]:
        if not words:
            return set()
        placeholders = ", ".join(["%s"] * len(words))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT term FROM knowledge_article_words_terms"  # noqa: S608 - placeholders only
                f" WHERE term IN ({placeholders})",
                words,
            )
            return {term for (term,) in cursor.fetchall()}

    def nearest(self, word: str) -> str:
        # Candidates share the first letter (people rarely get that wrong) and are of a
        # similar length; difflib picks the closest, preferring commoner words on a tie.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT term, doc FROM knowledge_article_words_terms"
                " WHERE term >= %s AND term < %s AND length(term) BETWEEN %s AND %s",
                [word[0], chr(ord(word[0]) + 1), len(word) - 2, len(word) + 2],
            )
            counts = dict(cursor.fetchall())
        return _closest(word, counts)

    def candidates(self, terms: list[Term], query: str, window: int) -> list[tuple[int, float]]:
        # As on PostgreSQL: the articles holding every word, where there are a window
        # of them; else those holding any.
        required = _required(terms)
        if required:
            rows = self._candidates(self.match(required, every=True), window)
            if len(rows) >= window:
                return rows
        return self._candidates(self.match(terms), window)

    def _candidates(self, match: str, window: int) -> list[tuple[int, float]]:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, bm25(knowledge_article_fts, {self.WEIGHTS}) AS score"  # noqa: S608 - constants only
                " FROM knowledge_article_fts WHERE knowledge_article_fts MATCH %s"
                " ORDER BY score LIMIT %s",
                [match, window],
            )
            # bm25() is lower-is-better; turned round so higher is better everywhere.
            return [(pk, -score) for pk, score in cursor.fetchall()]

    def snippets(self, terms: list[Term], ids: list[int]) -> dict[int, str]:
        placeholders = ", ".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rowid, snippet(knowledge_article_fts, 3, %s, %s, ' … ', 24)"  # noqa: S608 - placeholders only
                " FROM knowledge_article_fts WHERE knowledge_article_fts MATCH %s"
                f" AND rowid IN ({placeholders})",
                [_OPEN, _CLOSE, self.match(terms), *ids],
            )
            return dict(cursor.fetchall())

    # Both questions are one statement whatever the number of words, as on PostgreSQL:
    # asked a word at a time they cost the deflection widget six queries a keystroke.
    def document_counts(self, terms: list[Term]) -> tuple[int, list[int]]:
        counts = "".join(
            ", (SELECT count(*) FROM knowledge_article_fts WHERE knowledge_article_fts MATCH %s)"
            for _ in terms
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT (SELECT count(*) FROM knowledge_article){counts}",  # noqa: S608 - placeholders only
                [self.match([term]) for term in terms],
            )
            articles, *found = cursor.fetchone()
        return articles, found

    def held(self, terms: list[Term], ids: list[int]) -> dict[int, set[int]]:
        if not terms or not ids:
            return {}
        placeholders = ", ".join(["%s"] * len(ids))
        each = " UNION ALL ".join(
            f"SELECT {index}, rowid FROM knowledge_article_fts WHERE knowledge_article_fts"  # noqa: S608 - an index and placeholders only
            f" MATCH %s AND rowid IN ({placeholders})"
            for index in range(len(terms))
        )
        held: dict[int, set[int]] = {}
        with connection.cursor() as cursor:
            params: list[str | int] = []
            for term in terms:
                params += [self.match([term]), *ids]
            cursor.execute(each, params)
            for index, pk in cursor.fetchall():
                held.setdefault(pk, set()).add(index)
        return held


class PostgresEngine(Engine):
    # ts_rank weights for D, C, B, A: body, (tags, summary), title.
    WEIGHTS: Final = "{0.1, 0.3, 0.5, 1.0}"
    # How much a title that only looks like the query counts beside a real word match.
    SIMILAR_TITLE: Final = 0.4

    def tsquery(self, terms: list[Term], *, every: bool = False) -> tuple[str, list[str]]:
        """SQL building one tsquery from the terms, every word passed as a parameter:
        `(form | form) | (form | form)`, or with `every` `(form | form) & (form | form)`;
        phrases as `<->`, the typed word as a prefix."""
        groups: list[str] = []
        params: list[str] = []
        for term in terms:
            parts: list[str] = []
            for form in term.forms:
                if term.prefix and form == term.word:
                    parts.append("to_tsquery('english', %s)")
                    params.append(re.sub(r"\W", "", form) + ":*")
                else:
                    parts.append("phraseto_tsquery('english', %s)")
                    params.append(form)
            groups.append("(" + " || ".join(parts) + ")")
        return (" && " if every else " || ").join(groups), params

    def known(self, words: list[str]) -> set[str]:
        if not words:
            return set()
        with connection.cursor() as cursor:
            cursor.execute("SELECT word FROM knowledge_word WHERE word = ANY(%s)", [words])
            return {word for (word,) in cursor.fetchall()}

    def nearest(self, word: str) -> str:
        # pg_trgm's similarity over the vocabulary, through its trigram index; the first
        # letter must agree, as on SQLite.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT word, ndoc FROM knowledge_word"
                " WHERE word %% %s AND left(word, 1) = left(%s, 1)"
                " ORDER BY similarity(word, %s) DESC, ndoc DESC LIMIT 5",
                [word, word, word],
            )
            counts = dict(cursor.fetchall())
        return _closest(word, counts)

    def candidates(self, terms: list[Term], query: str, window: int) -> list[tuple[int, float]]:
        # The articles holding every word (_required) come first, and are enough when
        # there are a window of them: ranking every article that holds any word meant
        # ts_rank over 6,000 of 10,000 (53 ms for "chlorine sensor calibration"); those
        # holding all three were 1,600 (20 ms). Where fewer hold every word (a small
        # knowledge base, a rare word), any word counts, as before.
        required = _required(terms)
        if required:
            rows, matched = self._candidates(terms, query, window, required=required)
            if matched >= window:
                return rows
        return self._candidates(terms, query, window)[0]

    def _candidates(
        self, terms: list[Term], query: str, window: int, *, required: list[Term] | None = None
    ) -> tuple[list[tuple[int, float]], int]:
        """(id, score) best first, and how many were full-text matches. Each kind of
        candidate comes through its own index: the best full-text matches by ts_rank,
        and the titles most like the query by trigram similarity. Only they are scored
        (rank + title likeness): scoring word_similarity on every matching article
        instead cost 220 ms at 10,000 articles."""
        # Matched by the required words (when given), ranked by all of them.
        rank, rank_params = self.tsquery(terms)
        match, match_params = (
            self.tsquery(required, every=True) if required else (rank, rank_params)
        )
        title = " ".join(words_of(query))
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH q AS (SELECT ({match}) AS match, ({rank}) AS rank),"  # noqa: S608 - placeholders only
                " ranked AS (SELECT a.id, ts_rank(%s::float4[], a.search_document,"
                " q.rank, 1) AS r FROM knowledge_article a, q"
                " WHERE a.search_document @@ q.match ORDER BY r DESC, a.id LIMIT %s),"
                " alike AS (SELECT a.id FROM knowledge_article a"
                " WHERE %s <%% lower(a.title)"
                " ORDER BY word_similarity(%s, lower(a.title)) DESC, a.id LIMIT %s)"
                " SELECT a.id, coalesce(ranked.r, 0)"
                " + %s * word_similarity(%s, lower(a.title)) AS score,"
                " ranked.r IS NOT NULL"
                " FROM (SELECT id FROM ranked UNION SELECT id FROM alike) c"
                " JOIN knowledge_article a ON a.id = c.id"
                " LEFT JOIN ranked ON ranked.id = c.id"
                " ORDER BY score DESC, a.id",
                [*match_params, *rank_params, self.WEIGHTS, window, title, title, window,
                 self.SIMILAR_TITLE, title],
            )  # fmt: skip
            rows = cursor.fetchall()
        return [(pk, float(score)) for pk, score, _ in rows], sum(1 for *_, hit in rows if hit)

    def snippets(self, terms: list[Term], ids: list[int]) -> dict[int, str]:
        tsquery, tsparams = self.tsquery(terms)
        placeholders = ", ".join(["%s"] * len(ids))
        options = (
            f'StartSel="{_OPEN}", StopSel="{_CLOSE}", MaxWords=30, MinWords=12,'
            ' MaxFragments=2, FragmentDelimiter=" … "'
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, ts_headline('english', body_text, ({tsquery}), %s)"  # noqa: S608 - placeholders only
                f" FROM knowledge_article WHERE id IN ({placeholders})",
                [*tsparams, options, *ids],
            )
            return dict(cursor.fetchall())

    def document_counts(self, terms: list[Term]) -> tuple[int, list[int]]:
        queries = [self.tsquery([term]) for term in terms]
        # A term PostgreSQL reads as no word at all (numnode 0: only its stop words)
        # counts -1, so that it weighs nothing rather than as much as a rare word.
        counts = "".join(
            f", CASE WHEN numnode({sql}) = 0 THEN -1 ELSE (SELECT count(*) FROM"  # noqa: S608 - placeholders only
            f" knowledge_article WHERE search_document @@ ({sql})) END"
            for sql, _ in queries
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT (SELECT count(*) FROM knowledge_article){counts}",  # noqa: S608 - placeholders only
                [param for _, params in queries for param in (*params, *params)],
            )
            articles, *found = cursor.fetchone()
        return articles, found

    def held(self, terms: list[Term], ids: list[int]) -> dict[int, set[int]]:
        queries = [self.tsquery([term]) for term in terms]
        tests = ", ".join(f"search_document @@ ({sql})" for sql, _ in queries)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, ARRAY[{tests}] FROM knowledge_article WHERE id = ANY(%s)",  # noqa: S608 - placeholders only
                [*(param for _, params in queries for param in params), ids],
            )
            return {
                pk: {index for index, hit in enumerate(holds) if hit}
                for pk, holds in cursor.fetchall()
            }


def _closest(word: str, counts: dict[str, int], cutoff: float = 0.75) -> str:
    if not counts:
        return ""
    matches = difflib.get_close_matches(word, list(counts), n=3, cutoff=cutoff)
    if not matches:
        return ""
    best = difflib.SequenceMatcher(None, word, matches[0]).ratio()
    tied = [m for m in matches if difflib.SequenceMatcher(None, word, m).ratio() >= best - 0.02]
    return max(tied, key=lambda m: counts.get(m, 0))


_ENGINES: dict[str, Engine] = {"sqlite": SQLiteEngine(), "postgresql": PostgresEngine()}


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
