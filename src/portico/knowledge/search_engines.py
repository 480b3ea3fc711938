"""The two engines a knowledge search runs on, each asked the same questions by
`portico.knowledge.search`: which words the articles use, the nearest known word to a
misspelled one, the best candidates, snippets, and how many articles hold each term.

- SQLite: FTS5 with the Porter stemmer, ranked by BM25; the unstemmed FTS5 index's
  vocabulary corrects misspellings.
- PostgreSQL: a weighted tsvector (GIN) ranked by ts_rank, plus pg_trgm for titles that
  are only similar to the query and for corrections against the vocabulary table."""

from __future__ import annotations

import difflib
import re
from typing import Final

from django.db import connection

from portico.knowledge.search_terms import Term, words_of

# Markers the engines put around matched words. Snippets are escaped as a whole and only
# then are these turned into <mark>, so nothing an author wrote can become markup.
OPEN: Final = "\u27e6"
CLOSE: Final = "\u27e7"


def _required(terms: list[Term]) -> list[Term]:
    """The terms an article must all hold to be ranked in the first, narrower pass:
    every word but one still being typed (its stem may not begin with what has been
    typed so far). Empty where that pass would narrow nothing."""
    required = [term for term in terms if not term.prefix]
    return required if len(terms) > 1 else []


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
                [OPEN, CLOSE, self.match(terms), *ids],
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
            f'StartSel="{OPEN}", StopSel="{CLOSE}", MaxWords=30, MinWords=12,'
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


ENGINES: dict[str, Engine] = {"sqlite": SQLiteEngine(), "postgresql": PostgresEngine()}
