"""The knowledge pages over HTTP: what each reader finds by search, by URL and through
the deflection widget; what self-support records; files served as safe downloads."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from portico.knowledge import services
from portico.knowledge.models import Deflection, Document, Faq, NewsItem, Search, Status
from portico.parties.models import UserGroup, Zone
from portico.service.models import Transaction
from tests.knowledge.conftest import MakeArticle

# Who reads a piece for each audience: the customers' group, partners', employees',
# staff only, public. Staff read everything published.
READERS = {
    "public": {"customer", "partner", "employee", "csr", "anonymous"},
    "Customers": {"customer", "csr"},
    "Partners": {"partner", "csr"},
    "Employees": {"employee", "csr"},
    "": {"csr"},
}


@pytest.fixture
def pieces(make_article: MakeArticle) -> dict[str, dict[str, object]]:
    """One article, FAQ, document and news item per audience, all about "turbidity"."""
    made: dict[str, dict[str, object]] = {}
    for audience in READERS:
        groups = list(UserGroup.objects.filter(name=audience))
        public = audience == "public"
        label = audience or "staff"
        article = make_article(
            f"Turbidity for {label}",
            "Turbidity readings explained.",
            audience=(audience,) if audience else (),
        )
        faq = Faq.objects.create(
            question=f"Turbidity question for {label}?",
            answer="Yes.",
            status=Status.PUBLISHED,
            public=public,
        )
        faq.audience.set(groups)
        news = NewsItem.objects.create(
            title=f"Turbidity news for {label}",
            body="News.",
            status=Status.PUBLISHED,
            public=public,
        )
        news.audience.set(groups)
        document = services.add_document(
            actor=None,
            title=f"Turbidity sheet for {label}",
            upload=ContentFile(b"<html><script>alert(1)</script></html>", name="x.html"),
            name="sheet <b>.html",
            public=public,
            audience=groups,
        )
        made[label] = {"article": article, "faq": faq, "news": news, "document": document}
    return made


def _client(key: str, client_for: Callable[[str], Client]) -> Client:
    return Client() if key == "anonymous" else client_for(key)


@pytest.mark.parametrize("key", ["customer", "partner", "employee", "csr", "anonymous"])
def test_each_reader_finds_only_their_audience_by_search_url_and_widget(
    pieces: dict[str, dict[str, object]],
    client_for: Callable[[str], Client],
    key: str,
) -> None:
    client = _client(key, client_for)
    found = client.get("/help/search/", {"q": "turbidity"}).content.decode()
    suggested = client.get("/help/suggest/", {"title": "turbidity readin"}).content.decode()
    for audience, readers in READERS.items():
        label = audience or "staff"
        may = key in readers
        made = pieces[label]
        article, faq = made["article"], made["faq"]
        news, document = made["news"], made["document"]
        assert (f"Turbidity for {label}" in found) is may, (key, label, "search")
        assert (f"Turbidity question for {label}?" in found) is may, (key, label, "faq search")
        assert (f"Turbidity sheet for {label}" in found) is may, (key, label, "file search")
        assert (f"Turbidity for {label}" in suggested) is may, (key, label, "widget")
        urls = {
            "article": f"/help/articles/{article.slug}/",  # type: ignore[attr-defined]
            "faq": f"/help/faqs/{faq.pk}/",  # type: ignore[attr-defined]
            "news": f"/help/news/{news.pk}/",  # type: ignore[attr-defined]
            "document": f"/help/downloads/{document.pk}/",  # type: ignore[attr-defined]
        }
        for kind, url in urls.items():
            status = client.get(url).status_code
            assert status == (200 if may else 404), (key, label, kind, url)
        for listing in ("/help/faqs/", "/help/news/", "/help/downloads/", "/help/"):
            page = client.get(listing).content.decode()
            for text in (f"question for {label}?", f"news for {label}", f"sheet for {label}"):
                if text in page:
                    assert may, (key, label, listing, text)


def test_drafts_are_for_editors_only(
    make_article: MakeArticle, client_for: Callable[[str], Client]
) -> None:
    draft = make_article("Unfinished turbidity notes", status=Status.DRAFT)
    assert client_for("customer").get(f"/help/articles/{draft.slug}/").status_code == 404
    page = client_for("csr").get(f"/help/articles/{draft.slug}/")
    assert page.status_code == 200
    assert "only editors see it" in page.content.decode()


def test_a_group_without_the_zone_is_refused(
    pieces: dict[str, dict[str, object]], client_for: Callable[[str], Client]
) -> None:
    customers = UserGroup.objects.get(name="Customers")
    customers.zones.remove(Zone.objects.get(code="knowledge"))
    client = client_for("customer")
    assert client.get("/help/").status_code == 403
    assert client.get("/help/search/", {"q": "turbidity"}).status_code == 403
    assert "Turbidity" not in client.get("/help/suggest/", {"title": "turbidity"}).content.decode()


def test_documents_download_with_safe_headers(
    pieces: dict[str, dict[str, object]], client_for: Callable[[str], Client]
) -> None:
    document = pieces["public"]["document"]
    assert isinstance(document, Document)
    response = client_for("customer").get(f"/help/downloads/{document.pk}/")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == b"<html><script>alert(1)</script></html>"  # type: ignore[attr-defined]


def test_searches_are_counted_with_their_results(
    pieces: dict[str, dict[str, object]], client_for: Callable[[str], Client]
) -> None:
    client = client_for("customer")
    client.get("/help/search/", {"q": "turbidity"})
    client.get("/help/search/", {"q": "zzqx flibbertigibbet"})
    rows = {s.query: s.results for s in Search.objects.all()}
    assert rows["turbidity"] > 0
    assert rows["zzqx flibbertigibbet"] == 0
    page = client.get("/help/search/", {"q": "zzqx flibbertigibbet"}).content.decode()
    assert "No good match for “zzqx flibbertigibbet”" in page
    assert "/portal/new/?title=zzqx+flibbertigibbet" in page


@pytest.mark.usefixtures("demo_knowledge")
@pytest.mark.parametrize("query", ["flux capacitor on the snow plough", "change the oil in my car"])
def test_an_off_topic_search_shows_no_good_match_and_counts_as_finding_nothing(
    client_for: Callable[[str], Client], query: str
) -> None:
    customer = client_for("customer")
    page = customer.get("/help/search/", {"q": query}).content.decode()
    assert f"No good match for “{query}”" in page
    assert "search-hits" not in page  # no articles, and (below) no FAQs or downloads
    assert "faq-results-heading" not in page
    assert "document-results-heading" not in page
    # The request form is offered with the words carried over as its title.
    assert "/portal/new/?title=" + query.replace(" ", "+") in page
    assert Search.objects.get(query=query).results == 0
    # So the editors see it among the searches that found nothing.
    editors = client_for("csr").get("/console/knowledge/").content.decode()
    assert f"“{query}”" in editors
    # The console's search (the same page, for staff) and the deflection widget apply
    # the same floor.
    staff = client_for("csr").get("/help/search/", {"q": query}).content.decode()
    assert f"No good match for “{query}”" in staff
    widget = customer.get("/help/suggest/", {"title": query}).content.decode()
    assert "may already answer it" not in widget
    # Control: the widget and the page still answer a question the base covers.
    assert (
        "may already answer it"
        in customer.get("/help/suggest/", {"title": "E42 alarm"}).content.decode()
    )
    assert "search-hits" in customer.get("/help/search/", {"q": "E42 alarm"}).content.decode()


def test_solved_ends_the_flow_without_a_transaction(
    pieces: dict[str, dict[str, object]], client_for: Callable[[str], Client]
) -> None:
    article = pieces["public"]["article"]
    client = client_for("customer")
    before = Transaction.objects.count()
    response = client.post(
        f"/help/articles/{article.slug}/solved/",  # type: ignore[attr-defined]
        {"q": "turbidity"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/portal/"
    assert "solved it" in response.content.decode()
    assert Transaction.objects.count() == before
    assert Deflection.objects.get().query == "turbidity"


def test_feedback_is_validated_and_kept(
    pieces: dict[str, dict[str, object]], client_for: Callable[[str], Client]
) -> None:
    article = pieces["public"]["article"]
    url = f"/help/articles/{article.slug}/feedback/"  # type: ignore[attr-defined]
    client = client_for("customer")
    refused = client.post(url, {"comment": "no choice made"})
    assert refused.status_code == 400
    assert "Choose yes or no." in refused.content.decode()
    assert not article.feedback.exists()  # type: ignore[attr-defined]
    client.post(url, {"helpful": "yes", "comment": "Clear, thanks"})
    assert article.feedback.get().comment == "Clear, thanks"  # type: ignore[attr-defined]


def test_the_create_form_carries_the_title_and_asks_for_answers(
    client_for: Callable[[str], Client], demo_data: None
) -> None:
    page = client_for("customer").get(
        "/portal/new/", {"application": "service-issue", "title": "Pump <loud> noise"}
    )
    html = page.content.decode()
    assert 'value="Pump &lt;loud&gt; noise"' in html
    assert 'hx-get="/help/suggest/"' in html


def test_editors_write_and_publish_in_the_console(
    client_for: Callable[[str], Client], demo_data: None
) -> None:
    client = client_for("csr")
    refused = client.post("/console/knowledge/new/", {"title": "", "status": "published"})
    assert refused.status_code == 400
    response = client.post(
        "/console/knowledge/new/",
        {
            "title": "Descaling the flow cell",
            "body": "Use **citric acid**.",
            "status": "published",
            "public": "on",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "<strong>citric acid</strong>" in response.content.decode()
    assert (
        client_for("customer")
        .get("/help/search/", {"q": "descaling"})
        .content.decode()
        .count("Descaling the flow cell")
    )
    assert client_for("customer").get("/console/knowledge/").status_code == 403
