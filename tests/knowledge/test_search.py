"""Knowledge search on whichever database the run uses (SQLite's FTS5, or PostgreSQL's
full-text search with pg_trgm): stemming, ranking, snippets, misspellings, synonyms,
and only what the reader may see."""

from __future__ import annotations

import pytest
from django.db import connection

from portico.knowledge import search, search_engines, search_terms, services
from portico.knowledge.models import Article, Status, Synonym
from tests.conftest import Persona
from tests.knowledge.conftest import MakeArticle
from tests.knowledge.relevance_set import OFF_TOPIC_QUERIES, RELEVANCE_SET


def _titles(user: object, query: str, **kwargs: object) -> list[str]:
    return [hit.article.title for hit in search.search(user, query, **kwargs).hits]  # type: ignore[arg-type]


def test_stemming_finds_other_forms_of_a_word(
    make_article: MakeArticle, personas: dict[str, Persona]
) -> None:
    make_article("Calibrating the chlorine sensor", "Hold the probe in buffer solution.")
    make_article("Replacing a fuse", "Switch off the mains first.")
    customer = personas["customer"].individual.user
    assert _titles(customer, "calibration") == ["Calibrating the chlorine sensor"]
    assert _titles(customer, "sensors calibrated") == ["Calibrating the chlorine sensor"]


def test_a_title_match_ranks_above_a_body_match(
    make_article: MakeArticle, personas: dict[str, Persona]
) -> None:
    make_article("Cleaning the filter housing", "Mentions the gateway once in passing.")
    make_article("Gateway network settings", "How to give the gateway a fixed address.")
    customer = personas["customer"].individual.user
    assert _titles(customer, "gateway")[0] == "Gateway network settings"


def test_snippets_highlight_matches_and_escape_what_authors_wrote(
    make_article: MakeArticle, personas: dict[str, Persona]
) -> None:
    make_article(
        "Alarm codes",
        "If the display shows <script>alert(1)</script> then the firmware alarm E17 is active.",
    )
    hit = search.search(personas["customer"].individual.user, "firmware").hits[0]
    assert "<mark>firmware</mark>" in hit.snippet
    # SQLite shows the author's text escaped, PostgreSQL's ts_headline drops the tags:
    # either way, the only markup left is our own.
    assert "<" not in hit.snippet.replace("<mark>", "").replace("</mark>", "")


def test_a_misspelled_word_is_corrected_to_one_the_articles_use(
    make_article: MakeArticle, personas: dict[str, Persona]
) -> None:
    make_article("Calibrating the chlorine sensor", "Use the calibration kit.")
    make_article("Ordering spare parts", "Parts ship from Dundee.")
    results = search.search(personas["customer"].individual.user, "chlorine calibartion")
    assert [h.article.title for h in results.hits][:1] == ["Calibrating the chlorine sensor"]
    assert results.corrections == {"calibartion": "calibration"}
    assert results.corrected_query == "chlorine calibration"


def test_synonyms_find_the_word_the_article_uses(
    make_article: MakeArticle, personas: dict[str, Persona]
) -> None:
    Synonym.objects.create(words="bill, invoice")
    Synonym.objects.create(words="log in, sign in, login")
    make_article("Reading your invoice", "Each line of the invoice is one delivery.")
    make_article("Sign in problems", "If you cannot sign in, reset your password.")
    customer = personas["customer"].individual.user
    assert _titles(customer, "my bill")[:1] == ["Reading your invoice"]
    assert _titles(customer, "cannot login")[:1] == ["Sign in problems"]
    assert _titles(customer, "how do I log in")[:1] == ["Sign in problems"]


def test_typing_treats_the_last_word_as_a_prefix(
    make_article: MakeArticle, personas: dict[str, Persona]
) -> None:
    make_article("Dosing pump primes slowly", "Bleed the air from the suction line.")
    customer = personas["customer"].individual.user
    assert _titles(customer, "dosing pum", typing=True) == ["Dosing pump primes slowly"]


@pytest.mark.parametrize(
    "query", ['"', "AND OR NOT", "NEAR(a b)", "pump*", "title:pump", "a' OR 1=1 --", "(((", "_"]
)
def test_search_syntax_in_a_query_is_just_text(
    make_article: MakeArticle, personas: dict[str, Persona], query: str
) -> None:
    make_article("Dosing pump primes slowly")
    search.search(personas["customer"].individual.user, query)  # no error is the point


def test_only_published_articles_the_reader_may_see_are_found(
    make_article: MakeArticle, personas: dict[str, Persona]
) -> None:
    make_article("Gasket kit for everyone", audience=("public",))
    make_article("Gasket kit for customers", audience=("Customers",))
    make_article("Gasket kit for partners", audience=("Partners",))
    make_article("Gasket kit for staff", audience=())
    make_article("Gasket kit draft", status=Status.DRAFT)
    make_article("Gasket kit archived", status=Status.ARCHIVED)
    found = {key: set(_titles(personas[key].individual.user, "gasket")) for key in personas}
    assert found["customer"] == {"Gasket kit for everyone", "Gasket kit for customers"}
    assert found["partner"] == {"Gasket kit for everyone", "Gasket kit for partners"}
    assert found["employee"] == {"Gasket kit for everyone"}
    assert found["csr"] == {
        "Gasket kit for everyone",
        "Gasket kit for customers",
        "Gasket kit for partners",
        "Gasket kit for staff",
    }
    assert set(_titles(None, "gasket")) == {"Gasket kit for everyone"}


def test_the_index_follows_every_change(
    make_article: MakeArticle, personas: dict[str, Persona]
) -> None:
    article = make_article("Winter frost protection", "Drain the pipework.")
    customer = personas["customer"].individual.user
    services.save_article(
        actor=None,
        article=article,
        change=services.ArticleChange(
            title="Summer algae control",
            body="Shade the tanks.",
            public=True,
            status=Status.PUBLISHED,
        ),
    )
    assert _titles(customer, "frost") == []
    assert _titles(customer, "algae") == ["Summer algae control"]
    Article.objects.filter(pk=article.pk).delete()
    assert _titles(customer, "algae") == []


@pytest.mark.usefixtures("demo_knowledge")
def test_relevance_set_finds_the_expected_article_in_the_top_three(
    personas: dict[str, Persona],
) -> None:
    assert len(RELEVANCE_SET) >= 30
    customer = personas["customer"].individual.user
    slugs = set(Article.objects.values_list("slug", flat=True))
    misses = []
    for query, expected in RELEVANCE_SET:
        assert expected in slugs, f"the relevance set names an unknown article {expected!r}"
        top = [hit.article.slug for hit in search.search(customer, query, limit=3).hits]
        if expected not in top:
            misses.append(f"{query!r}: expected {expected}, got {top}")
    found = len(RELEVANCE_SET) - len(misses)
    share = found / len(RELEVANCE_SET)
    print(
        f"relevance ({connection.vendor}): {found}/{len(RELEVANCE_SET)} in the top 3 ({share:.1%})"
    )
    # Issue 19 raised the bar from 90 % with the relevance floor in place.
    assert share >= 0.95, "\n".join(misses)


@pytest.mark.usefixtures("demo_knowledge")
def test_off_topic_queries_find_nothing(personas: dict[str, Persona]) -> None:
    assert len(OFF_TOPIC_QUERIES) >= 25  # the first five, and issue 19's twenty more
    customer = personas["customer"].individual.user
    found = {query: _titles(customer, query) for query in OFF_TOPIC_QUERIES}
    answered = {query: titles for query, titles in found.items() if titles}
    empty = 1 - len(answered) / len(found)
    print(
        f"off-topic ({connection.vendor}): {len(found) - len(answered)}/{len(found)}"
        f" found nothing ({empty:.1%}); answered: {answered}"
    )
    assert empty >= 0.9, answered
    assert found["flux capacitor on the snow plough"] == []


def test_the_floor_is_a_share_of_the_query_whatever_the_size_of_the_knowledge_base(
    make_article: MakeArticle, personas: dict[str, Persona]
) -> None:
    make_article("Replacing the pump diaphragm", "Fit the new diaphragm to the pump head.")
    make_article("Priming the pump", "Open the bleed valve while the pump runs.")
    customer = personas["customer"].individual.user
    for size in (2, 42):
        # The articles holding only "pump" are below the floor for "pump diaphragm", and
        # one word of three is below it for everything: with two articles as with 42.
        assert _titles(customer, "pump diaphragm") == ["Replacing the pump diaphragm"], size
        assert _titles(customer, "flux capacitor pump") == [], size
        assert _titles(customer, "priming") == ["Priming the pump"], size
        for n in range(40 if size == 2 else 0):
            make_article(f"Pump note {n}", f"The pump in plant {n} runs every morning.")


def test_a_spelling_correction_does_not_let_an_off_topic_query_in(
    make_article: MakeArticle, personas: dict[str, Persona]
) -> None:
    make_article("Show the alarm history", "The display can show the last alarms.")
    make_article("Calibrating the chlorine sensor", "Use the calibration kit.")
    customer = personas["customer"].individual.user
    # "snow" is corrected to "show", which one article holds; but half of a word that
    # was only guessed at is not half of the query.
    results = search.search(customer, "snow chains")
    assert results.hits == []
    assert results.corrections == {}
    # A misspelled word among words that match still finds its article.
    assert _titles(customer, "alarm histroy") == ["Show the alarm history"]


def test_question_phrasing_is_not_asked_of_the_answer(
    make_article: MakeArticle, personas: dict[str, Persona]
) -> None:
    make_article("Warranty cover", "The warranty runs for two years from delivery.")
    make_article("Cable lengths", "A long cable loses signal; keep it short.")
    customer = personas["customer"].individual.user
    # "how long" asks the question; the answer need not say "long".
    assert _titles(customer, "how long is the warranty") == ["Warranty cover"]
    assert _titles(customer, "long cable") == ["Cable lengths"]


def test_a_correction_never_names_a_word_only_a_hidden_article_uses(
    make_article: MakeArticle, personas: dict[str, Persona]
) -> None:
    make_article(
        "Escalation matrix", "Page the duty manager for the Zephyrton outage.", audience=()
    )
    make_article("Outage notices", "We post planned outages here.")
    # "Outage notices" holds enough of this query to clear the relevance floor, but not
    # the word the correction would name.
    results = search.search(personas["customer"].individual.user, "zephyrtan outage notices")
    assert [h.article.title for h in results.hits] == ["Outage notices"]
    assert results.corrections == {}
    # Nor is it told when nothing is shown at all.
    assert search.search(personas["customer"].individual.user, "zephyrtan").corrections == {}
    staff = search.search(personas["csr"].individual.user, "zephyrtan outage")
    assert staff.corrections == {"zephyrtan": "zephyrton"}


def _candidate_titles(query: str, window: int = 40) -> set[str]:
    """The titles of the articles one search ranks, before narrowing to the reader."""
    engine = search_engines.ENGINES[connection.vendor]
    rows = engine.candidates(search_terms.parse(query), query, window)
    titles = dict(Article.objects.filter(pk__in=[pk for pk, _ in rows]).values_list("pk", "title"))
    return {titles[pk] for pk, _ in rows}


def test_where_a_window_of_articles_hold_every_word_only_they_are_ranked(
    make_article: MakeArticle,
) -> None:
    # Ranking every article that holds any word was most of a search's time at 10,000
    # articles (bench, scale L); when enough hold them all, the others wait.
    long = " It happens slowly over weeks of running, day and night, in every season." * 4
    for n in range(40):
        make_article(f"Drift report {n}", "The chlorine sensor reading drifts." + long)
    for n in range(60):  # so that neither word is in nearly every article
        make_article(f"Pump service {n}", "Replace the impeller and the gasket.")
    dosing = "Chlorine dosing"
    make_article(dosing, "Chlorine, chlorine and more chlorine.", tags="chlorine")
    # With one of the words in its title, tags and body it would rank first if any word
    # counted; but forty articles hold both.
    assert dosing not in _candidate_titles("chlorine sensor")
    # With fewer than a window holding both words, one word is enough, as before.
    assert dosing in _candidate_titles("chlorine sensor", window=41)
    assert dosing in _candidate_titles("chlorine")


def test_the_vocabulary_follows_each_save_as_a_full_refill_would(
    make_article: MakeArticle,
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's FTS5 keeps its own vocabulary; this is PostgreSQL's table")

    def vocabulary() -> dict[str, int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT word, ndoc FROM knowledge_word")
            return dict(cursor.fetchall())

    pump = make_article("Pump priming", "Open the bleed valve before priming the pump.")
    make_article("Valve seals", "Replace the valve seals yearly.")
    services.save_article(
        actor=None,
        article=pump,
        change=services.ArticleChange(
            title="Pump priming", body="Fill the casing first.", status=Status.PUBLISHED
        ),
    )
    make_article("Draft about turbines", status=Status.DRAFT)
    kept = vocabulary()
    assert kept["valve"] == 1
    assert kept["pump"] == 1
    assert "bleed" not in kept  # only the first version said it
    assert "turbines" not in kept  # a draft's words are not offered
    search.refresh_vocabulary()
    assert vocabulary() == kept


def test_the_floor_asks_the_same_number_of_questions_however_many_words(
    make_article: MakeArticle, personas: dict[str, Persona]
) -> None:
    """The relevance floor's document counts and held words are one statement each, on
    either engine: a longer query (or a title still being typed) costs no more queries,
    and the answer is the same as the articles say."""
    from django.test.utils import CaptureQueriesContext

    make_article("Calibrating the chlorine sensor", "Hold the probe in buffer solution.")
    make_article("Replacing the dosing pump fuse", "Switch off the mains before the pump.")
    make_article("Chlorine dosing pump alarms", "Alarm E42 on the dosing pump.")
    customer = personas["customer"].individual.user
    # Read once per process, not per question: the synonyms (set-up, access.setup) and
    # the reader's zones. A query of one word asks no second candidates question, so the
    # shortest here has two.
    _titles(customer, "pump")
    asked = {}
    for query in (
        "chlorine pump",
        "chlorine dosing pump alarm",
        "chlorine dosing pump alarm probe fuse",
    ):
        with CaptureQueriesContext(connection) as queries:
            found = _titles(customer, query)
        assert found, query
        asked[query] = len(queries)
    assert len(set(asked.values())) == 1, asked
    assert _titles(customer, "chlorine dosing pump alarm")[0] == "Chlorine dosing pump alarms"
