"""How a knowledge search reads a query: its words, less the small words every article
has, each with its synonyms (a phrase's too); and the rough stemmer that FAQs and
downloads, which have no index, are matched by. The same reading serves both engines
(`portico.knowledge.search_engines`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from portico.access import setup
from portico.knowledge.models import Synonym

MAX_QUERY: Final = 200
MAX_TERMS: Final = 12
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


def words_of(query: str) -> list[str]:
    return [word.lower() for word in _WORD.findall(query[:MAX_QUERY])]


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


def _synonym_groups() -> Mapping[str, tuple[str, ...]]:
    """Each word's synonyms: set-up, kept per process (`access.setup`), read-only."""
    return setup.remembered("synonym_groups", None, _read_synonym_groups)


def _read_synonym_groups() -> Mapping[str, tuple[str, ...]]:
    groups: dict[str, list[str]] = {}
    for synonym in Synonym.objects.all():
        words = synonym.word_list
        for word in words:
            groups.setdefault(word, []).extend(other for other in words if other != word)
    return MappingProxyType({word: tuple(others) for word, others in groups.items()})


_SUFFIXES: Final = ("ations", "ation", "ings", "ing", "ions", "ion", "ies", "es", "ed", "s", "y")


def stem(word: str) -> str:
    """`word` less a common ending, so that it begins its other forms."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def stem_pattern(form: str) -> re.Pattern[str]:
    """Each word of `form`, by its stem, at the start of a word."""
    stemmed = [re.escape(stem(word)) for word in words_of(form)]
    if not stemmed:
        return re.compile(r"(?!)")  # matches nothing
    return re.compile(r"\b" + r"\w*\W+".join(stemmed))
