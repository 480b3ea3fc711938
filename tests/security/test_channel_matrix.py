"""Every channel asks the same question and gets the same answer (issue 8, item 1).

One table says what each persona may do with each of four demo transactions: who they
are to it (requester, colleague, the team holding it, an assignee, an administrator
restricted by a grant, someone who has left...), and what that relation lets them do
(seed 001's permissions as the standard set-up gives them). From it, every persona ×
transaction × action × channel is tried for real through the Django test client, and
what happened (the page showed it, the change was made) is compared with the table.

Channels:

- page: the web pages, the console for the staff and each portal for its people (a
  person outside the staff trying a console-only action is sent the console's 403);
- api: the REST API under /api/v1/, with the person's own access token;
- search: the search and suggestion boxes and the 360° views they lead to (console
  find, the organisation lookup, the knowledge search and its deflection widget, a
  caller's and an organisation's page);
- notifications: the in-app notification list and its unread count in the menu;
- feed: the event feed, GET /api/v1/events/, walked to its end with the person's token
  (a transaction's events, and an internal note's text and file name, are what it shows).
- webhooks: what a subscription the person makes through the API
  (POST /api/v1/webhooks/) is sent about each transaction: only Systems Admin may
  subscribe, and a delivery holds what its owner may see (never an internal note for an
  owner who may not read internal notes).
- email: a reply by e-mail to the transaction's reply address, handed to mail-in
  (`portico.mail.inbound.receive`) as the MTA would, from the persona's address (a
  stranger's for the visitor): only a person who may add notes gets a note in, and only
  one who may add files gets the reply's file in.

Portico has no live-update channel: no websocket, no server-sent events, no polling
endpoint (Django Channels is in the design for chat and live queues, not yet built).
When one arrives it must get its own probes here.
"""

from __future__ import annotations

import base64
import datetime
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction as db
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone

from portico import access
from portico.audit.models import Event
from portico.knowledge import services as knowledge
from portico.knowledge.models import Article
from portico.mail import addresses, inbound
from portico.mail.models import Kind as MailKind
from portico.notify import services as notify
from portico.notify.models import Delivery
from portico.parties.models import Individual, Organization
from portico.parties.services import deactivate_individual
from portico.service import actions
from portico.service.models import Attachment, Grant, Note, Permission, Relation, Status
from portico.service.models import Transaction as Txn
from portico.surveys.models import Answer as SurveyAnswer
from portico.webhooks import services as webhooks
from portico.webhooks.models import Subscription
from tests.security.conftest import api, demo_transaction, person, user, web
from tests.test_urls import _names

# --- the one table -----------------------------------------------------------------------


@dataclass(frozen=True)
class Persona:
    first_name: str | None  # None: a visitor who never logged in
    staff: bool = False
    site: str = "customer"  # the portal whose pages they use (staff: the console)
    left: bool = False  # logged in and made a token, then left the organisation
    systems_admin: bool = False  # their group opens the Systems Admin zone


PERSONAS: dict[str, Persona] = {
    "anonymous": Persona(None),
    "requester": Persona("Ewan"),
    "colleague": Persona("Kirsty"),
    "other_customer": Persona("Helen"),
    "partner": Persona("Niamh", site="partner"),
    "employee": Persona("Lucy", site="employee"),
    "team_agent": Persona("Fiona", staff=True),
    "assignee": Persona("Tom", staff=True),
    "other_team_agent": Persona("Callum", staff=True),
    "restricted_admin": Persona("Graham", staff=True, systems_admin=True),
    "deactivated_agent": Persona("Ravi", staff=True, left=True),
    "deactivated_customer": Persona("Sandeep", left=True),
}

# Four demo transactions, by title.
TRANSACTIONS = {
    # Ewan's (Harbour Foods), with the Service Desk, assigned to Tom and Aisha.
    "harbour": "Dosing pump on line 3 stopped overnight",
    # Helen's (Kelvin Medical), resolved, assigned to Tom.
    "kelvin": "Sensor pack readings frozen in ward B plant room",
    # Niamh's (the partner) sales opportunity, with the Sales team.
    "deal": "Tayside water board retrofit, 12 sites",
    # Lucy's (an employee of Brightwater itself), with the Service Desk.
    "staff_request": "Expense system rejects HydroLink invoices",
}

# Who each persona is to each transaction; a missing entry means no relation at all.
RELATIONS: dict[str, dict[str, str]] = {
    "anonymous": {},
    "requester": {"harbour": "requester"},
    "colleague": {"harbour": "requester_organisation"},
    "other_customer": {"kelvin": "requester"},
    "partner": {"deal": "partner_requester"},
    "employee": {"staff_request": "requester"},
    "team_agent": {"harbour": "team", "kelvin": "team", "deal": "staff", "staff_request": "team"},
    "assignee": {
        "harbour": "assignee",
        "kelvin": "assignee",
        "deal": "staff",
        "staff_request": "staff",
    },
    "other_team_agent": {
        "harbour": "staff",
        "kelvin": "staff",
        "deal": "team",
        # An administrator-defined "No access" permission, granted to him on it.
        "staff_request": "no_access_grant",
    },
    "restricted_admin": {
        # A Read only grant to him on it restricts even an administrator.
        "harbour": "read_only_grant",
        "kelvin": "staff",
        "deal": "staff",
        # Brightwater, his own company, holds Read only as the requester's organisation,
        # and an organisation's grant beats the group's default.
        "staff_request": "requester_organisation",
    },
    # Ravi was on the Service Desk and Sandeep in Harbour Foods: leaving ends it all.
    "deactivated_agent": {},
    "deactivated_customer": {},
}

ACTIONS = [
    "list",
    "search",
    "view",
    "read_internal_note",
    "add_shared_note",
    "add_internal_note",
    "attach_files",
    "edit_profile",
    "edit_text",
    "change_status",
    "assign",
    "grant",
    "download_attachment",
    "delete_attachment",
    "relate",
    "export",
    "withdraw",
    "reopen",
    "see_money",
    "set_money",
]
# A transaction's value and cost (issue 24) are the staff's: seen by staff who see it,
# set by staff who may change its profile; offered on no customer channel (below).
MONEY = {"see_money", "set_money"}
MONEY_VALUE = "98765.43"
MONEY_SHOWN = ("98765.43", "98,765.43", "98 765.43", "98765,43")
READ = {"list", "search", "view", "download_attachment", "export", "see_money"}
# What each relation allows (seed 001 and the standard set-up: a service issue's
# requester holds Update worknotes, their organisation Read only, the team Full access;
# a sales opportunity's requester Customer access; the staff group's default is Full;
# internal notes never reach anyone outside the staff; whoever may add notes may
# withdraw or reopen, issue 19).
MOVES = {"withdraw", "reopen"}
MAY: dict[str, set[str]] = {
    "none": set(),
    "requester": READ | {"add_shared_note", "attach_files"} | MOVES,
    "partner_requester": READ | {"add_shared_note", "attach_files"} | MOVES,
    "requester_organisation": READ,
    "read_only_grant": READ,
    "team": set(ACTIONS),
    "staff": set(ACTIONS),
    "assignee": READ
    | {
        "read_internal_note",
        "add_shared_note",
        "add_internal_note",
        "attach_files",
        "edit_profile",
        "change_status",
        "relate",
        "set_money",
        *MOVES,
    },
    "no_access_grant": set(),
}
# What each channel offers to each side; elsewhere the answer must be "no" whatever the
# relation. The portals have no internal notes, no profile editing, no dispatch, no
# export, no value or cost; the API no export (its list is the machine-readable one),
# and no value or cost outside the staff; the search boxes list transactions only in
# the staff's 360° views; only the staff get notifications.
OFFERED: dict[tuple[str, bool], set[str]] = {
    ("page", True): set(ACTIONS),
    ("page", False): {"list", "search", "view", "add_shared_note", "attach_files"}
    | {"download_attachment"}
    | MOVES,
    ("api", True): set(ACTIONS) - {"export"},
    ("api", False): set(ACTIONS) - {"export"} - MONEY,
    ("search", True): {"list", "read_internal_note"},
    ("search", False): set(),
    ("notifications", True): {"list"},
    ("notifications", False): set(),
    # The feed is a read channel for the staff (issue 20); anyone else is refused.
    ("feed", True): {"list", "read_internal_note"},
    ("feed", False): set(),
    ("webhooks", True): {"view", "read_internal_note"},
    ("webhooks", False): set(),
    ("email", True): {"add_shared_note", "attach_files"},
    ("email", False): {"add_shared_note", "attach_files"},
}
CHANNELS = ["page", "api", "search", "notifications", "feed", "webhooks", "email"]


def relation(persona: str, key: str) -> str:
    return RELATIONS[persona].get(key, "none")


def expected(persona: str, key: str, action: str, channel: str) -> bool:
    if channel == "webhooks" and not PERSONAS[persona].systems_admin:
        return False  # only Systems Admin subscribes (and is sent anything)
    return (
        action in MAY[relation(persona, key)]
        and action in OFFERED[(channel, PERSONAS[persona].staff)]
    )


# --- the world ---------------------------------------------------------------------------

EXPORT = "console:transactions-export"  # another helper's; probed once it exists
SHARED_BYTES = b"shared file\n"
INTERNAL_BYTES = b"internal file\n"


@dataclass
class World:
    transactions: dict[str, Txn]
    web: dict[str, Client]
    api: dict[str, Client]
    internal_note: dict[str, Note]
    shared_file: dict[str, Attachment]
    internal_file: dict[str, Attachment]
    linked_grant: dict[str, Grant]
    spare: Txn  # the other end of a relation
    draft: Article  # drafted from the resolved transaction: never to be found
    cache: dict[tuple[str, str, str], tuple[Any, str]] = field(default_factory=dict)
    feed: dict[str, tuple[Any, list[dict[str, Any]]]] = field(default_factory=dict)


def internal_marker(key: str) -> str:
    return f"Internal-{key}-zq7 check the recall list"


@pytest.fixture
def world(demo_data: None, settings: Any) -> World:
    # Hundreds of calls a minute from one address, some with a dead token: the rate and
    # log-in limits are proven elsewhere (tests/api, tests/login).
    rates = {"person": "100000/minute", "anonymous": "100000/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    settings.PORTICO_LOGIN_FAILED_LIMIT = "100000/m/ip,100000/m/key"
    fiona = user("Fiona")
    transactions = {key: demo_transaction(title) for key, title in TRANSACTIONS.items()}
    alan = person("Alan")
    linked = Permission.objects.get(code="linked")
    world = World(
        transactions=transactions,
        web={},
        api={},
        internal_note={},
        shared_file={},
        internal_file={},
        linked_grant={},
        spare=demo_transaction("Price for a second HydroLink gateway"),
        draft=knowledge.draft_from_transaction(actor=fiona, transaction=transactions["kelvin"]),
    )
    # A value no other figure on a page could be mistaken for (see_money).
    Txn.objects.filter(pk__in=[t.pk for t in transactions.values()]).update(value=MONEY_VALUE)
    for key, t in transactions.items():
        t.value = MONEY_VALUE
        note = actions.add_note(
            actor=fiona, transaction=t, body=internal_marker(key), visibility="internal"
        )
        world.internal_note[key] = note
        world.shared_file[key] = actions.add_attachment(
            actor=fiona, transaction=t, upload=SimpleUploadedFile("a", SHARED_BYTES), name="s.txt"
        )
        world.internal_file[key] = actions.add_attachment(
            actor=fiona,
            transaction=t,
            upload=SimpleUploadedFile("b", INTERNAL_BYTES),
            name="i.txt",
            note=note,
        )
        world.linked_grant[key] = actions.grant(
            actor=fiona, transaction=t, permission=linked, individual=alan
        )
    # The grants the table speaks of that the demo lacks, made as an administrator would.
    actions.grant(
        actor=fiona,
        transaction=transactions["harbour"],
        permission=Permission.objects.get(code="read"),
        individual=person("Graham"),
    )
    no_access = Permission.objects.create(
        code="none", name="No access", description="Hidden from them.", decides_access=True
    )
    actions.grant(
        actor=fiona,
        transaction=transactions["staff_request"],
        permission=no_access,
        individual=person("Callum"),
    )
    for key, p in PERSONAS.items():
        world.web[key] = web(p.first_name)
        world.api[key] = api(p.first_name)
        if p.first_name is not None:
            # A notice about each transaction to everyone: the list must keep those
            # about transactions the person may not see to itself.
            for t in transactions.values():
                notify.notify(
                    recipients=[person(p.first_name)],
                    kind=notify.Kind.ASSIGNED,
                    transaction=t,
                    text=f"Security notice about {t.number}",
                )
    for p in PERSONAS.values():
        if p.left and p.first_name is not None:
            # After their session and token exist: both must die with the leaving.
            deactivate_individual(individual=person(p.first_name), actor=fiona)
    return world


# --- answers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    done: bool  # the page showed it, or the change was made
    status: int
    location: str = ""
    problem: str = ""  # wrong whatever the table says


def _body(response: Any) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    ):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(raw), read_only=True)
        return "\n".join(
            " ".join(str(cell) for cell in row if cell is not None)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        )
    return str(raw.decode("utf-8", errors="replace"))


def _answer(response: Any, done: bool) -> Answer:
    status = response.status_code
    problem = ""
    if status >= 500:
        problem = f"answered {status}"
    elif done and status >= 400:
        problem = f"the change was made, yet the answer was {status}"
    return Answer(done, status, response.get("Location", ""), problem)


def _get(w: World, persona: str, side: str, url: str) -> tuple[Any, str]:
    """A GET, asked once per test: reads never change anything."""
    key = (persona, side, url)
    if key not in w.cache:
        client = w.api[persona] if side == "api" else w.web[persona]
        response = client.get(url)
        w.cache[key] = (response, _body(response))
    return w.cache[key]


def _shows(w: World, persona: str, url: str, *needles: str) -> Answer:
    response, text = _get(w, persona, "web", url)
    return _answer(response, response.status_code == 200 and all(n in text for n in needles))


def _api_numbers(w: World, persona: str, url: str, number: str) -> Answer:
    response, _text = _get(w, persona, "api", url)
    found = False
    if response.status_code == 200:
        rows = response.json()
        rows = rows["results"] if isinstance(rows, dict) else rows
        found = any(row.get("number") == number for row in rows)
    return _answer(response, found)


class _Undo(Exception):
    pass


def _write(send: Callable[[], Any], effect: Callable[[], bool]) -> Answer:
    """Send it, see whether the change was made, and undo it all."""
    answer: Answer | None = None
    try:
        with db.atomic():
            answer = _answer(send(), effect())
            raise _Undo
    except _Undo:
        pass
    assert answer is not None
    return answer


def _profile_changed(t: Txn) -> Callable[[], bool]:
    before = actions.profile_of(t)
    return lambda: actions.profile_of(Txn.objects.get(pk=t.pk)) != before


def _money_set(t: Txn) -> Callable[[], bool]:
    return lambda: Txn.objects.filter(pk=t.pk, value="123.45", cost="6.78").exists()


def _text_changed(t: Txn) -> Callable[[], bool]:
    return lambda: Txn.objects.get(pk=t.pk).title != t.title


def _retitled(t: Txn) -> dict[str, str]:
    return {"title": f"{t.title} (again)", "description": t.description}


def _status_changed(t: Txn) -> Callable[[], bool]:
    return lambda: Txn.objects.get(pk=t.pk).status_id != t.status_id


def _next_status(t: Txn) -> Status:
    found = (
        Status.objects.get(pk=t.status_id)
        .next_statuses.exclude(category__in=[Status.Category.RESOLVED, Status.Category.CLOSED])
        .order_by("position")
        .first()
    )
    assert found is not None
    return found


def _note_added(t: Txn, body: str, visibility: str) -> Callable[[], bool]:
    return lambda: Note.objects.filter(transaction=t, body=body, visibility=visibility).exists()


def _emailed(t: Txn, body: str) -> Callable[[], bool]:
    return lambda: Note.objects.filter(
        transaction=t, body=body, visibility="shared", channel="email", direction="out"
    ).exists()


def _file_added(t: Txn) -> Callable[[], bool]:
    return lambda: Attachment.objects.filter(transaction=t, name="probe.txt").exists()


def _assigned(t: Txn) -> Callable[[], bool]:
    return lambda: Grant.objects.filter(
        transaction=t, individual__first_name="Morag", permission__code="assigned"
    ).exists()


def _granted(t: Txn) -> Callable[[], bool]:
    return lambda: Grant.objects.filter(
        transaction=t, individual__first_name="Priya", permission__code="read"
    ).exists()


def _revoked(row: Grant) -> Callable[[], bool]:
    return lambda: not Grant.objects.filter(pk=row.pk).exists()


def _deleted(a: Attachment) -> Callable[[], bool]:
    return lambda: Attachment.objects.get(pk=a.pk).deleted_at is not None


def _related(t: Txn, other: Txn) -> Callable[[], bool]:
    return lambda: Relation.objects.filter(source=t, target=other).exists()


def _forwarded(t: Txn) -> Callable[[], bool]:
    return lambda: Txn.objects.get(pk=t.pk).team_id != t.team_id


def _open(t: Txn) -> None:
    """Put it in an unfinished status first (undone with the probe), so that only
    access can refuse a withdrawal."""
    status = Status.objects.get(pk=t.status_id)
    if not status.is_open:
        back = Status.objects.filter(application_id=t.application_id, category="open").first()
        Txn.objects.filter(pk=t.pk).update(status=back, resolved_at=None, closed_at=None)


def _resolve(t: Txn) -> None:
    """Resolved a moment ago (undone with the probe): only access can refuse reopening."""
    resolved = Status.objects.get(application_id=t.application_id, category="resolved")
    Txn.objects.filter(pk=t.pk).update(status=resolved, resolved_at=timezone.now())


def _withdrawn(t: Txn) -> Callable[[], bool]:
    return lambda: Txn.objects.get(pk=t.pk).status.code == "withdrawn"


def _reopened(t: Txn) -> Callable[[], bool]:
    return lambda: Txn.objects.get(pk=t.pk).status.category == Status.Category.OPEN


def _not_satisfied(t: Txn) -> None:
    """A "not satisfied" answer waiting for its follow-up (undone with the probe)."""
    person = Individual.objects.order_by("pk").first()
    assert person is not None
    now = timezone.now()
    SurveyAnswer.objects.create(
        transaction=t, person=person, rating=1, satisfied=False, sent_at=now, answered_at=now
    )


def _followed_up(t: Txn) -> Callable[[], bool]:
    return lambda: SurveyAnswer.objects.filter(transaction=t, followed_up_at__isnull=False).exists()


def _then[T](first: Callable[[], None], send: Callable[[], T]) -> Callable[[], T]:
    def both() -> T:
        first()
        return send()

    return both


# A sales opportunity's flow has no resolved status: nothing to reopen.
REOPENABLE = frozenset({"harbour", "kelvin", "staff_request"})


def _move_probes(channel: str) -> list[Probe]:
    """Withdraw and reopen, through the portal's buttons or the API's actions."""

    def url(move: str, w: World, p: str, k: str) -> str:
        if channel == "api":
            return _api(move, w, k)
        return _portal(move, p, w, k)

    def send(move: str, w: World, p: str, k: str) -> Callable[[], Any]:
        data = {"reason": f"Probe {move}"}
        if channel == "api":
            return _json(w, p, "post", url(move, w, p, k), data)
        return _post(w, p, url(move, w, p, k), data)

    def name(move: str) -> str:
        return f"api:{move}" if channel == "api" else f"portal:customer-{move}"

    return [
        Probe(
            channel,
            "withdraw",
            name("withdraw"),
            lambda w, p, k: _write(
                _then(lambda: _open(_t(w, k)), send("withdraw", w, p, k)), _withdrawn(_t(w, k))
            ),
        ),
        Probe(
            channel,
            "reopen",
            name("reopen"),
            lambda w, p, k: _write(
                _then(lambda: _resolve(_t(w, k)), send("reopen", w, p, k)), _reopened(_t(w, k))
            ),
            only=REOPENABLE,
        ),
    ]


def _upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("probe.txt", b"probe\n", content_type="text/plain")


# --- probes ------------------------------------------------------------------------------
# A probe does one action through one endpoint of one channel, for one persona and one
# transaction. `refusal` says what a refusal must look like where the table says no:
# "write" — 404 when the persona may not see the transaction, else 403; "hidden" — 404
# (a thing one may not see answers like a thing that does not exist); None — whatever
# status, so long as nothing is shown or done.


@dataclass(frozen=True)
class Probe:
    channel: str
    action: str
    url_name: str
    run: Callable[[World, str, str], Answer]
    refusal: str | None = "write"
    only: frozenset[str] | None = None  # the transactions it applies to; None: all


def _site(persona: str) -> str:
    return PERSONAS[persona].site


def _t(w: World, key: str) -> Txn:
    return w.transactions[key]


def _q(w: World, key: str) -> str:
    # Searched for in lower case, so that the search box echoing it is not mistaken
    # for a row (numbers match whatever their case).
    return _t(w, key).number.lower()


def _console(name: str, w: World, key: str, *more: object) -> str:
    return reverse(f"console:{name}", args=[_t(w, key).number, *more])


def _portal(name: str, persona: str, w: World, key: str) -> str:
    return reverse(f"portal:{_site(persona)}-{name}", args=[_t(w, key).number])


def _api(name: str, w: World, key: str, *more: object) -> str:
    return reverse(f"api:{name}", args=[_t(w, key).number, *more])


def _console_link(w: World, key: str) -> str:
    return f'href="{reverse("console:transaction", args=[_t(w, key).number])}"'


def _portal_link(persona: str, w: World, key: str) -> str:
    return f'href="{_portal("transaction", persona, w, key)}"'


def _file(w: World, key: str, attachment: Attachment) -> str:
    return reverse("service:attachment", args=[_t(w, key).number, attachment.pk])


def _downloads(w: World, persona: str, url: str, content: bytes, side: str = "web") -> Answer:
    response, text = _get(w, persona, side, url)
    return _answer(response, response.status_code == 200 and text == content.decode())


def _post(w: World, persona: str, url: str, data: dict[str, Any]) -> Callable[[], Any]:
    return lambda: w.web[persona].post(url, data)


def _json(w: World, persona: str, method: str, url: str, data: Any = None) -> Callable[[], Any]:
    client = w.api[persona]
    send = getattr(client, method)
    return lambda: send(url, data, content_type="application/json")


def _profile_form(t: Txn) -> dict[str, Any]:
    from portico.console.transaction_forms import ProfileForm

    form = ProfileForm(transaction=t, current=actions.profile_of(t))
    data = {name: f.initial or "" for name, f in form.fields.items()}
    data["product"] = "hydrolink-gateway"
    return data


def _morag() -> Individual:
    return Individual.objects.get(first_name="Morag")


def _team() -> Organization:
    return Organization.objects.get(name="Field Service")


def _read() -> Permission:
    return Permission.objects.get(code="read")


def _console_probes() -> list[Probe]:
    return [
        Probe(
            "page",
            "list",
            "console:transactions",
            lambda w, p, k: _shows(w, p, "/console/transactions/?status=all", _console_link(w, k)),
            None,
        ),
        Probe(
            "page",
            "search",
            "console:transactions",
            lambda w, p, k: _shows(
                w,
                p,
                f"/console/transactions/?status=all&q={_q(w, k)}",
                _console_link(w, k),
            ),
            None,
        ),
        Probe(
            "page",
            "view",
            "console:transaction",
            lambda w, p, k: _shows(w, p, _console("transaction", w, k), _t(w, k).title),
        ),
        Probe(
            "page",
            "read_internal_note",
            "console:transaction",
            lambda w, p, k: _shows(w, p, _console("transaction", w, k), internal_marker(k)),
            None,
        ),
        Probe(
            "page",
            "read_internal_note",
            "service:attachment",
            lambda w, p, k: _downloads(w, p, _file(w, k, w.internal_file[k]), INTERNAL_BYTES),
            "hidden",
        ),
        Probe(
            "page",
            "add_shared_note",
            "console:add-note",
            lambda w, p, k: _write(
                _post(
                    w,
                    p,
                    _console("add-note", w, k),
                    {"channel": "phone", "direction": "in", "visibility": "shared", "body": "S1"},
                ),
                _note_added(_t(w, k), "S1", "shared"),
            ),
        ),
        Probe(
            "page",
            "add_internal_note",
            "console:add-note",
            lambda w, p, k: _write(
                _post(
                    w,
                    p,
                    _console("add-note", w, k),
                    {
                        "channel": "internal",
                        "direction": "none",
                        "visibility": "internal",
                        "body": "I1",
                    },
                ),
                _note_added(_t(w, k), "I1", "internal"),
            ),
        ),
        # Marking a "not satisfied" answer followed up is the staff's internal work:
        # whoever may add internal notes (portico.surveys.services.follow_up).
        Probe(
            "page",
            "add_internal_note",
            "console:follow-up",
            lambda w, p, k: _write(
                _then(
                    lambda: _not_satisfied(_t(w, k)),
                    _post(w, p, _console("follow-up", w, k), {"note": "Probe"}),
                ),
                _followed_up(_t(w, k)),
            ),
        ),
        Probe(
            "page",
            "attach_files",
            "console:upload",
            lambda w, p, k: _write(
                _post(w, p, _console("upload", w, k), {"file": _upload()}), _file_added(_t(w, k))
            ),
        ),
        # A reply by e-mail is a shared note; with a file, a file added as well (every
        # relation that may add a shared note may attach files, and the reverse).
        Probe(
            "page",
            "add_shared_note",
            "console:email-reply",
            lambda w, p, k: _write(
                _post(w, p, _console("email-reply", w, k), {"body": "E1"}),
                _emailed(_t(w, k), "E1"),
            ),
        ),
        Probe(
            "page",
            "attach_files",
            "console:email-reply",
            lambda w, p, k: _write(
                _post(
                    w, p, _console("email-reply", w, k), {"body": "E2", "attachments": _upload()}
                ),
                _file_added(_t(w, k)),
            ),
        ),
        Probe(
            "page",
            "edit_profile",
            "console:profile",
            lambda w, p, k: _write(
                _post(w, p, _console("profile", w, k), _profile_form(_t(w, k))),
                _profile_changed(_t(w, k)),
            ),
        ),
        Probe(
            "page",
            "see_money",
            "console:transaction",
            lambda w, p, k: _shows(w, p, _console("transaction", w, k), "98,765.43"),
        ),
        Probe(
            "page",
            "set_money",
            "console:money",
            lambda w, p, k: _write(
                _post(w, p, _console("money", w, k), {"value": "123.45", "cost": "6.78"}),
                _money_set(_t(w, k)),
            ),
        ),
        Probe(
            "page",
            "edit_text",
            "console:edit-text",
            lambda w, p, k: _write(
                _post(w, p, _console("edit-text", w, k), _retitled(_t(w, k))),
                _text_changed(_t(w, k)),
            ),
        ),
        Probe(
            "page",
            "change_status",
            "console:status",
            lambda w, p, k: _write(
                _post(
                    w,
                    p,
                    _console("status", w, k),
                    {"status": _next_status(_t(w, k)).pk, "resolution": ""},
                ),
                _status_changed(_t(w, k)),
            ),
        ),
        Probe(
            "page",
            "assign",
            "console:assign",
            lambda w, p, k: _write(
                _post(w, p, _console("assign", w, k), {"assignees": [_morag().pk]}),
                _assigned(_t(w, k)),
            ),
        ),
        Probe(
            "page",
            "assign",
            "console:forward",
            lambda w, p, k: _write(
                _post(w, p, _console("forward", w, k), {"team": _team().pk, "note": "Theirs."}),
                _forwarded(_t(w, k)),
            ),
        ),
        Probe(
            "page",
            "grant",
            "console:add-grant",
            lambda w, p, k: _write(
                _post(
                    w,
                    p,
                    _console("add-grant", w, k),
                    {
                        "individual": person("Priya").email,
                        "organization": "",
                        "permission": _read().pk,
                    },
                ),
                _granted(_t(w, k)),
            ),
        ),
        Probe(
            "page",
            "grant",
            "console:remove-grant",
            lambda w, p, k: _write(
                _post(w, p, _console("remove-grant", w, k, w.linked_grant[k].pk), {}),
                _revoked(w.linked_grant[k]),
            ),
        ),
        Probe(
            "page",
            "download_attachment",
            "service:attachment",
            lambda w, p, k: _downloads(w, p, _file(w, k, w.shared_file[k]), SHARED_BYTES),
            "hidden",
        ),
        Probe(
            "page",
            "delete_attachment",
            "console:delete-file",
            lambda w, p, k: _write(
                _post(w, p, _console("delete-file", w, k, w.shared_file[k].pk), {}),
                _deleted(w.shared_file[k]),
            ),
        ),
        # The rare forms are drawn when their panel opens: the form is offered exactly
        # to those its POST accepts.
        *(
            Probe(
                "page",
                action,
                "console:panel",
                lambda w, p, k, panel=panel, field=field: _shows(  # type: ignore[misc]
                    w, p, _console("panel", w, k, panel), f'name="{field}"'
                ),
            )
            for action, panel, field in (
                ("assign", "assign", "assignees"),
                ("assign", "forward", "team"),
                ("grant", "grant", "permission"),
                ("relate", "relate", "other"),
            )
        ),
        # A note's contact suggested as it is typed: for whoever may add a note.
        Probe(
            "page",
            "add_shared_note",
            "console:contacts",
            lambda w, p, k: _shows(w, p, _console("contacts", w, k), "<option value="),
        ),
        Probe(
            "page",
            "relate",
            "console:relate",
            lambda w, p, k: _write(
                _post(w, p, _console("relate", w, k), {"other": w.spare.number, "kind": "related"}),
                _related(_t(w, k), w.spare),
            ),
        ),
    ]


def _export_probes() -> list[Probe]:
    if EXPORT not in set(_names(get_resolver())):
        return []
    return [
        Probe(
            "page",
            "export",
            EXPORT,
            lambda w, p, k, fmt=fmt: _shows(  # type: ignore[misc]
                w, p, f"{reverse(EXPORT, args=[fmt])}?status=all", _t(w, k).number
            ),
            None,
        )
        for fmt in ("csv", "xlsx")
    ]


def _portal_probes() -> list[Probe]:
    """The portals' own pages; for what only the console offers, a person outside the
    staff tries the console's endpoint (and must get its 403)."""
    console_only = {"add_internal_note", "edit_profile", "change_status", "assign", "grant"}
    console_only |= {"delete_attachment", "relate", "export", "set_money"}
    return [
        Probe(
            "page",
            "list",
            "portal:customer-transactions",
            lambda w, p, k: _shows(
                w,
                p,
                f"{reverse(f'portal:{_site(p)}-transactions')}?show=all",
                _portal_link(p, w, k),
            ),
            None,
        ),
        Probe(
            "page",
            "list",
            "portal:customer-home",
            lambda w, p, k: _shows(w, p, reverse(f"portal:{_site(p)}-home"), _portal_link(p, w, k)),
            None,
        ),
        Probe(
            "page",
            "search",
            "portal:customer-transactions",
            lambda w, p, k: _shows(
                w,
                p,
                f"{reverse(f'portal:{_site(p)}-transactions')}?show=all&q={_q(w, k)}",
                _portal_link(p, w, k),
            ),
            None,
        ),
        Probe(
            "page",
            "view",
            "portal:customer-transaction",
            lambda w, p, k: _shows(w, p, _portal("transaction", p, w, k), _t(w, k).title),
        ),
        # The amount in any spelling: the portal never shows a value or cost.
        Probe(
            "page",
            "see_money",
            "portal:customer-transaction",
            lambda w, p, k: _shows_any(w, p, _portal("transaction", p, w, k), *MONEY_SHOWN),
            None,
        ),
        Probe(
            "page",
            "read_internal_note",
            "portal:customer-transaction",
            lambda w, p, k: _shows(w, p, _portal("transaction", p, w, k), internal_marker(k)),
            None,
        ),
        Probe(
            "page",
            "read_internal_note",
            "service:attachment",
            lambda w, p, k: _downloads(w, p, _file(w, k, w.internal_file[k]), INTERNAL_BYTES),
            "hidden",
        ),
        Probe(
            "page",
            "add_shared_note",
            "portal:customer-add-note",
            lambda w, p, k: _write(
                _post(w, p, _portal("add-note", p, w, k), {"body": "S2"}),
                _note_added(_t(w, k), "S2", "shared"),
            ),
        ),
        # The portal's note form has no visibility: asking for an internal note must
        # still give none (the note, if allowed at all, is shared).
        Probe(
            "page",
            "add_internal_note",
            "portal:customer-add-note",
            lambda w, p, k: _write(
                _post(w, p, _portal("add-note", p, w, k), {"body": "I2", "visibility": "internal"}),
                _note_added(_t(w, k), "I2", "internal"),
            ),
            None,
        ),
        Probe(
            "page",
            "attach_files",
            "portal:customer-upload",
            lambda w, p, k: _write(
                _post(w, p, _portal("upload", p, w, k), {"file": _upload()}),
                _file_added(_t(w, k)),
            ),
        ),
        Probe(
            "page",
            "download_attachment",
            "service:attachment",
            lambda w, p, k: _downloads(w, p, _file(w, k, w.shared_file[k]), SHARED_BYTES),
            "hidden",
        ),
        *(probe for probe in _console_probes() + _export_probes() if probe.action in console_only),
        *_move_probes("page"),
    ]


def _api_probes() -> list[Probe]:
    return [
        Probe(
            "api",
            "list",
            "api:transactions",
            lambda w, p, k: _api_numbers(
                w, p, "/api/v1/transactions/?status=all&page_size=200", _t(w, k).number
            ),
            None,
        ),
        Probe(
            "api",
            "search",
            "api:transactions",
            lambda w, p, k: _api_numbers(
                w, p, f"/api/v1/transactions/?status=all&q={_q(w, k)}", _t(w, k).number
            ),
            None,
        ),
        Probe(
            "api",
            "view",
            "api:transaction",
            lambda w, p, k: _api_view(w, p, k),
        ),
        Probe(
            "api",
            "read_internal_note",
            "api:notes",
            lambda w, p, k: _api_has_id(w, p, _api("notes", w, k), w.internal_note[k].pk),
            None,
        ),
        Probe(
            "api",
            "read_internal_note",
            "api:attachments",
            lambda w, p, k: _api_has_id(w, p, _api("attachments", w, k), w.internal_file[k].pk),
            None,
        ),
        Probe(
            "api",
            "read_internal_note",
            "api:attachment-content",
            lambda w, p, k: _downloads(
                w,
                p,
                _api("attachment-content", w, k, w.internal_file[k].pk),
                INTERNAL_BYTES,
                "api",
            ),
            "hidden",
        ),
        Probe(
            "api",
            "add_shared_note",
            "api:notes",
            lambda w, p, k: _write(
                _json(w, p, "post", _api("notes", w, k), {"body": "S3", "visibility": "shared"}),
                _note_added(_t(w, k), "S3", "shared"),
            ),
        ),
        Probe(
            "api",
            "add_internal_note",
            "api:notes",
            lambda w, p, k: _write(
                _json(w, p, "post", _api("notes", w, k), {"body": "I3", "visibility": "internal"}),
                _note_added(_t(w, k), "I3", "internal"),
            ),
        ),
        Probe(
            "api",
            "attach_files",
            "api:attachments",
            lambda w, p, k: _write(
                lambda: w.api[p].post(_api("attachments", w, k), {"file": _upload()}),
                _file_added(_t(w, k)),
            ),
        ),
        Probe(
            "api",
            "edit_profile",
            "api:transaction",
            lambda w, p, k: _write(
                _json(
                    w,
                    p,
                    "patch",
                    _api("transaction", w, k),
                    {"profile": {"product": "hydrolink-gateway"}},
                ),
                _profile_changed(_t(w, k)),
            ),
        ),
        Probe(
            "api",
            "see_money",
            "api:transaction",
            lambda w, p, k: _api_money(w, p, k),
            None,  # a customer reads the transaction, without its money
        ),
        Probe(
            "api",
            "set_money",
            "api:transaction",
            lambda w, p, k: _write(
                _json(w, p, "patch", _api("transaction", w, k), {"value": "123.45", "cost": 6.78}),
                _money_set(_t(w, k)),
            ),
        ),
        Probe(
            "api",
            "edit_text",
            "api:transaction",
            lambda w, p, k: _write(
                _json(
                    w,
                    p,
                    "patch",
                    _api("transaction", w, k),
                    {"title": _retitled(_t(w, k))["title"]},
                ),
                _text_changed(_t(w, k)),
            ),
        ),
        Probe(
            "api",
            "change_status",
            "api:status",
            lambda w, p, k: _write(
                _json(w, p, "post", _api("status", w, k), {"status": _next_status(_t(w, k)).code}),
                _status_changed(_t(w, k)),
            ),
        ),
        Probe(
            "api",
            "assign",
            "api:assign",
            lambda w, p, k: _write(
                _json(w, p, "post", _api("assign", w, k), {"assignees": [_morag().pk]}),
                _assigned(_t(w, k)),
            ),
        ),
        Probe(
            "api",
            "grant",
            "api:grants",
            lambda w, p, k: _write(
                _json(
                    w,
                    p,
                    "post",
                    _api("grants", w, k),
                    {"permission": "read", "individual": person("Priya").pk},
                ),
                _granted(_t(w, k)),
            ),
        ),
        Probe(
            "api",
            "grant",
            "api:grant",
            lambda w, p, k: _write(
                _json(w, p, "delete", _api("grant", w, k, w.linked_grant[k].pk)),
                _revoked(w.linked_grant[k]),
            ),
        ),
        Probe(
            "api",
            "download_attachment",
            "api:attachment-content",
            lambda w, p, k: _downloads(
                w, p, _api("attachment-content", w, k, w.shared_file[k].pk), SHARED_BYTES, "api"
            ),
            "hidden",
        ),
        Probe(
            "api",
            "download_attachment",
            "api:attachment",
            lambda w, p, k: _api_has_id(
                w, p, _api("attachment", w, k, w.shared_file[k].pk), w.shared_file[k].pk
            ),
            "hidden",
        ),
        Probe(
            "api",
            "delete_attachment",
            "api:attachment",
            lambda w, p, k: _write(
                _json(w, p, "delete", _api("attachment", w, k, w.shared_file[k].pk)),
                _deleted(w.shared_file[k]),
            ),
        ),
        Probe(
            "api",
            "relate",
            "api:relations",
            lambda w, p, k: _write(
                _json(
                    w,
                    p,
                    "post",
                    _api("relations", w, k),
                    {"other": w.spare.number, "kind": "related"},
                ),
                _related(_t(w, k), w.spare),
            ),
        ),
        *_move_probes("api"),
    ]


def _api_view(w: World, persona: str, key: str) -> Answer:
    response, _text = _get(w, persona, "api", _api("transaction", w, key))
    shown = response.status_code == 200 and response.json()["number"] == _t(w, key).number
    return _answer(response, shown)


def _shows_any(w: World, persona: str, url: str, *needles: str) -> Answer:
    response, text = _get(w, persona, "web", url)
    return _answer(response, response.status_code == 200 and any(n in text for n in needles))


def _api_money(w: World, persona: str, key: str) -> Answer:
    """The transaction's value and cost in the API's answer: the keys are there at all."""
    response, _text = _get(w, persona, "api", _api("transaction", w, key))
    shown = response.status_code == 200 and {"value", "cost"} <= response.json().keys()
    return _answer(response, shown)


def _api_has_id(w: World, persona: str, url: str, wanted: int) -> Answer:
    response, _text = _get(w, persona, "api", url)
    found = False
    if response.status_code == 200:
        rows = response.json()
        if isinstance(rows, dict) and "results" in rows:
            rows = rows["results"]
        rows = rows if isinstance(rows, list) else [rows]
        found = any(row.get("id") == wanted for row in rows)
    return _answer(response, found)


def _requester(w: World, key: str) -> Individual:
    found = _t(w, key).requester
    assert found is not None
    return found


def _organization(w: World, key: str) -> Organization:
    found = _t(w, key).organization
    assert found is not None
    return found


def _search_probes() -> list[Probe]:
    """The 360° views the console's find box leads to, and the search boxes themselves:
    none of the boxes answers with a transaction (nor with the article drafted from one),
    so they must never show a transaction's number."""

    def requester_page(w: World, key: str) -> str:
        t = _t(w, key)
        return reverse("console:individual", args=[t.requester_id])

    def never(url: Callable[[World, str], str]) -> Callable[[World, str, str], Answer]:
        def run(w: World, p: str, k: str) -> Answer:
            response, text = _get(w, p, "web", url(w, k))
            draft = reverse("knowledge:article", args=[w.draft.slug])
            leaked = _t(w, k).number in text or draft in text
            return _answer(response, response.status_code == 200 and leaked)

        return run

    return [
        Probe(
            "search",
            "list",
            "console:individual",
            lambda w, p, k: _shows(w, p, requester_page(w, k), _console_link(w, k)),
            None,
        ),
        Probe(
            "search",
            "list",
            "console:organization",
            lambda w, p, k: _shows(
                w,
                p,
                reverse("console:organization", args=[_t(w, k).organization_id]),
                _console_link(w, k),
            ),
            None,
        ),
        Probe(
            "search",
            "read_internal_note",
            "console:individual",
            lambda w, p, k: _shows(w, p, requester_page(w, k), internal_marker(k)),
            None,
        ),
        Probe(
            "search",
            "read_internal_note",
            "console:organization",
            lambda w, p, k: _shows(
                w,
                p,
                reverse("console:organization", args=[_t(w, k).organization_id]),
                internal_marker(k),
            ),
            None,
        ),
        Probe(
            "search",
            "search",
            "console:find",
            never(lambda w, k: f"/console/find/?q={_requester(w, k).last_name}"),
            None,
        ),
        Probe(
            "search",
            "search",
            "console:organization-lookup",
            never(lambda w, k: f"/console/organizations/lookup/?q={_organization(w, k).name[:5]}"),
            None,
        ),
        Probe(
            "search",
            "search",
            "knowledge:search",
            never(lambda w, k: f"/help/search/?q={_t(w, k).title}"),
            None,
        ),
        Probe(
            "search",
            "search",
            "knowledge:suggest",
            never(lambda w, k: f"/help/suggest/?title={_t(w, k).title}"),
            None,
        ),
    ]


def _notification_probes() -> list[Probe]:
    return [
        Probe(
            "notifications",
            "list",
            "console:notifications",
            lambda w, p, k: _shows(
                w, p, "/console/notifications/", f"Security notice about {_t(w, k).number}"
            ),
            None,
        )
    ]


FEED = "/api/v1/events/?page_size=200"


def _feed(w: World, persona: str) -> tuple[Any, list[dict[str, Any]]]:
    """The whole feed as the persona's token reads it, followed to where it has caught
    up (read once per test): the first answer, and every item."""
    if persona not in w.feed:
        first = response = w.api[persona].get(FEED)
        items: list[dict[str, Any]] = []
        while response.status_code == 200:
            page = response.json()
            items += page["results"]
            if not page["more"]:
                break
            response = w.api[persona].get(page["next"])
        w.feed[persona] = (first, items)
    return w.feed[persona]


def _feed_shows(w: World, persona: str, wanted: Callable[[dict[str, Any]], bool]) -> Answer:
    response, items = _feed(w, persona)
    return _answer(response, response.status_code == 200 and any(map(wanted, items)))


def _of(w: World, key: str, item: dict[str, Any]) -> bool:
    return bool(item["data"].get("transaction", {}).get("number") == _t(w, key).number)


def _feed_probes() -> list[Probe]:
    """A transaction's events in the feed; an internal note's text, or the name of the
    file attached to it, only to those who may read it."""
    return [
        Probe(
            "feed",
            "list",
            "api:events",
            lambda w, p, k: _feed_shows(w, p, lambda item: _of(w, k, item)),
            None,
        ),
        Probe(
            "feed",
            "read_internal_note",
            "api:events",
            lambda w, p, k: _feed_shows(
                w,
                p,
                lambda item: (
                    _of(w, k, item)
                    and (
                        internal_marker(k) in str(item["data"].get("body", ""))
                        or item["data"].get("name") == "i.txt"
                    )
                ),
            ),
            None,
        ),
    ]


def _webhook_deliveries(w: World, persona: str) -> tuple[Any, list[dict[str, Any]]]:
    """Subscribe through the API as the persona (to every event, at a local address that
    is never contacted), then dispatch the world's transactions' events to that
    subscription alone: the bodies it would be sent. Once per persona."""
    key = (persona, "webhooks", "")
    if key not in w.cache:
        response = w.api[persona].post(
            reverse("api:webhooks"),
            {"url": "http://127.0.0.1:9/hook", "events": ["*"]},
            content_type="application/json",
        )
        bodies: list[dict[str, Any]] = []
        if response.status_code == 201:
            mine = Subscription.objects.filter(pk=response.json()["id"])
            ids = [str(t.pk) for t in [*w.transactions.values(), w.spare]]
            about = ContentType.objects.get_for_model(Txn)
            events = Event.objects.filter(subject_type=about, subject_id__in=ids)
            for event in events.order_by("id"):
                for made in webhooks.deliveries_for(event, subscriptions=mine):
                    bodies.append(json.loads(made.body))
        w.cache[key] = (response, json.dumps(bodies))
    response, text = w.cache[key]
    return response, json.loads(text)


def _webhook_probes() -> list[Probe]:
    def about(bodies: list[dict[str, Any]], number: str) -> list[dict[str, Any]]:
        return [b for b in bodies if b["data"].get("transaction", {}).get("number") == number]

    def sent_events(w: World, p: str, k: str) -> Answer:
        response, bodies = _webhook_deliveries(w, p)
        return _answer(response, bool(about(bodies, _t(w, k).number)))

    def sent_internal_note(w: World, p: str, k: str) -> Answer:
        response, bodies = _webhook_deliveries(w, p)
        text = json.dumps(about(bodies, _t(w, k).number))
        return _answer(response, internal_marker(k) in text)

    return [
        Probe("webhooks", "view", "api:webhooks", sent_events, None),
        Probe("webhooks", "read_internal_note", "api:webhooks", sent_internal_note, None),
    ]


# --- e-mail ------------------------------------------------------------------------------

MAIL_IN = "mail-in"  # not a URL: the e-mail channel's probes are named for it


def _mailed(w: World, persona: str, key: str, *, with_file: bool) -> Answer:
    """A reply to the transaction's reply address from the persona's own address, as
    mail-in is handed it; undone like any write. Nothing goes out to the sender but a
    refusal, and that only when nothing came in: not the transaction's description or
    its notes, not an acknowledgement."""
    t = _t(w, key)
    name = PERSONAS[persona].first_name
    sender = person(name).email if name is not None else "stranger@elsewhere.example"
    body = f"E-mail probe from {persona} on {key}"
    reply = addresses.reply_address(t.number, None)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = reply
    message["Subject"] = f"Re: [{t.number}] {t.title}"
    message["Message-ID"] = f"<{persona}.{key}.{int(with_file)}@probe.example>"
    message.set_content(body)
    if with_file:
        message.add_attachment(b"probe\n", maintype="text", subtype="plain", filename="probe.txt")
    done: bool | None = None
    out: list[Delivery] = []
    try:
        with db.atomic():
            newest = Delivery.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            inbound.receive(
                message.as_bytes(), via="smtp", envelope_from=sender, envelope_to=[reply]
            )
            if with_file:
                done = Attachment.objects.filter(transaction=t, name="probe.txt").exists()
            else:
                done = Note.objects.filter(transaction=t, body=body).exists()
            out = list(Delivery.objects.filter(pk__gt=newest, address__iexact=sender))
            raise _Undo
    except _Undo:
        pass
    assert done is not None
    refusals = {MailKind.REFUSED, MailKind.UNKNOWN_SENDER}
    problem = ""
    if done and out:
        problem = f"mail-in answered an added reply: {[d.kind for d in out]}"
    elif any(d.kind not in refusals for d in out):
        problem = f"a refused sender was sent {[d.kind for d in out]}"
    elif t.description and any(t.description[:60] in d.body for d in out):
        problem = "a refusal quoted the transaction's description"
    return Answer(done=done, status=250, problem=problem)


def _email_probes() -> list[Probe]:
    return [
        Probe(
            "email",
            "add_shared_note",
            MAIL_IN,
            lambda w, p, k: _mailed(w, p, k, with_file=False),
            None,
        ),
        Probe(
            "email",
            "attach_files",
            MAIL_IN,
            lambda w, p, k: _mailed(w, p, k, with_file=True),
            None,
        ),
    ]


def probes(channel: str, staff: bool) -> list[Probe]:
    if channel == "page":
        return _console_probes() + _export_probes() if staff else _portal_probes()
    return {
        "api": _api_probes,
        "search": _search_probes,
        "notifications": _notification_probes,
        "feed": _feed_probes,
        "webhooks": _webhook_probes,
        "email": _email_probes,
    }[channel]()


# --- the matrix --------------------------------------------------------------------------


def _refusal_problem(probe: Probe, persona: str, key: str, answer: Answer) -> str:
    """What a refusal must look like (`Probe.refusal`)."""
    p = PERSONAS[persona]
    if probe.refusal is None:
        return ""
    if p.first_name is None or p.left:
        if probe.channel == "api":
            return "" if answer.status in (401, 403) else f"answered {answer.status}, not 401/403"
        if answer.status == 302 and answer.location.startswith("/accounts/login/"):
            return ""
        return f"answered {answer.status} {answer.location}, not a redirect to log in"
    if probe.url_name.startswith("console:") and not p.staff:
        wanted = 403  # the console is closed to them, whatever the transaction
    elif probe.refusal == "hidden" or "view" not in MAY[relation(persona, key)]:
        wanted = 404  # the same answer as for a transaction that does not exist
    else:
        wanted = 403
    return "" if answer.status == wanted else f"answered {answer.status}, not {wanted}"


def _cases(channel: str) -> Iterator[tuple[str, str, Probe]]:
    for persona, p in PERSONAS.items():
        for probe in probes(channel, p.staff):
            for key in TRANSACTIONS:
                if probe.only is None or key in probe.only:
                    yield persona, key, probe


def run_channel(w: World, channel: str) -> tuple[int, list[str]]:
    mismatches = []
    cases = 0
    for persona, key, probe in _cases(channel):
        cases += 1
        answer = probe.run(w, persona, key)
        wanted = expected(persona, key, probe.action, channel)
        where = f"{persona} ({relation(persona, key)}) {probe.action} on {key} via {probe.url_name}"
        if answer.problem:
            mismatches.append(f"{where}: {answer.problem}")
        elif answer.done != wanted:
            verdict = "allowed" if wanted else "refused"
            mismatches.append(f"{where}: should be {verdict} (answered {answer.status})")
        elif not wanted and (problem := _refusal_problem(probe, persona, key, answer)):
            mismatches.append(f"{where}: {problem}")
    return cases, mismatches


def unread_count_problems(w: World) -> list[str]:
    """The menu's badge and the notifications page tell the same story: a notice about
    a transaction the person may not see is neither listed nor counted."""
    wrong = []
    for persona, p in PERSONAS.items():
        if not p.staff or p.left:
            continue
        page = w.web[persona].get("/console/notifications/").content.decode()
        badge = re.search(r'class="badge">(\d+)<', page)
        counted = int(badge.group(1)) if badge else 0
        listed = page.count('<li class="unread">')
        if counted != listed:
            wrong.append(f"{persona}: the badge says {counted}, the list shows {listed} unread")
    return wrong


NUMBER = re.compile(r"\b[A-Z]{2}-\d{6}\b")


def _lists_and_searches(persona: str) -> Iterator[tuple[str, str]]:
    """Every list and search of transactions a portal offers, as (side, url)."""
    site = PERSONAS[persona].site
    listing = reverse(f"portal:{site}-transactions")
    yield "web", reverse(f"portal:{site}-home")
    for section in ("all", "mine", "organisation", "resolved", "opportunities", "shared"):
        yield "web", f"{listing}?show={section}"
    yield "api", "/api/v1/transactions/?status=all&page_size=200"
    yield "api", "/api/v1/tasks/"
    for number in Txn.objects.values_list("number", flat=True):
        yield "web", f"{listing}?show=all&q={number.lower()}"
        yield "api", f"/api/v1/transactions/?status=all&q={number.lower()}"


def leaks(w: World) -> tuple[int, list[str]]:
    """No other organisation's transaction number in any list or search answer a
    person outside the staff gets, for every demo transaction."""
    owner = dict(Txn.objects.values_list("number", "organization_id"))
    found = []
    answers = 0
    for persona, p in PERSONAS.items():
        if p.staff or p.first_name is None or p.left:
            continue
        own = person(p.first_name).organization_id
        for side, url in _lists_and_searches(persona):
            answers += 1
            _response, text = _get(w, persona, side, url)
            for number in sorted(set(NUMBER.findall(text))):
                if owner.get(number, own) != own:
                    found.append(f"{persona}: {number} in {url}")
    return answers, found


@pytest.mark.slow
def test_every_channel_answers_as_the_table_says(world: World) -> None:
    """The whole matrix in one test: the demo world is built once, each change is undone
    in its own savepoint."""
    problems = []
    for channel in CHANNELS:
        cases, mismatches = run_channel(world, channel)
        print(f"\n{channel}: {cases} cases, {len(mismatches)} mismatches", *mismatches, sep="\n  ")
        problems += mismatches
    wrong_counts = unread_count_problems(world)
    print("\nunread counts:", *wrong_counts or ["the badge agrees with the list"], sep="\n  ")
    answers, found = leaks(world)
    print(
        f"\n{answers} list and search answers to customers read, {len(found)} leaks",
        *found,
        sep="\n  ",
    )
    assert answers > 100
    assert problems + wrong_counts + found == []


# --- the survey link ---------------------------------------------------------------------

# The satisfaction survey's page (issue 23) opens with no log-in: the signed token in its
# address is the only authority, made for one person and one transaction. Whatever is
# wrong with a token, every one below must get the same refusal (status and page) on GET
# and on POST, and leave no answer and no event behind. Harbour's request is Ewan's,
# Kelvin's is Helen's.
SURVEY_REFUSALS = [
    "another person's link",
    "expired",
    "tampered",
    "forged signature",
    "another purpose",
    "no longer visible",
]


def _survey_token(case: str, harbour: Txn, kelvin: Txn) -> str:
    from portico.access import links
    from portico.mail import outbound
    from portico.surveys import services as surveys

    ewan, helen = person("Ewan"), person("Helen")
    own = links.make(ewan, surveys.PURPOSE, scope=harbour.number)
    match case:
        case "own link":
            return own
        case "another person's link":
            # Helen's own link, pointed at Ewan's request: a token for one person cannot
            # answer about another's transaction.
            return links.make(helen, surveys.PURPOSE, scope=harbour.number)
        case "expired":
            return links.make(
                ewan, surveys.PURPOSE, scope=harbour.number, age=-datetime.timedelta(seconds=1)
            )
        case "tampered":
            # Ewan's link with Kelvin's number written into it, the signature kept.
            payload, rest = own.split(":", 1)
            data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            data[1] = kelvin.number
            text = json.dumps(data, separators=(",", ":")).encode()
            return base64.urlsafe_b64encode(text).decode().rstrip("=") + ":" + rest
        case "forged signature":
            return own[:-4] + ("AAAA" if not own.endswith("AAAA") else "BBBB")
        case "another purpose":
            return links.make(ewan, outbound.UNSUBSCRIBE)
        case "no longer visible":
            # The link went out, then the staff took away every grant that let Ewan and
            # Harbour see the request: his link must not answer about it any more.
            for row in Grant.objects.filter(transaction=harbour, permission__decides_access=True):
                if row.individual_id == ewan.pk or row.organization_id == ewan.organization_id:
                    actions.revoke(actor=user("Fiona"), grant_row=row)
            assert not access.visible_transactions(user("Ewan")).filter(pk=harbour.pk).exists()
            return own
    raise AssertionError(case)


def _main(response: Any) -> str:
    # The page inside <main>: the menu around it differs with who is logged in.
    html = str(response.content.decode())
    return html[html.index("<main") : html.index("</main>")]


def test_survey_links_answer_for_their_person_and_transaction_only(demo_data: None) -> None:
    from portico.surveys.models import Answer as SurveyAnswer

    harbour = demo_transaction(TRANSACTIONS["harbour"])
    kelvin = demo_transaction(TRANSACTIONS["kelvin"])
    refusals: dict[str, set[tuple[int, str]]] = {}
    problems = []
    for case in SURVEY_REFUSALS:
        for who in (None, "Ewan", "Helen"):  # a visitor, the link's person, another
            sid = db.savepoint()
            token = _survey_token(case, harbour, kelvin)
            client = web(who)
            answers, events = SurveyAnswer.objects.count(), Event.objects.count()
            for response in (
                client.get(f"/survey/{token}/?rating=1"),
                client.post(f"/survey/{token}/", {"rating": "1", "comment": "Forged."}),
            ):
                refusals.setdefault(str(who), set()).add((response.status_code, _main(response)))
            if SurveyAnswer.objects.count() != answers or Event.objects.count() != events:
                problems.append(f"{case} as {who}: something was recorded")
            db.savepoint_rollback(sid)
    for who, seen in refusals.items():
        if len(seen) != 1:
            problems.append(f"as {who}: {len(seen)} different refusals")
        elif next(iter(seen))[0] != 403:
            problems.append(f"as {who}: answered {next(iter(seen))[0]}, not 403")
    assert problems == []
    # The control: the link's own token, even clicked by someone else it was forwarded
    # to, answers for its person and that transaction, and nobody else.
    token = _survey_token("own link", harbour, kelvin)
    done = web("Helen").post(f"/survey/{token}/", {"rating": "1", "comment": "Mine."})
    assert done.status_code == 200
    [recorded] = SurveyAnswer.objects.all()
    assert (recorded.person, recorded.transaction_id) == (person("Ewan"), harbour.pk)
    assert Event.objects.filter(action="satisfaction.answered").count() == 1


# --- every URL has a row ------------------------------------------------------------------

# Named URLs that do not act on a transaction, or act on it in a way this matrix does not
# ask, with where they are proven instead.
NOT_IN_MATRIX: dict[str, str] = {
    "home": "public landing page",
    "no-zones": "public",
    "healthz": "public",
    "readyz": "public",
    "metrics": "by address or token, never a person: tests/operations/test_metrics.py",
    "api:schema": "public API description",
    "api:docs": "public API description",
    "api:not-found": "answers 404 to everything: test_idor",
    "api:organizations": "parties, not transactions: test_idor and tests/api",
    "api:organization": "test_idor",
    "api:individuals": "test_idor and tests/api",
    "api:individual": "test_idor",
    "api:applications": "the group's set-up: tests/api",
    "api:application": "test_idor",
    "api:classifications": "tests/api",
    "api:classification": "test_idor",
    "api:priorities": "the same for everyone",
    "api:permissions": "the same for everyone",
    "api:tasks": "read for leaks above; whose task list: tests/api/test_access_matrix_api",
    # Staff only, like the console's History panel; which events each may read (an internal
    # note's only for those who may read it): tests/audit/test_note_events.py and
    # tests/api/test_transactions.py; other transactions' numbers: test_idor.
    "api:history": "tests/audit/test_note_events.py, tests/api/test_transactions.py",
    "api:tokens": "one's own tokens: test_idor",
    # Managing subscriptions (Systems Admin only, owner-only changes): tests/webhooks.
    "api:webhook": "tests/webhooks/test_api.py",
    "api:webhook-rotate-secret": "tests/webhooks/test_api.py",
    "api:webhook-ping": "tests/webhooks/test_api.py",
    "api:webhook-deliveries": "tests/webhooks/test_api.py",
    "api:webhook-redeliver": "tests/webhooks/test_api.py",
    "api:token": "test_idor",
    # The knowledge base shows publications, never a transaction: each reader's share in
    # tests/api/test_knowledge.py, hidden pieces' ids in test_idor.
    "api:knowledge-articles": "tests/api/test_knowledge.py",
    "api:knowledge-article": "test_idor",
    "api:knowledge-search": "tests/api/test_knowledge.py",
    "api:knowledge-faqs": "tests/api/test_knowledge.py",
    "api:knowledge-faq": "test_idor",
    "api:knowledge-news": "tests/api/test_knowledge.py",
    "api:knowledge-news-item": "test_idor",
    "api:knowledge-downloads": "tests/api/test_knowledge.py",
    "api:knowledge-download": "test_idor",
    "api:knowledge-download-content": "test_idor",
    "console:home": "panels of the list, from the same selector: tests/console",
    "console:create": "creating: tests/console; fields: field-level writes (item 2)",
    "console:save-view": "one's own saved views: test_idor",
    "console:delete-view": "test_idor",
    "console:me": "one's own profile: tests/console",
    "console:me-create-token": "test_idor",
    "console:me-revoke-token": "test_idor",
    "knowledge:draft-from-transaction": "test_idor (a hidden transaction is a 404)",
    # A signed link for one person, no log-in, refused alike otherwise; it names no
    # transaction: tests/mail/test_unsubscribe.py.
    "mail:unsubscribe": "tests/mail/test_unsubscribe.py",
    "mail:news": "tests/automations/test_campaigns.py",
    # The survey link: one person and one transaction, no log-in; another person's,
    # an expired, tampered or other-purpose link, or one for a transaction its person
    # can no longer see, gets the one refusal and records nothing: the survey section
    # above (test_survey_links_answer_for_their_person_and_transaction_only).
    "surveys:answer": "test_survey_links_answer_for_their_person_and_transaction_only",
    # Feedback forms name no transaction: who is offered which form, and who reads the
    # results, in tests/surveys/test_forms*.py and tests/api/test_forms.py (a form not
    # the person's is the one 404 on the page and in the API).
    "console:forms": "tests/surveys/test_forms_pages.py",
    "console:form-results": "tests/surveys/test_forms_pages.py",
    "console:form-results-csv": "tests/surveys/test_forms_pages.py",
    "api:forms": "tests/api/test_forms.py",
    "api:form-responses": "tests/api/test_forms.py",
}
for _site_key in ("customer", "partner", "employee"):
    NOT_IN_MATRIX |= {
        f"portal:{_site_key}-create": "creating: tests/portal; fields: item 2",
        f"portal:{_site_key}-profile": "one's own profile: tests/portal",
        f"portal:{_site_key}-mail-settings": "own mail settings: tests/mail; fields: item 2",
        f"portal:{_site_key}-create-token": "test_idor",
        f"portal:{_site_key}-revoke-token": "test_idor",
        # The satisfaction banner's answer: only the person asked about that transaction
        # (no relation gives it), 404 to anyone else: tests/surveys/test_portal.py.
        f"portal:{_site_key}-satisfaction": "tests/surveys/test_portal.py",
        f"portal:{_site_key}-forms": "tests/surveys/test_forms_pages.py",
        f"portal:{_site_key}-form": "tests/surveys/test_forms_pages.py",
    }
# Whole families: the log-in and MFA pages (tests/login), the admin behind one has_permission
# (tests/test_urls), the knowledge pages, which show publications, never a transaction
# (tests/knowledge and test_idor), and the reports, which show figures added up from the
# roll-ups of the reader's teams, never a transaction (the zone: tests/test_urls; the
# teams: tests/reports/test_views.py and test_queries.py).
NOT_IN_MATRIX_PREFIXES = ("account_", "mfa_", "admin:", "knowledge:", "reports:")
# The three portals share one set of views; the matrix names the customer's and runs
# each persona on their own portal.
SAME_AS_CUSTOMER = re.compile(r"^portal:(partner|employee)-")


def test_every_named_url_has_a_row() -> None:
    probed = {
        probe.url_name
        for channel in CHANNELS
        for staff in (True, False)
        for probe in probes(channel, staff)
        if probe.url_name != MAIL_IN
    }
    names = set(_names(get_resolver()))
    covered = probed | set(NOT_IN_MATRIX)
    missing = sorted(
        name
        for name in names
        if name not in covered
        and not name.startswith(NOT_IN_MATRIX_PREFIXES)
        and SAME_AS_CUSTOMER.sub("portal:customer-", name) not in covered
    )
    assert missing == [], f"URLs with no row in the channel matrix: {missing}"
    stale = sorted(covered - names)
    assert stale == [], f"rows for URLs that no longer exist: {stale}"


def test_the_table_covers_every_persona_and_transaction() -> None:
    # The brief's ten personas (and two who left), the four transactions, no stray keys.
    assert set(RELATIONS) == set(PERSONAS)
    assert all(set(row) <= set(TRANSACTIONS) for row in RELATIONS.values())
    assert {r for row in RELATIONS.values() for r in row.values()} <= set(MAY)
    assert all(MAY[r] <= set(ACTIONS) for r in MAY)
