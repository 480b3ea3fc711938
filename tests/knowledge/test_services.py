"""Writing the knowledge base: versions with who changed what, the same validation for
every channel, nothing written when a change is refused, and a resolved transaction
turned into a draft."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from portico.audit.models import Event
from portico.knowledge import services
from portico.knowledge.models import Article, ArticleVersion, Status
from portico.service import actions
from portico.service.models import Status as TransactionStatus
from portico.service.models import Transaction
from tests.conftest import Persona
from tests.knowledge.conftest import MakeArticle


def test_plain_text_keeps_the_words_and_drops_the_markdown() -> None:
    text = services.plain_text("## Step one\n\n1. Press **Menu** then `Setup`.\n\n[link](http://x)")
    assert text.split("\n") == ["Step one", "Press Menu then Setup.", "link"]


def test_every_save_is_a_version_with_its_author(personas: dict[str, Persona]) -> None:
    fiona = personas["csr"].individual.user
    article = services.save_article(
        actor=fiona,
        change=services.ArticleChange(title="Clock drift", body="Set the NTP server."),
    )
    assert (article.slug, article.status, article.version) == ("clock-drift", Status.DRAFT, 1)
    services.save_article(
        actor=fiona,
        article=article,
        change=services.ArticleChange(
            title="Controller clock drift",
            body="Set the NTP server to pool.ntp.org.",
            status=Status.PUBLISHED,
            change_note="Named the server",
        ),
    )
    article.refresh_from_db()
    assert article.version == 2
    assert article.published_at is not None
    versions = list(ArticleVersion.objects.filter(article=article).order_by("version"))
    assert [(v.version, v.title, v.status) for v in versions] == [
        (1, "Clock drift", Status.DRAFT),
        (2, "Controller clock drift", Status.PUBLISHED),
    ]
    assert versions[1].changed_by == fiona
    assert versions[1].change_note == "Named the server"
    # A draft made public is a publication: the event integrations wait for.
    assert list(
        Event.objects.filter(subject_id=str(article.pk), action__startswith="article.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["article.created", "article.published"]


def test_a_refused_change_writes_nothing(
    make_article: MakeArticle, personas: dict[str, Persona]
) -> None:
    article = make_article("Clock drift", "Set the NTP server.")
    before = ArticleVersion.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.save_article(
            actor=personas["csr"].individual.user,
            article=article,
            change=services.ArticleChange(title=" ", body="", status="gone"),
        )
    assert set(refused.value.message_dict) == {"title", "body", "status"}
    article.refresh_from_db()
    assert (article.title, article.version) == ("Clock drift", 1)
    assert ArticleVersion.objects.count() == before


@pytest.mark.parametrize("key", ["customer", "partner", "employee"])
def test_only_staff_write_articles(personas: dict[str, Persona], key: str) -> None:
    with pytest.raises(PermissionDenied):
        services.save_article(
            actor=personas[key].individual.user,
            change=services.ArticleChange(title="Mine", body="Text"),
        )
    assert not Article.objects.filter(title="Mine").exists()


def test_a_resolved_transaction_becomes_a_draft_article(personas: dict[str, Persona]) -> None:
    fiona = personas["csr"].individual.user
    assert fiona is not None
    transaction = Transaction.objects.filter(title="AquaSense controller clock drifts").get()
    with pytest.raises(ValidationError):
        services.draft_from_transaction(actor=fiona, transaction=transaction)
    for code in ("in-progress", "resolved"):
        transaction = actions.change_status(
            actor=fiona,
            transaction=transaction,
            status=TransactionStatus.objects.get(application=transaction.application, code=code),
            resolution="Set the NTP server to pool.ntp.org and restart."
            if code == "resolved"
            else "",
        )
    draft = services.draft_from_transaction(actor=fiona, transaction=transaction)
    assert draft.status == Status.DRAFT
    assert draft.title == "AquaSense controller clock drifts"
    assert "Set the NTP server to pool.ntp.org" in draft.body
    assert draft.source_transaction == transaction
    assert [p.code for p in draft.products.all()] == ["aquasense-controller"]
    customer = personas["customer"].individual.user
    assert customer is not None
    with pytest.raises(PermissionDenied):
        services.draft_from_transaction(actor=customer, transaction=transaction)


def test_feedback_and_deflections_need_a_readable_article(
    make_article: MakeArticle, personas: dict[str, Persona]
) -> None:
    staff_only = make_article("Escalation matrix", audience=())
    customer = personas["customer"].individual.user
    with pytest.raises(PermissionDenied):
        services.record_feedback(user=customer, article=staff_only, helpful=True)
    with pytest.raises(PermissionDenied):
        services.record_deflection(user=customer, article=staff_only)
    public = make_article("Resetting a password")
    services.record_feedback(user=customer, article=public, helpful=False, comment="Too short")
    services.record_deflection(user=customer, article=public, query="password reset")
    assert public.feedback.get().comment == "Too short"
    solved = public.deflections.get()
    assert (solved.query, solved.portal) == ("password reset", "customer")
    with pytest.raises(ValidationError):
        services.record_feedback(user=customer, article=public, helpful=True, comment="x" * 1001)
