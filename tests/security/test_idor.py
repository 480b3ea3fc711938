"""The IDOR walk (issue 8, item 3): about a thousand ids of things that are not the
caller's — transactions, notes, attachments, grants, tokens, saved views, people and
organisations, articles (drafts, archived, for another audience), FAQs, news and
documents — tried on every endpoint that takes an id, pages and API alike. Every answer
must be 404: not 403 (which would say "it exists"), not 200, not 500.

Two callers: a customer (Ewan, of Harbour Foods), for whom everything of another
organisation is foreign, and a CSR (Fiona) from whom an administrator has hidden some
transactions with a "No access" permission (seed 001: administrators define more
permissions), so the console's own endpoints are walked too. Visitors are sent to log
in before any id is looked at (tests/test_urls), except on the knowledge pages, which
they may read: those are walked anonymously as well.

Attachments are fetched by (transaction, attachment) only: an attachment id paired with
another transaction — even one the caller may read — is a 404.

A customer asking to delete a grant or a file on their own transaction is told 403
whatever the id (they may not delete either there), which says nothing about the id;
so ids are paired with a transaction for deleting by the CSR, who may delete.

Where an id travels in the body instead of the path (a note being corrected, the other
end of a relation, a notification to mark read), a foreign id must get exactly the
answer a missing one gets, and change nothing.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.test import Client
from django.utils import timezone

from portico.api.models import ApiToken
from portico.console.models import SavedView
from portico.knowledge import services as knowledge
from portico.knowledge.models import Article, Document, Faq, NewsItem, Status
from portico.notify import services as notify
from portico.notify.models import Notification
from portico.parties.models import Individual, Organization, UserGroup
from portico.service import actions
from portico.service.models import (
    Application,
    Attachment,
    Grant,
    Note,
    Permission,
    ProfileValue,
    Relation,
    Transaction,
)
from tests.security.conftest import api, person, user, web

CUSTOMER, STAFF, VISITOR = "Ewan", "Fiona", None
MISSING = 2_000_000_000  # no such row
HUGE = 2**63  # past any integer column: must still be a 404, not a crash
EXTRA = 16  # transactions made for other customers
HIDDEN = 10  # of them hidden from the CSR by a "No access" grant


@dataclass
class World:
    own: Transaction  # the customer's own
    readable: Transaction  # a colleague's, which the customer may read (Read only)
    visible: Transaction  # one the CSR works
    foreign: list[Transaction]  # the customer may not see these
    hidden: list[Transaction]  # the CSR may not see these
    own_internal_file: Attachment  # on a note the customer may not read
    files: dict[int, Attachment] = field(default_factory=dict)  # by transaction id
    notes: dict[int, Note] = field(default_factory=dict)
    clients: dict[tuple[str | None, str], Client] = field(default_factory=dict)


@pytest.fixture
def world(demo_data: None, settings: Any) -> World:
    # A thousand calls in a few seconds from one address: the rate limits are proven
    # elsewhere (tests/api, tests/login).
    rates = {"person": "100000/minute", "anonymous": "100000/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    fiona = user(STAFF)
    issue = Application.objects.get(code="service-issue")
    others = [person(name) for name in ("Helen", "Jamie", "Priya", "Alan", "Sophie")]
    for n in range(EXTRA):
        actions.create_transaction(
            actor=fiona,
            application=issue,
            title=f"Someone else's problem {n}",
            requester=others[n % len(others)],
            profile={"issue-type": "fault", "product": "hydrolink-gateway"},
        )
    everything = list(Transaction.objects.select_related("organization").order_by("pk"))
    own = next(t for t in everything if t.requester_id == person(CUSTOMER).pk)
    readable = next(t for t in everything if t.requester_id == person("Kirsty").pk)
    harbour = own.organization_id
    w = World(
        own=own,
        readable=readable,
        visible=own,
        foreign=[t for t in everything if t.organization_id != harbour],
        hidden=[t for t in everything if t.title.startswith("Someone else's")][:HIDDEN],
        own_internal_file=_file(fiona, own, internal=True),
    )
    for t in everything:
        w.notes[t.pk] = actions.add_note(
            actor=fiona, transaction=t, body="Internal detail.", visibility="internal"
        )
        w.files[t.pk] = _file(fiona, t)
    no_access = Permission.objects.create(
        code="none", name="No access", description="Hidden from them.", decides_access=True
    )
    for t in w.hidden:
        actions.grant(actor=fiona, transaction=t, permission=no_access, individual=person(STAFF))
    for name in (CUSTOMER, STAFF, VISITOR):
        w.clients[(name, "web")] = web(name)
        w.clients[(name, "api")] = api(name)
    return w


def _file(actor: Any, t: Transaction, *, internal: bool = False) -> Attachment:
    note = None
    if internal:
        note = actions.add_note(
            actor=actor, transaction=t, body="Staff only.", visibility="internal"
        )
    return actions.add_attachment(
        actor=actor, transaction=t, upload=ContentFile(b"bytes\n"), name="f.txt", note=note
    )


# --- what is tried ---------------------------------------------------------------------


@dataclass(frozen=True)
class Try:
    who: str | None  # first name of the caller; None: a visitor
    method: str
    url: str
    data: Any = None
    json: bool = False  # send `data` as JSON (else as a form)


def _upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("x.txt", b"x\n", content_type="text/plain")


def _customer_transaction_tries(numbers: list[str]) -> Iterator[Try]:
    """Every page and API endpoint that takes a transaction number, for the customer."""
    for n in numbers:
        yield Try(CUSTOMER, "get", f"/portal/t/{n}/")
        yield Try(CUSTOMER, "post", f"/portal/t/{n}/notes/", {"body": "Hello"})
        yield Try(CUSTOMER, "post", f"/portal/t/{n}/files/", {"file": _upload()})
        yield from _api_transaction_tries(CUSTOMER, n)


def _api_transaction_tries(who: str, n: str) -> Iterator[Try]:
    base = f"/api/v1/transactions/{n}/"
    yield Try(who, "get", base)
    yield Try(who, "patch", base, {"title": "Mine now"}, json=True)
    yield Try(who, "post", f"{base}status/", {"status": "closed"}, json=True)
    yield Try(who, "post", f"{base}assign/", {"assignees": [1]}, json=True)
    yield Try(who, "get", f"{base}notes/")
    yield Try(who, "post", f"{base}notes/", {"body": "Hi", "visibility": "shared"}, json=True)
    yield Try(who, "get", f"{base}attachments/")
    yield Try(who, "post", f"{base}attachments/", {"file": _upload()})
    yield Try(who, "get", f"{base}history/")
    yield Try(who, "get", f"{base}grants/")
    yield Try(who, "post", f"{base}grants/", {"permission": "full", "individual": 1}, json=True)
    yield Try(who, "get", f"{base}relations/")
    yield Try(
        who, "post", f"{base}relations/", {"other": "SI-000001", "kind": "related"}, json=True
    )


def _staff_transaction_tries(numbers: list[str]) -> Iterator[Try]:
    """Every console and API endpoint that takes a transaction number, for the CSR."""
    for n in numbers:
        base = f"/console/transactions/{n}/"
        yield Try(STAFF, "get", base)
        yield Try(STAFF, "post", f"{base}profile/", {"product": "aquasense-controller"})
        yield Try(STAFF, "post", f"{base}status/", {"status": 1, "resolution": ""})
        note = {"channel": "phone", "direction": "in", "visibility": "internal", "body": "x"}
        yield Try(STAFF, "post", f"{base}notes/", note)
        yield Try(STAFF, "post", f"{base}files/", {"file": _upload()})
        yield Try(STAFF, "post", f"{base}relations/", {"other": "SI-000001", "kind": "related"})
        yield Try(STAFF, "post", f"{base}grants/", {"individual": "x@example.com", "permission": 1})
        yield Try(STAFF, "post", f"{base}assign/", {"assignees": [1]})
        yield Try(STAFF, "post", f"{base}forward/", {"team": 1, "note": "Yours."})
        yield Try(STAFF, "post", f"{base}draft-article/")
        yield from _api_transaction_tries(STAFF, n)


def _attachment_tries(who: str, pairs: list[tuple[str, int]], *, deleting: bool) -> Iterator[Try]:
    """An attachment id with a transaction number: by every path that fetches a file."""
    for number, attachment in pairs:
        yield Try(who, "get", f"/transactions/{number}/files/{attachment}/")
        api_base = f"/api/v1/transactions/{number}/attachments/{attachment}/"
        yield Try(who, "get", api_base)
        yield Try(who, "get", f"{api_base}content/")
        if deleting:
            yield Try(who, "delete", api_base)
            yield Try(who, "post", f"/console/transactions/{number}/files/{attachment}/delete/")


def _tries(w: World) -> Iterator[Try]:
    missing_numbers = ["SI-999999", "ZZ-000001", "SI-00000001"]
    yield from _customer_transaction_tries([t.number for t in w.foreign] + missing_numbers)
    yield from _staff_transaction_tries([t.number for t in w.hidden] + missing_numbers[:2])

    # Files: another transaction's file under a transaction one may read, files of
    # transactions one may not see, one on a note one may not read, one deleted.
    deleted = _file(user(STAFF), w.readable)
    actions.delete_attachment(actor=user(STAFF), attachment=deleted)
    customer_pairs = [(w.own.number, w.files[t.pk].pk) for t in w.foreign]
    customer_pairs += [
        (w.own.number, w.files[w.readable.pk].pk),  # readable, but not this transaction's
        (w.readable.number, w.files[w.own.pk].pk),  # and the other way round
        (w.own.number, w.own_internal_file.pk),  # on an internal note
        (w.readable.number, deleted.pk),  # deleted
        (w.own.number, MISSING),
        (w.own.number, HUGE),
    ]
    customer_pairs += [(t.number, w.files[t.pk].pk) for t in w.foreign[:5]]
    yield from _attachment_tries(CUSTOMER, customer_pairs, deleting=False)
    staff_pairs = [(w.visible.number, w.files[t.pk].pk) for t in w.hidden]
    staff_pairs += [(t.number, w.files[t.pk].pk) for t in w.hidden[:3]]
    staff_pairs += [
        (w.visible.number, w.files[w.readable.pk].pk),  # a visible one's, wrongly paired
        (w.visible.number, MISSING),
        (w.visible.number, HUGE),
    ]
    yield from _attachment_tries(STAFF, staff_pairs, deleting=True)

    # Grants: another transaction's grant row under one the CSR may manage.
    grant_ids = list(
        Grant.objects.filter(transaction__in=[*w.hidden, w.readable]).values_list("pk", flat=True)
    )
    for grant_id in [*grant_ids[:12], MISSING, HUGE]:
        yield Try(STAFF, "delete", f"/api/v1/transactions/{w.visible.number}/grants/{grant_id}/")
        yield Try(
            STAFF, "post", f"/console/transactions/{w.visible.number}/grants/{grant_id}/delete/"
        )

    # Other people's tokens and saved views.
    for token_id in [*_others_tokens(), MISSING, HUGE]:
        yield Try(CUSTOMER, "delete", f"/api/v1/tokens/{token_id}/")
        yield Try(CUSTOMER, "post", f"/portal/profile/tokens/{token_id}/revoke/")
        yield Try(STAFF, "post", f"/console/profile/tokens/{token_id}/revoke/")
    for view_id in [*_others_saved_views(), MISSING, HUGE]:
        yield Try(STAFF, "post", f"/console/transactions/views/{view_id}/delete/")

    # People and organisations: the customer sees only their own organisation's.
    harbour = w.own.organization_id
    assert harbour is not None
    for org_id in Organization.objects.exclude(pk=harbour).values_list("pk", flat=True):
        yield Try(CUSTOMER, "get", f"/api/v1/organizations/{org_id}/")
    for person_id in Individual.objects.exclude(organization_id=harbour).values_list(
        "pk", flat=True
    ):
        yield Try(CUSTOMER, "get", f"/api/v1/individuals/{person_id}/")
    for what in ("organizations", "individuals"):
        yield Try(CUSTOMER, "get", f"/api/v1/{what}/{MISSING}/")
        yield Try(CUSTOMER, "get", f"/api/v1/{what}/{HUGE}/")
    # Customers do not see sales opportunities, nor the classifications only they use.
    yield Try(CUSTOMER, "get", "/api/v1/applications/sales-opportunity/")
    for code in ("deal-value", "close-date", "no-such-thing"):
        yield Try(CUSTOMER, "get", f"/api/v1/classifications/{code}/")
    # The staff see everyone: only ids that do not exist.
    for page in ("people", "organizations"):
        yield Try(STAFF, "get", f"/console/{page}/{MISSING}/")
        yield Try(STAFF, "get", f"/console/{page}/{HUGE}/")
    yield Try(STAFF, "get", f"/console/knowledge/{MISSING}/edit/")

    # Knowledge: drafts, archived pieces, staff-only ones and other audiences'.
    yield from _knowledge_tries()

    # Addresses a guesser might try: there is no way to a file, note or grant by its id
    # alone.
    for guess in (
        f"/api/v1/attachments/{w.files[w.own.pk].pk}/",
        f"/api/v1/attachments/{w.files[w.own.pk].pk}/content/",
        f"/api/v1/notes/{w.notes[w.own.pk].pk}/",
        f"/api/v1/grants/{grant_ids[0]}/",
        f"/files/{w.files[w.own.pk].pk}/",
        f"/api/v1/transactions/{w.own.number}/notes/{w.notes[w.own.pk].pk}/",
    ):
        yield Try(CUSTOMER, "get", guess)


def _others_tokens() -> list[int]:
    from portico.api.services import create_token

    later = timezone.now() + datetime.timedelta(days=30)
    for name in ("Helen", "Jamie", "Alan", "Niamh", "Tom", "Graham", "Kirsty"):
        create_token(actor=user(name), name="theirs", expires_at=later)
    return list(
        ApiToken.objects.exclude(owner__individual__first_name__in=[CUSTOMER, STAFF]).values_list(
            "pk", flat=True
        )
    )


def _others_saved_views() -> list[int]:
    views = [
        SavedView.objects.create(owner=person(name), name="Mine", query="status=all")
        for name in ("Tom", "Ravi", "Morag", "Callum")
    ]
    return [v.pk for v in views]


def _knowledge_tries() -> Iterator[Try]:
    groups = {g.name: g for g in UserGroup.objects.all()}
    partners, employees = (groups["Partners"],), (groups["Employees"],)
    hidden_articles = [
        ("Draft", Status.DRAFT, False, ()),
        ("Archived", Status.ARCHIVED, True, ()),
        ("Staff only", Status.PUBLISHED, False, ()),
        ("For partners", Status.PUBLISHED, False, partners),
        ("For employees", Status.PUBLISHED, False, employees),
    ]
    slugs = []
    for title, status, public, audience in hidden_articles:
        change = knowledge.ArticleChange(
            title=f"{title} article",
            body="Words.",
            status=status,
            public=public,
            audience=audience,
        )
        slugs.append(knowledge.save_article(actor=None, change=change).slug)
    for who in (CUSTOMER, VISITOR):
        for slug in [*slugs, "no-such-article"]:
            yield Try(who, "get", f"/help/articles/{slug}/")
            yield Try(who, "post", f"/help/articles/{slug}/feedback/", {"helpful": "yes"})
            yield Try(who, "post", f"/help/articles/{slug}/solved/")
        yield Try(who, "get", "/help/topics/no-such-topic/")
    # The API has no visitors (401 before any id is looked at): the customer only.
    for slug in [*slugs, "no-such-article"]:
        yield Try(CUSTOMER, "get", f"/api/v1/knowledge/articles/{slug}/")
        yield Try(
            CUSTOMER, "patch", f"/api/v1/knowledge/articles/{slug}/", {"title": "Mine"}, json=True
        )
    for model, path in ((Faq, "faqs"), (NewsItem, "news"), (Document, "downloads")):
        ids = [_hidden_piece(model, status, audience) for status, audience in _HIDING]
        for who in (CUSTOMER, VISITOR):
            for piece_id in [*ids, MISSING, HUGE]:
                yield Try(who, "get", f"/help/{path}/{piece_id}/")
        for piece_id in [*ids, MISSING, HUGE]:
            yield Try(CUSTOMER, "get", f"/api/v1/knowledge/{path}/{piece_id}/")
            if model is Document:
                yield Try(CUSTOMER, "get", f"/api/v1/knowledge/{path}/{piece_id}/content/")


# (status, audience): a draft, one for staff only, one for partners only.
_HIDING: list[tuple[str, tuple[str, ...]]] = [
    (Status.DRAFT, ()),
    (Status.PUBLISHED, ()),
    (Status.PUBLISHED, ("Partners",)),
]


def _hidden_piece(model: type[Model], status: str, audience: tuple[str, ...]) -> int:
    groups = list(UserGroup.objects.filter(name__in=audience))
    piece: Any
    if model is Document:
        piece = knowledge.add_document(
            actor=None,
            title="A document",
            upload=ContentFile(b"%PDF-1.4\n", name="d.pdf"),
            name="d.pdf",
            status=status,
            audience=groups,
        )
    elif model is Faq:
        piece = Faq.objects.create(question="Q?", answer="A.", status=status)
    else:
        piece = NewsItem.objects.create(title="News", body="B.", status=status)
    piece.audience.set(groups)
    return int(piece.pk)


# --- the walk --------------------------------------------------------------------------


def _send(w: World, attempt: Try) -> Any:
    side = "api" if attempt.url.startswith("/api/") else "web"
    client = w.clients[(attempt.who, side)]
    send: Callable[..., Any] = getattr(client, attempt.method)
    if attempt.json:
        return send(attempt.url, attempt.data, content_type="application/json")
    if attempt.method in ("get", "delete"):
        return send(attempt.url)
    return send(attempt.url, attempt.data or {})


def _state(since: datetime.datetime) -> dict[str, int]:
    """What a wrongly allowed request would change."""
    return {
        "notes": Note.objects.count(),
        "live files": Attachment.objects.filter(deleted_at__isnull=True).count(),
        "grants": Grant.objects.count(),
        "relations": Relation.objects.count(),
        "profile values": ProfileValue.objects.count(),
        "touched": Transaction.objects.filter(updated_at__gt=since).count(),
        "live tokens": ApiToken.objects.filter(revoked_at__isnull=True).count(),
        "saved views": SavedView.objects.count(),
        "articles": Article.objects.count(),
        "unread": Notification.objects.filter(read_at__isnull=True).count(),
    }


@pytest.mark.slow
def test_every_foreign_id_is_a_404(world: World) -> None:
    tries = list(_tries(world))
    started = timezone.now()
    before = _state(started)
    wrong: dict[str, list[str]] = {}
    for attempt in tries:
        status = _send(world, attempt).status_code
        if status != 404:
            wrong.setdefault(str(status), []).append(
                f"{attempt.who or 'visitor'} {attempt.method.upper()} {attempt.url}"
            )
    after = _state(started)
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    print(f"\n{len(tries)} foreign ids tried, {sum(map(len, wrong.values()))} not 404")
    for status, where in sorted(wrong.items()):
        print(f"  {status}:", *where[:40], sep="\n    ")
    assert len(tries) >= 1000
    assert wrong == {}
    assert changed == {}, f"changed by refused requests: {changed}"


def test_the_walk_can_see_success(world: World) -> None:
    """The same endpoints answer the caller's own ids, so a 404 above means "not yours"
    and not a broken address."""
    own, files = world.own, world.files
    fine = [
        Try(CUSTOMER, "get", f"/portal/t/{own.number}/"),
        Try(CUSTOMER, "get", f"/api/v1/transactions/{own.number}/"),
        Try(CUSTOMER, "get", f"/transactions/{own.number}/files/{files[own.pk].pk}/"),
        Try(CUSTOMER, "get", f"/api/v1/transactions/{own.number}/attachments/{files[own.pk].pk}/"),
        Try(CUSTOMER, "get", f"/api/v1/organizations/{own.organization_id}/"),
        Try(STAFF, "get", f"/console/transactions/{world.visible.number}/"),
        Try(STAFF, "get", f"/console/people/{own.requester_id}/"),
    ]
    answers = {f"{t.who} {t.url}": _send(world, t).status_code for t in fine}
    assert set(answers.values()) == {200}, answers


# --- ids in the body -------------------------------------------------------------------


# What differs between any two responses: the CSP nonce and the masked CSRF token.
_PER_RESPONSE = re.compile(r'(nonce="|"X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]*')


def _same_as_missing(w: World, foreign: Try, missing: Try, foreign_id: str, missing_id: str) -> str:
    a, b = _send(w, foreign), _send(w, missing)
    body_a = _PER_RESPONSE.sub("", a.content.decode().replace(foreign_id, "ID"))
    body_b = _PER_RESPONSE.sub("", b.content.decode().replace(missing_id, "ID"))
    if a.status_code >= 500 or (a.status_code, body_a) != (b.status_code, body_b):
        where = f"{foreign.method.upper()} {foreign.url} {foreign.data}"
        return f"{where}: {a.status_code}, a missing id {b.status_code}"
    return ""


def test_ids_in_the_body_answer_as_if_missing(world: World) -> None:
    w = world
    hidden, visible = w.hidden[0], w.visible
    foreign_note = w.notes[w.foreign[0].pk].pk
    own_api = f"/api/v1/transactions/{w.own.number}/"
    notice = notify.notify(
        recipients=[person("Tom")], kind=notify.Kind.ASSIGNED, transaction=visible, text="Tom's"
    )[0]
    cases = [
        # The other end of a relation, which the CSR may not see.
        (
            Try(STAFF, "post", f"/api/v1/transactions/{visible.number}/relations/",
                {"other": hidden.number, "kind": "related"}, json=True),
            Try(STAFF, "post", f"/api/v1/transactions/{visible.number}/relations/",
                {"other": "SI-999999", "kind": "related"}, json=True),
            hidden.number, "SI-999999",
        ),
        (
            Try(STAFF, "post", f"/console/transactions/{visible.number}/relations/",
                {"other": hidden.number, "kind": "related"}),
            Try(STAFF, "post", f"/console/transactions/{visible.number}/relations/",
                {"other": "SI-999999", "kind": "related"}),
            hidden.number, "SI-999999",
        ),
        # A note of another transaction, as the one being corrected or filed under.
        (
            Try(CUSTOMER, "post", f"{own_api}notes/",
                {"body": "Fix", "visibility": "shared", "corrects": foreign_note}, json=True),
            Try(CUSTOMER, "post", f"{own_api}notes/",
                {"body": "Fix", "visibility": "shared", "corrects": MISSING}, json=True),
            str(foreign_note), str(MISSING),
        ),
        (
            Try(STAFF, "post", f"{own_api}attachments/", {"file": _upload(), "note": foreign_note}),
            Try(STAFF, "post", f"{own_api}attachments/", {"file": _upload(), "note": MISSING}),
            str(foreign_note), str(MISSING),
        ),
        # Someone else's notification, to mark read.
        (
            Try(STAFF, "post", "/console/notifications/", {"notification": notice.pk}),
            Try(STAFF, "post", "/console/notifications/", {"notification": MISSING}),
            str(notice.pk), str(MISSING),
        ),
    ]  # fmt: skip
    before = _state_of_body_ids()
    wrong = [p for p in (_same_as_missing(w, *case) for case in cases) if p]
    assert wrong == []
    assert _state_of_body_ids() == before
    notice.refresh_from_db()
    assert notice.read_at is None, "someone else's notification was marked read"


def _state_of_body_ids() -> tuple[int, int, int]:
    return Relation.objects.count(), Note.objects.count(), Attachment.objects.count()
