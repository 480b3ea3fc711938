"""The knowledge base through the API (issue 19, item 12): each persona reads by list,
by address and by search exactly what the help pages show them; editors write
articles through the console editor's service (a version with its author, Markdown
sanitised as on the page); everyone else is refused and nothing changes."""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portico.knowledge import services
from portico.knowledge.models import (
    Article,
    ArticleVersion,
    Category,
    Document,
    Faq,
    NewsItem,
    Search,
    Status,
)
from portico.parties.models import UserGroup, Zone
from portico.service import content
from portico.service.models import Choice
from tests.api.conftest import bearer, make_token, user_of

# Who reads a piece for each audience ("" = staff only). Staff read everything
# published; editors (all the demo's staff enter the Knowledge zone) also drafts.
STAFF = {"csr", "technician", "supervisor", "administrator"}
READERS = {
    "public": {"customer", "colleague", "partner", "employee", *STAFF},
    "Customers": {"customer", "colleague", *STAFF},
    "Partners": {"partner", *STAFF},
    "Employees": {"employee", *STAFF},
    "": STAFF,
}
PERSONAS = ["customer", "colleague", "partner", "employee", *sorted(STAFF)]
WORD = "turbidity"


@dataclass
class Pieces:
    articles: dict[str, Article] = field(default_factory=dict)  # by audience
    faqs: dict[str, Faq] = field(default_factory=dict)
    news: dict[str, NewsItem] = field(default_factory=dict)
    documents: dict[str, Document] = field(default_factory=dict)
    draft: Article | None = None


def _label(audience: str) -> str:
    return audience or "staff"


@pytest.fixture
def pieces(demo_data: None) -> Pieces:
    """One article, FAQ, news item and document per audience, all about turbidity, and
    a draft article."""
    made = Pieces()
    for audience in READERS:
        groups = tuple(UserGroup.objects.filter(name=audience))
        public = audience == "public"
        label = _label(audience)
        made.articles[audience] = services.save_article(
            actor=None,
            change=services.ArticleChange(
                title=f"Turbidity for {label}",
                body=f"Turbidity readings explained for {label}.",
                status=Status.PUBLISHED,
                public=public,
                audience=groups,
            ),
        )
        faq = Faq.objects.create(
            question=f"Turbidity question for {label}?",
            answer="Yes.",
            status=Status.PUBLISHED,
            public=public,
        )
        faq.audience.set(groups)
        made.faqs[audience] = faq
        news = NewsItem.objects.create(
            title=f"Turbidity news for {label}",
            body="News.",
            status=Status.PUBLISHED,
            public=public,
        )
        news.audience.set(groups)
        made.news[audience] = news
        made.documents[audience] = services.add_document(
            actor=None,
            title=f"Turbidity sheet for {label}",
            upload=ContentFile(b"<html><script>alert(1)</script></html>", name="x.html"),
            name="sheet.html",
            public=public,
            audience=groups,
        )
    made.draft = services.save_article(
        actor=None,
        change=services.ArticleChange(
            title="Turbidity draft", body="Not ready.", status=Status.DRAFT, public=True
        ),
    )
    return made


@pytest.fixture
def api(demo_data: None) -> Callable[[str], Client]:
    clients: dict[str, Client] = {}

    def make(key: str) -> Client:
        if key not in clients:
            clients[key] = bearer(make_token(user_of(key)))
        return clients[key]

    return make


def _all(client: Client, url: str, **params: Any) -> list[dict[str, Any]]:
    """Every row of a paged list, following `next`."""
    rows: list[dict[str, Any]] = []
    answer = client.get(url, {"page_size": 2, **params})
    while True:
        assert answer.status_code == 200, answer.content
        page = answer.json()
        rows += page["results"]
        if page["next"] is None:
            return rows
        answer = client.get(page["next"])


def _ours(rows: list[dict[str, Any]], key: str = "title") -> set[str]:
    return {row[key] for row in rows if WORD in row[key].lower()}


# --- reading: the same share as the pages -----------------------------------------------


@pytest.mark.parametrize("key", PERSONAS)
def test_each_persona_reads_what_the_pages_show_them(
    pieces: Pieces, api: Callable[[str], Client], client_for: Callable[[str], Client], key: str
) -> None:
    client, page = api(key), client_for(key)
    expected = {_label(a) for a, readers in READERS.items() if key in readers}
    editor = key in STAFF

    # Articles: the list, each address, and the page at the same address.
    listed = _ours(_all(client, reverse("api:knowledge-articles")))
    wanted = {f"Turbidity for {label}" for label in expected}
    assert listed == (wanted | {"Turbidity draft"} if editor else wanted)
    for audience, article in [*pieces.articles.items(), ("draft", pieces.draft)]:
        assert article is not None
        api_status = client.get(reverse("api:knowledge-article", args=[article.slug])).status_code
        page_status = page.get(reverse("knowledge:article", args=[article.slug])).status_code
        assert api_status == page_status == (200 if article.title in listed else 404), audience

    # FAQs, news and downloads: by list and by address, as their pages.
    kinds: list[tuple[str, str, str, str, dict[str, Any]]] = [
        ("api:knowledge-faqs", "api:knowledge-faq", "knowledge:faq", "question", pieces.faqs),
        (
            "api:knowledge-news",
            "api:knowledge-news-item",
            "knowledge:news-item",
            "title",
            pieces.news,
        ),
        (
            "api:knowledge-downloads",
            "api:knowledge-download",
            "knowledge:download",
            "title",
            pieces.documents,
        ),
    ]
    for list_name, detail_name, page_name, text, made in kinds:
        shown = _ours(_all(client, reverse(list_name)), text)
        assert shown == {getattr(made[a], text) for a in READERS if _label(a) in expected}
        for piece in made.values():
            api_status = client.get(reverse(detail_name, args=[piece.pk])).status_code
            page_status = page.get(reverse(page_name, args=[piece.pk])).status_code
            assert api_status == page_status == (200 if getattr(piece, text) in shown else 404)

    # Search finds the published articles, FAQs and downloads the page's search finds.
    found = client.get(reverse("api:knowledge-search"), {"q": WORD, "limit": "50"})
    assert found.status_code == 200
    titles = {hit["article"]["title"] for hit in found.json()["articles"]}
    assert titles == wanted
    assert {faq["question"] for faq in found.json()["faqs"]} == {
        pieces.faqs[a].question for a in READERS if _label(a) in expected
    }
    html = page.get(reverse("knowledge:search"), {"q": WORD}).content.decode()
    assert {t for t in (a.title for a in pieces.articles.values()) if t in html} == titles


def test_visitors_are_asked_to_log_in(pieces: Pieces) -> None:
    # The API has no visitors: the help pages show them the public share instead.
    for name in ("api:knowledge-articles", "api:knowledge-search", "api:knowledge-news"):
        assert Client().get(reverse(name), {"q": WORD}).status_code == 401


def test_a_draft_and_who_reads_it_are_the_editors_business(
    pieces: Pieces, api: Callable[[str], Client]
) -> None:
    assert pieces.draft is not None
    draft_url = reverse("api:knowledge-article", args=[pieces.draft.slug])
    assert api("customer").get(draft_url).status_code == 404
    assert api("customer").get(reverse("api:knowledge-articles"), {"status": "draft"}).json() == {
        "next": None,
        "results": [],
    }
    assert api("csr").get(draft_url).json()["status"] == "draft"
    article = reverse("api:knowledge-article", args=[pieces.articles["Customers"].slug])
    assert api("customer").get(article).json()["audience"] is None
    assert api("csr").get(article).json()["audience"] == ["Customers"]


def test_a_group_without_the_zone_is_refused(pieces: Pieces, api: Callable[[str], Client]) -> None:
    UserGroup.objects.get(name="Customers").zones.remove(Zone.objects.get(code="news"))
    answer = api("customer").get(reverse("api:knowledge-news"))
    assert answer.status_code == 403
    assert answer.json()["type"] == "permission_denied"
    assert api("customer").get(reverse("api:knowledge-articles")).status_code == 200


def test_articles_filter_by_category_tag_and_product(
    pieces: Pieces, api: Callable[[str], Client]
) -> None:
    category = Category.objects.create(name="Water quality", slug="water-quality")
    product = Choice.objects.filter(classification__code="product").order_by("pk").first()
    assert product is not None
    services.save_article(
        actor=None,
        change=services.ArticleChange(
            title="Turbidity sensors",
            body="Clean the lens.",
            status=Status.PUBLISHED,
            public=True,
            category=category,
            tags="Sensors, lenses",
            products=(product,),
        ),
    )
    client, url = api("customer"), reverse("api:knowledge-articles")
    assert _ours(_all(client, url, category="water-quality")) == {"Turbidity sensors"}
    assert _ours(_all(client, url, tag=" SENSORS")) == {"Turbidity sensors"}
    assert _ours(_all(client, url, tag="sensor")) == set()
    assert _ours(_all(client, url, product=product.code)) == {"Turbidity sensors"}
    unknown = client.get(url, {"category": "no-such-thing"})
    assert unknown.status_code == 400
    assert unknown.json()["errors"] == {"category": ["There is no such category."]}


def test_news_come_newest_first_page_by_page(demo_data: None, api: Callable[[str], Client]) -> None:
    start = timezone.now()
    for n in range(5):
        NewsItem.objects.create(
            title=f"Turbidity bulletin {n}",
            body="-",
            status=Status.PUBLISHED,
            public=True,
            # Two at the same moment: the id breaks the tie, none is lost or repeated.
            published_at=start - datetime.timedelta(days=min(n, 3)),
        )
    rows = [r["title"] for r in _all(api("customer"), reverse("api:knowledge-news"))]
    # Two a page: the tie of 3 and 4 (the later made first) falls across a page break.
    assert rows == [f"Turbidity bulletin {n}" for n in (0, 1, 2, 4, 3)]


def test_a_download_has_the_pages_safety_headers(
    pieces: Pieces, api: Callable[[str], Client]
) -> None:
    document = pieces.documents["Customers"]
    listed = api("customer").get(reverse("api:knowledge-download", args=[document.pk])).json()
    answer = api("customer").get(listed["download_url"])
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/octet-stream"
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert answer["Content-Disposition"].startswith("attachment")
    hidden = pieces.documents["Partners"]
    url = reverse("api:knowledge-download-content", args=[hidden.pk])
    assert api("customer").get(url).status_code == 404


def test_search_is_counted_and_needs_a_query(pieces: Pieces, api: Callable[[str], Client]) -> None:
    before = Search.objects.count()
    answer = api("customer").get(reverse("api:knowledge-search"), {"q": "turbidity"})
    assert answer.status_code == 200
    assert Search.objects.count() == before + 1
    found = answer.json()
    assert Search.objects.latest("id").results == sum(
        len(found[kind]) for kind in ("articles", "faqs", "downloads")
    )
    assert Search.objects.latest("id").results == 3 * 2  # public and Customers, each kind
    bad_queries: list[dict[str, str]] = [{}, {"q": ""}, {"q": "x" * 201}, {"q": "a", "limit": "0"}]
    for bad in bad_queries:
        refused = api("customer").get(reverse("api:knowledge-search"), bad)
        assert refused.status_code == 400, bad
    assert Search.objects.count() == before + 1


# --- search: the page's answer, over the wire ----------------------------------------

_SECTIONS = {
    "articles": re.compile(r'<ol class="section-list search-hits">(.*?)</ol>', re.S),
    "faqs": re.compile(r'aria-labelledby="faq-results-heading">(.*?)</section>', re.S),
    "downloads": re.compile(r'aria-labelledby="document-results-heading">(.*?)</section>', re.S),
}
_HREF = re.compile(r'href="([^"?]+)')


def _page_lists(html: str) -> dict[str, list[str]]:
    """The addresses the help search page lists under each heading, in order."""
    lists: dict[str, list[str]] = {}
    for kind, section in _SECTIONS.items():
        found = section.search(html)
        lists[kind] = _HREF.findall(found.group(1)) if found else []
    return lists


def _api_lists(answer: dict[str, Any]) -> dict[str, list[str]]:
    return {
        "articles": [hit["article"]["url"] for hit in answer["articles"]],
        "faqs": [faq["url"] for faq in answer["faqs"]],
        "downloads": [document["url"] for document in answer["downloads"]],
    }


OFF_TOPIC = "flux capacitor on the snow plough"
# Each query with a persona who finds in it the kinds named: the control that the
# comparison below compares something.
SEARCHES: list[tuple[str, str, set[str]]] = [
    ("E42 alarm", "customer", {"articles", "faqs"}),
    ("sodium hypochlorite", "customer", {"faqs", "downloads"}),
    ("price list", "partner", {"downloads"}),
    ("holidays", "employee", {"faqs", "downloads"}),
    (OFF_TOPIC, "customer", set()),
]


@pytest.mark.usefixtures("demo_knowledge")
@pytest.mark.parametrize("key", ["customer", "colleague", "partner", "employee", "csr"])
def test_search_answers_what_the_help_page_shows_each_persona(
    api: Callable[[str], Client], client_for: Callable[[str], Client], key: str
) -> None:
    client, page = api(key), client_for(key)
    for query, finder, kinds in SEARCHES:
        before = Search.objects.count()
        answer = client.get(reverse("api:knowledge-search"), {"q": query})
        assert answer.status_code == 200, answer.content
        found = answer.json()
        # Counted once, with all it found (nothing, for a search below the floor).
        assert Search.objects.count() == before + 1
        counted = Search.objects.latest("id")
        assert (counted.query, counted.results) == (
            query,
            sum(map(len, _api_lists(found).values())),
        )
        shown = _page_lists(page.get(reverse("knowledge:search"), {"q": query}).content.decode())
        assert _api_lists(found) == shown, query
        if key == finder:
            assert {kind for kind, urls in shown.items() if urls} >= kinds, query
        # Each piece's API address answers this persona with the piece the page links.
        for kind, detail in (("faqs", "id"), ("downloads", "id")):
            for piece in found[kind]:
                assert client.get(piece["api_url"]).json()[detail] == piece[detail]
        for hit in found["articles"]:
            assert client.get(hit["article"]["api_url"]).json()["slug"] == hit["article"]["slug"]
    off_topic = Search.objects.filter(query=OFF_TOPIC)
    assert list(off_topic.values_list("results", flat=True)) == [0, 0]  # the API's, the page's


def test_search_shape_names_each_kinds_addresses(
    pieces: Pieces, api: Callable[[str], Client]
) -> None:
    found = api("customer").get(reverse("api:knowledge-search"), {"q": WORD}).json()
    assert set(found) == {"query", "corrected_query", "articles", "faqs", "downloads"}
    faq, document = pieces.faqs["Customers"], pieces.documents["Customers"]
    assert {
        "url": reverse("knowledge:faq", args=[faq.pk]),
        "api_url": reverse("api:knowledge-faq", args=[faq.pk]),
    }.items() <= next(row for row in found["faqs"] if row["id"] == faq.pk).items()
    assert {
        "url": reverse("knowledge:download", args=[document.pk]),
        "api_url": reverse("api:knowledge-download", args=[document.pk]),
        "download_url": reverse("api:knowledge-download-content", args=[document.pk]),
    }.items() <= next(row for row in found["downloads"] if row["id"] == document.pk).items()


@pytest.mark.parametrize(
    "name",
    [
        "api:knowledge-articles",
        "api:knowledge-faqs",
        "api:knowledge-news",
        "api:knowledge-downloads",
        "api:knowledge-search",
    ],
)
def test_lists_cost_the_same_queries_however_many_rows(
    pieces: Pieces, api: Callable[[str], Client], name: str
) -> None:
    client = api("customer")
    client.get(reverse(name), {"q": WORD})  # the token's first use is stamped once

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(name), {"q": WORD}).status_code == 200
        return len(captured)

    few = queries()
    category = Category.objects.create(name="More", slug="more")
    for n in range(8):
        services.save_article(
            actor=None,
            change=services.ArticleChange(
                title=f"Turbidity again {n}",
                body="More.",
                status=Status.PUBLISHED,
                public=True,
                category=category,
            ),
        )
        Faq.objects.create(
            question=f"Turbidity again {n}?",
            answer="-",
            status=Status.PUBLISHED,
            public=True,
            category=category,
        )
        NewsItem.objects.create(
            title=f"Turbidity again {n}", body="-", status=Status.PUBLISHED, public=True
        )
        services.add_document(
            actor=None,
            title=f"Turbidity again {n}",
            upload=ContentFile(b"x"),
            name="x.txt",
            public=True,
            category=category,
        )
    assert queries() == few


# --- writing: editors through the editor's service ----------------------------------------


def _post(client: Client, url: str, data: dict[str, Any], method: str = "post") -> Any:
    return getattr(client, method)(url, json.dumps(data), content_type="application/json")


def test_an_editor_writes_an_article_as_the_console_does(
    demo_data: None, api: Callable[[str], Client], client_for: Callable[[str], Client]
) -> None:
    body = "Stop the pump.\n\n<script>alert(1)</script> [link](javascript:alert(2))"
    made = _post(
        api("csr"),
        reverse("api:knowledge-articles"),
        {
            "title": "Priming a dosing pump",
            "body": body,
            "tags": "Pumps, alarms",
            "status": "published",
            "public": False,
            "audience": ["Customers"],
        },
    )
    assert made.status_code == 201, made.content
    shown = made.json()
    article = Article.objects.get(pk=shown["id"])
    csr = user_of("csr")
    assert (article.created_by, article.version, article.tags) == (csr, 1, "pumps, alarms")
    assert list(article.versions.values_list("version", "changed_by")) == [(1, csr.pk)]
    # Sanitised as the page sanitises it: the same HTML, no script, no javascript: link.
    assert shown["body_html"] == str(content.render_markdown(body))
    assert "<script" not in shown["body_html"]
    assert "href" not in shown["body_html"]
    assert "&lt;script&gt;" in shown["body_html"]
    page = client_for("customer").get(shown["url"]).content.decode()
    assert "Priming a dosing pump" in page
    assert "<script>alert(1)" not in page

    changed = _post(
        api("technician"),
        reverse("api:knowledge-article", args=[article.slug]),
        {"title": "Priming a dosing pump safely", "change_note": "Safety first."},
        method="patch",
    )
    assert changed.status_code == 200, changed.content
    article.refresh_from_db()
    # What was not sent is kept: body, tags, status and readers.
    assert (article.title, article.body, article.tags, article.status, article.version) == (
        "Priming a dosing pump safely",
        body,
        "pumps, alarms",
        "published",
        2,
    )
    assert list(article.audience.values_list("name", flat=True)) == ["Customers"]
    latest = article.versions.get(version=2)
    assert (latest.changed_by, latest.change_note) == (user_of("technician"), "Safety first.")
    assert changed.json()["version"] == 2


def _counts() -> tuple[int, int]:
    return Article.objects.count(), ArticleVersion.objects.count()


@pytest.mark.parametrize("key", ["customer", "partner", "employee"])
def test_no_one_else_writes_and_nothing_changes(
    pieces: Pieces, api: Callable[[str], Client], key: str
) -> None:
    before = _counts()
    made = _post(api(key), reverse("api:knowledge-articles"), {"title": "Mine", "body": "Mine."})
    assert made.status_code == 403
    assert made.json()["detail"] == "Only the service staff write knowledge articles."
    public = pieces.articles["public"]
    url = reverse("api:knowledge-article", args=[public.slug])
    assert _post(api(key), url, {"title": "Defaced"}, method="patch").status_code == 403
    # One they may not read: the same 404 as reading it.
    staff_only = reverse("api:knowledge-article", args=[pieces.articles[""].slug])
    assert _post(api(key), staff_only, {"title": "Defaced"}, method="patch").status_code == 404
    assert api(key).put(url, "{}", content_type="application/json").status_code in {403, 405}
    assert _counts() == before
    public.refresh_from_db()
    assert (public.title, public.version) == ("Turbidity for public", 1)


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"body": "Text."}, {"title": ["Give the article a title."]}),
        ({"title": "  ", "body": "Text."}, {"title": ["Give the article a title."]}),
        (
            {"title": "x" * 201, "body": "Text."},
            {"title": ["A title may be at most 200 characters."]},
        ),
        ({"title": "Fine"}, {"body": ["Write the article's text."]}),
        (
            {"title": "Fine", "body": "Text.", "summary": "s" * 301},
            {"summary": ["A summary may be at most 300 characters."]},
        ),
        (
            {"title": "Fine", "body": "Text.", "change_note": "n" * 201},
            {"change_note": ["A note on what changed may be at most 200 characters."]},
        ),
        (
            {"title": "Fine", "body": "Text.", "category": "no-such-thing"},
            {"category": ["There is no such category: no-such-thing."]},
        ),
        (
            # PostgreSQL refuses to compare text holding NUL: once a 500 (schema fuzz).
            {"title": "Fine", "body": "Text.", "category": "how\x00to"},
            {"category": ["There is no such category: how\x00to."]},
        ),
        (
            {"title": "Fine", "body": "Text.", "audience": ["Staff"]},
            {"audience": ["There is no such group of readers: Staff."]},
        ),
        (
            {"title": "Fine", "body": "Text.", "status": "secret"},
            {"status": ['"secret" is not a valid choice.']},
        ),
    ],
)
def test_bad_input_is_a_clear_400_and_nothing_is_stored(
    pieces: Pieces, api: Callable[[str], Client], data: dict[str, Any], errors: dict[str, Any]
) -> None:
    before = _counts()
    made = _post(api("csr"), reverse("api:knowledge-articles"), data)
    assert made.status_code == 400
    assert made.json()["type"] == "invalid"
    assert made.json()["errors"] == errors
    # The same bad value sent as a change is refused the same way, and the article kept.
    article = pieces.articles["public"]
    url = reverse("api:knowledge-article", args=[article.slug])
    if set(errors) <= set(data):
        changed = _post(api("csr"), url, data, method="patch")
        assert changed.status_code == 400
        assert changed.json()["errors"] == errors
    assert _counts() == before
    article.refresh_from_db()
    assert (article.title, article.version) == ("Turbidity for public", 1)


def test_an_empty_change_is_refused(pieces: Pieces, api: Callable[[str], Client]) -> None:
    url = reverse("api:knowledge-article", args=[pieces.articles["public"].slug])
    answer = _post(api("csr"), url, {}, method="patch")
    assert answer.status_code == 400
    assert answer.json()["detail"] == "Send at least one field to change."


# --- the description ------------------------------------------------------------------


def test_the_schema_lists_the_knowledge_paths_in_json(db: None) -> None:
    answer = Client().get(reverse("api:schema"), headers={"Accept": "application/json"})
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/json"
    paths = answer.json()["paths"]
    assert {
        path: sorted(k for k in ops if k in {"get", "post", "patch", "put", "delete"})
        for path, ops in paths.items()
        if path.startswith("/api/v1/knowledge/")
    } == {
        "/api/v1/knowledge/articles/": ["get", "post"],
        "/api/v1/knowledge/articles/{slug}/": ["get", "patch"],
        "/api/v1/knowledge/search/": ["get"],
        "/api/v1/knowledge/faqs/": ["get"],
        "/api/v1/knowledge/faqs/{faq_id}/": ["get"],
        "/api/v1/knowledge/news/": ["get"],
        "/api/v1/knowledge/news/{news_id}/": ["get"],
        "/api/v1/knowledge/downloads/": ["get"],
        "/api/v1/knowledge/downloads/{document_id}/": ["get"],
        "/api/v1/knowledge/downloads/{document_id}/content/": ["get"],
    }
    create = paths["/api/v1/knowledge/articles/"]["post"]["responses"]
    assert {"201", "400", "401", "403", "422"} <= set(create)
