"""Field-level writes (issue 8, item 2): every form a page posts and every serializer the
API parses, tried by every persona — the fields each one shows, and every column of the
rows it writes that it does not show (requester, organisation, team, status, visibility,
grants, numbers, timestamps, ids, owners, other people's profiles, token owners).

The cases come from one table: surface (a page's POST or an API method) × field ×
persona → may this persona write this field? Each shown field is sent alone on top of a
request that works; the hidden ones are sent together (a form or serializer ignores what
it does not declare, and each is judged on its own column). Before each request the
database is as the world fixture left it; after it, every Portico table the request
wrote to is read back and compared row by row with the snapshot, and the request is
rolled back. A persona refused the surface must change nothing at all; one allowed may
change only the columns the surface is for, and a field lands exactly when the table
says it may. Mismatches are collected and shown together.

The table is checked against the code as well: a field a form or serializer declares, or
a column its model has, with no row here fails the test, so a new field brings its case.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db import transaction as db
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from portico.api import form_serializers as api_forms
from portico.api import knowledge_serializers as api_knowledge
from portico.api import serializers as api
from portico.api import services as api_services
from portico.api.models import ApiToken
from portico.api.web import TokenForm, expiry_moment
from portico.console import transaction_forms as console_forms
from portico.console.forms import SaveViewForm
from portico.console.models import SavedView
from portico.console.views.phone import CreateForm
from portico.demo import forms as demo_forms
from portico.knowledge import services as knowledge
from portico.knowledge.forms import ArticleForm, FeedbackForm
from portico.knowledge.models import Article, Category, Deflection, Feedback
from portico.knowledge.models import Status as ArticleStatus
from portico.mail.forms import MailSettingsForm
from portico.mail.models import Kind, Template
from portico.notify.models import Notification
from portico.parties.forms import ContactDetailsForm
from portico.parties.models import Individual, Organization, User, UserGroup
from portico.portal import forms as portal_forms
from portico.service import actions
from portico.service.models import (
    Application,
    Attachment,
    Choice,
    Classification,
    Grant,
    Note,
    Permission,
    Priority,
    Relation,
    Status,
    Transaction,
)
from portico.surveys.models import Answer, ResponseValue
from portico.surveys.models import Form as SurveyForm
from portico.surveys.models import Response as FormResponse
from tests.conftest import PASSWORD

# --- personas and what each may do on the target transaction -----------------------------
# Written from docs/access.md's table, not read from the database: the target is Ewan's
# service issue (SI, team Service Desk, Tom assigned for action). Ewan holds the
# requester's Update worknotes (internal-note capabilities dropped: not staff), Harbour
# Foods holds Read only, Service Desk Full access, Ravi an individual Read only grant the
# fixture adds; other staff have their group's default, Full access.
FULL = frozenset(
    {
        "view",
        "edit_profile",
        "edit_text",
        "add_shared_note",
        "add_internal_note",
        "read_internal_notes",
        "attach_files",
        "download_files",
        "manage_grants",
    }
)
ASSIGNED = frozenset(
    {
        "view",
        "edit_profile",
        "add_shared_note",
        "add_internal_note",
        "read_internal_notes",
        "attach_files",
        "download_files",
    }
)
REQUESTER = frozenset({"view", "add_shared_note", "attach_files", "download_files"})
READ = frozenset({"view", "download_files"})
NONE: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Who:
    key: str
    first_name: str
    last_name: str
    caps: frozenset[str]
    site: str  # the portal's URL prefix; "" for the staff, whose home is the console

    @property
    def staff(self) -> bool:
        return not self.site

    def can(self, capability: str) -> bool:
        return capability in self.caps


WHO = [
    Who("customer", "Ewan", "Grant", REQUESTER, "/portal/"),
    Who("colleague", "Kirsty", "Muir", READ, "/portal/"),
    Who("other_customer", "Helen", "Baird", NONE, "/portal/"),
    Who("partner", "Niamh", "O'Neill", NONE, "/partners/"),
    Who("employee", "Lucy", "Chen", NONE, "/employees/"),
    Who("team_agent", "Fiona", "MacLeod", FULL, ""),
    Who("assignee", "Tom", "Reid", ASSIGNED, ""),
    Who("other_team_agent", "Callum", "Ross", FULL, ""),
    Who("restricted_staff", "Ravi", "Patel", READ, ""),
    Who("administrator", "Graham", "Stewart", FULL, ""),
]

# Someone in each persona's own organisation (visible to them, not them).
SAME_ORGANISATION = {
    "customer": "Kirsty",
    "colleague": "Ewan",
    "other_customer": "Jamie",
    "partner": "David",
    "employee": "Owen",
    "team_agent": "Ravi",
    "assignee": "Aisha",
    "other_team_agent": "Fiona",
    "restricted_staff": "Fiona",
    "administrator": "Lucy",
}


# --- the world ---------------------------------------------------------------------------


@dataclass
class World:
    t: Transaction  # the target: Ewan's dosing pump, in progress
    other: Transaction  # Kirsty's clock drift (Harbour Foods), to relate to
    foreign: Transaction  # Helen's sensor pack (Kelvin Medical), resolved
    reopenable: Transaction  # Ewan's, resolved a day ago, with the target's grants
    people: dict[str, Individual]  # by first name
    victim: Individual  # Priya Nair, Kelvin Medical: no persona
    victim_org: Organization  # Clyde Logistics: no persona works there
    victim_staff: Individual  # Morag, the supervisor: no persona
    teams: dict[str, Organization]
    applications: dict[str, Application]
    statuses: dict[str, Status]  # of the service-issue flow
    priorities: dict[str, Priority]
    permissions: dict[str, Permission]
    classifications: dict[str, Classification]
    choices: dict[str, Choice]  # "<classification>:<choice>"
    groups: dict[str, UserGroup]
    shared_note: Note
    internal_note: Note
    foreign_note: Note
    article: Article  # published and public: anyone may give feedback on it
    draft: Article  # a draft the editors may change
    other_article: Article
    category: Category
    notices: dict[str, Notification]  # one unread notification each, by first name
    survey: Answer  # Ewan's satisfaction question about `reopenable`, sent, unanswered
    follow_up: Answer  # Ewan's "not satisfied" about the target, not followed up yet
    before: dict[str, dict[Any, dict[str, Any]]] = field(default_factory=dict)

    def person(self, who: Who) -> Individual:
        return self.people[who.first_name]

    def same_org(self, who: Who) -> Individual:
        return self.people[SAME_ORGANISATION[who.key]]


def _world() -> World:
    people = {
        i.first_name: i
        for i in Individual.objects.select_related("user", "organization", "user_group")
    }
    si = Application.objects.get(code="service-issue")
    t = Transaction.objects.get(title="Dosing pump on line 3 stopped overnight")
    other = Transaction.objects.get(title="AquaSense controller clock drifts")
    foreign = Transaction.objects.get(title__startswith="Sensor pack readings frozen")
    permissions = {p.code: p for p in Permission.objects.all()}
    # The read-only member of staff: an individual grant narrows Ravi's Full access.
    Grant.objects.create(transaction=t, individual=people["Ravi"], permission=permissions["read"])
    reopenable = _reopenable(people, si, permissions)
    category = Category.objects.create(name="Pumps", slug="pumps")
    Template.objects.create(kind=Kind.NOTE, language="fr", subject="Note", text="{{ note }}")
    # Everyone's notifications read, then one unread each, to tell whose were marked.
    Notification.objects.update(read_at=timezone.now())
    notices = {
        first_name: Notification.objects.create(
            recipient=person, kind=Notification.Kind.ASSIGNED, transaction=t, text="For you"
        )
        for first_name, person in people.items()
    }

    def article(title: str, status: str, public: bool) -> Article:
        change = knowledge.ArticleChange(
            title=title, body=f"{title}: what to do.", status=status, public=public
        )
        return knowledge.save_article(actor=None, change=change)

    world = World(
        t=t,
        other=other,
        foreign=foreign,
        reopenable=reopenable,
        people=people,
        victim=people["Priya"],
        victim_org=Organization.objects.get(name="Clyde Logistics Ltd"),
        victim_staff=people["Morag"],
        teams={o.name: o for o in Organization.objects.filter(kind=Organization.Kind.TEAM)},
        applications={a.code: a for a in Application.objects.all()},
        statuses={s.code: s for s in Status.objects.filter(application=si)},
        priorities={p.code: p for p in Priority.objects.all()},
        permissions=permissions,
        classifications={c.code: c for c in Classification.objects.all()},
        choices={
            f"{c.classification.code}:{c.code}": c
            for c in Choice.objects.select_related("classification")
        },
        groups={g.name: g for g in UserGroup.objects.all()},
        shared_note=t.notes.filter(visibility=Note.Visibility.SHARED).earliest("id"),
        internal_note=t.notes.filter(visibility=Note.Visibility.INTERNAL).earliest("id"),
        foreign_note=foreign.notes.earliest("id"),
        article=article("Resetting alarm E42", ArticleStatus.PUBLISHED, True),
        draft=article("Replacing a flow sensor", ArticleStatus.DRAFT, False),
        other_article=article("Calibrating a sensor pack", ArticleStatus.PUBLISHED, True),
        category=category,
        notices=notices,
        survey=Answer.objects.create(
            transaction=reopenable, person=people["Ewan"], sent_at=timezone.now()
        ),
        follow_up=Answer.objects.create(
            transaction=t,
            person=people["Ewan"],
            rating=1,
            satisfied=False,
            comment="It stopped again.",
            sent_at=timezone.now(),
            answered_at=timezone.now(),
        ),
    )
    assert t.status.code == "in-progress"
    assert t.priority is not None
    assert t.priority.code == "P1"
    assert foreign.status.code == "resolved"
    return world


def _reopenable(
    people: dict[str, Individual], si: Application, permissions: dict[str, Permission]
) -> Transaction:
    """Ewan's second service issue, resolved a day ago: the one to reopen. Tom is
    assigned and Ravi narrowed to Read only, as on the target, so WHO holds for it."""
    ewan, fiona = people["Ewan"].user, people["Fiona"].user
    assert ewan is not None
    assert fiona is not None
    made = actions.create_transaction(
        actor=ewan,
        application=si,
        title="Pump alarm back after the repair",
        profile=_si_profile(),
    )
    Grant.objects.create(
        transaction=made, individual=people["Ravi"], permission=permissions["read"]
    )
    Grant.objects.create(
        transaction=made, individual=people["Tom"], permission=permissions["assigned"]
    )
    actions.change_status(
        actor=fiona,
        transaction=made,
        status=Status.objects.get(application=si, code="resolved"),
        resolution="Cleaned the flow sensor.",
    )
    return made


# --- snapshots -----------------------------------------------------------------------------

TRACKED_APPS = {
    "surveys",
    "parties",
    "service",
    "audit",
    "notify",
    "api",
    "knowledge",
    "console",
    "account",
    "auth",
}
# Columns that move by themselves: a token notes when it was last used.
IGNORED = {"api.ApiToken": frozenset({"last_used_at"})}
# Written by every successful change: the trail and who is told.
ALWAYS_ADDED = frozenset({"audit.Event", "notify.Notification", "notify.Delivery"})

type Rows = dict[str, dict[Any, dict[str, Any]]]


def _tracked() -> list[type[Model]]:
    return [
        m for m in apps.get_models(include_auto_created=True) if m._meta.app_label in TRACKED_APPS
    ]


def dump(labels: set[str] | None = None) -> Rows:
    """Every row of every Portico table (or of those named), as dicts of column values by
    primary key."""
    rows: Rows = {}
    for model in _tracked():
        if labels is not None and model._meta.label not in labels:
            continue
        columns = [f.attname for f in model._meta.concrete_fields]
        pk = model._meta.pk
        assert pk is not None
        rows[model._meta.label] = {
            row[pk.attname]: row for row in model._base_manager.values(*columns)
        }
    return rows


class Watch:
    """Which tracked tables a request wrote to, so only those are read back. SQLite: a
    temporary trigger on each table notes its name (temporary objects live in this
    connection only, and go with the test's transaction). PostgreSQL: the per-table
    counts of rows inserted, updated and deleted by this transaction so far."""

    TOUCHED = "field_writes_touched"

    def __init__(self) -> None:
        self.labels = {m._meta.db_table: m._meta.label for m in _tracked()}
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(f"CREATE TEMP TABLE {self.TOUCHED} (name TEXT)")
                for table in self.labels:
                    for operation in ("INSERT", "UPDATE", "DELETE"):
                        # Names of our own tables only, never a request's words.
                        trigger = f'"fw_{table}_{operation}" AFTER {operation} ON main."{table}"'
                        note = f"INSERT INTO {self.TOUCHED} VALUES ('{table}')"  # noqa: S608
                        cursor.execute(f"CREATE TEMP TRIGGER {trigger} BEGIN {note}; END")

    def mark(self) -> dict[str, int]:
        if connection.vendor == "sqlite":
            return {}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables"
                " WHERE relname = ANY(%s)",
                [list(self.labels)],
            )
            return {str(name): int(count) for name, count in cursor.fetchall()}

    def written(self, mark: dict[str, int]) -> set[str]:
        """The labels of the tables written since `mark`."""
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(f"SELECT DISTINCT name FROM {self.TOUCHED}")  # noqa: S608
                tables = {str(row[0]) for row in cursor.fetchall()}
            else:
                tables = {t for t, count in self.mark().items() if count != mark.get(t, 0)}
        return {self.labels[t] for t in tables}


@dataclass
class Diff:
    added: dict[str, dict[Any, dict[str, Any]]] = field(default_factory=dict)
    removed: dict[str, dict[Any, dict[str, Any]]] = field(default_factory=dict)
    # label -> pk -> (the row after, the columns that changed)
    changed: dict[str, dict[Any, tuple[dict[str, Any], frozenset[str]]]] = field(
        default_factory=dict
    )

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def describe(self) -> str:
        parts = [f"+{label}×{len(rows)}" for label, rows in self.added.items()]
        parts += [f"-{label}×{len(rows)}" for label, rows in self.removed.items()]
        parts += [
            f"{label}#{pk}.{'/'.join(sorted(cols))}"
            for label, rows in self.changed.items()
            for pk, (_row, cols) in rows.items()
        ]
        return ", ".join(parts)


def compare(before: Rows, after: Rows) -> Diff:
    diff = Diff()
    for label, now in after.items():
        was = before.get(label, {})
        ignored = IGNORED.get(label, frozenset())
        added = {pk: row for pk, row in now.items() if pk not in was}
        removed = {pk: row for pk, row in was.items() if pk not in now}
        changed = {}
        for pk, row in now.items():
            if pk in was:
                cols = frozenset(c for c, v in row.items() if was[pk][c] != v) - ignored
                if cols:
                    changed[pk] = (row, cols)
        if added:
            diff.added[label] = added
        if removed:
            diff.removed[label] = removed
        if changed:
            diff.changed[label] = changed
    return diff


# --- the table -----------------------------------------------------------------------------

type Value = Callable[[World, Who], Any]
type Lands = Callable[[World, Who, "Surface", Diff], set[Any]]
type Rule = Callable[[Who], bool]


def nobody(who: Who) -> bool:
    return False


def staff(who: Who) -> bool:
    return who.staff


def portal(who: Who) -> bool:
    return not who.staff


def anyone(who: Who) -> bool:
    return True


def needs(*capabilities: str, staff_only: bool = False) -> Rule:
    def rule(who: Who) -> bool:
        return all(who.can(c) for c in capabilities) and (who.staff or not staff_only)

    return rule


def both(first: Rule, second: Rule) -> Rule:
    return lambda who: first(who) and second(who)


@dataclass(frozen=True)
class F:
    """One field tried on a surface: what is sent, where it would land, who may write it."""

    name: str  # the key in the request
    value: Value
    lands: Lands
    stored: Value | None = None  # what the column holds when it landed; default: value
    who: Rule | None = None  # None: whoever the surface lets write
    label: str = ""  # tells apart two tries of one field
    drop: tuple[str, ...] = ()  # keys of the base request this try leaves out
    extra: Mapping[str, Any] = field(default_factory=dict)  # keys it sends with it
    injected: bool = False

    @property
    def title(self) -> str:
        return f"{self.name} ({self.label})" if self.label else self.name

    def expected(self, world: World, who: Who) -> Any:
        return (self.stored or self.value)(world, who)


@dataclass(frozen=True)
class Surface:
    key: str
    method: str  # post, patch or put
    url: Callable[[World, Who], str]
    model: type[Model]  # the rows it writes
    subject: Callable[[World, Who], int] | None  # the row it changes; None: it adds one
    declared: Callable[[World], set[str]]  # the form's or serializer's fields
    base: Callable[[World, Who], dict[str, Any]]  # a request that works for the allowed
    who: Rule  # may write through it at all
    fields: tuple[F, ...]
    may_change: Mapping[str, frozenset[str]] = field(default_factory=dict)
    may_add: frozenset[str] = frozenset()
    may_delete: frozenset[str] = frozenset()
    also: tuple[type[Model], ...] = ()  # other models whose columns are tried as well
    encoding: str = "form"  # form (multipart like a browser's), or json
    prefix: str = ""  # the form's prefix, put before injected names
    api: str = ""  # "token" or "session": an API surface, and how it is called
    # Where the table's usual attack on a hidden column is what this surface writes
    # anyway (a reply by e-mail is outbound), the attack that must not land instead.
    attacks: Mapping[str, Attack] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def zone(self) -> Rule:
        """Who gets past the pages' zone (access.zone_required) to the form at all."""
        if self.key.startswith("console") or self.key in EDITOR_PAGES:
            return staff
        if self.key.startswith("portal"):
            return portal
        return anyone


# The knowledge editor's pages live in the console.
EDITOR_PAGES = {
    "knowledge new article",
    "knowledge edit article",
    "knowledge draft from transaction",
}


def _subject_pks(world: World, who: Who, surface: Surface, diff: Diff) -> set[Any]:
    if surface.subject is not None:
        return {surface.subject(world, who)}
    return set(diff.added.get(surface.label, {}))


def col(attname: str, model: type[Model] | None = None, row: Value | None = None) -> Lands:
    """What landed in a column: of the row the surface changes, or of every row it adds;
    or, given `model` and `row`, of that row of another model."""

    def lands(world: World, who: Who, surface: Surface, diff: Diff) -> set[Any]:
        label = (model or surface.model)._meta.label
        one = row or (surface.subject if model is None else None)
        if one is None:
            return {r[attname] for r in diff.added.get(label, {}).values()}
        pk = one(world, who)
        changed = diff.changed.get(label, {}).get(pk)
        found = {changed[0][attname]} if changed and attname in changed[1] else set()
        if pk in diff.added.get(label, {}):
            found.add(diff.added[label][pk][attname])
        return found

    return lands


def added(model: type[Model] | str, *attnames: str) -> Lands:
    """The given columns of every row `model` gained, as tuples (one column: values)."""

    def lands(world: World, who: Who, surface: Surface, diff: Diff) -> set[Any]:
        label = model if isinstance(model, str) else model._meta.label
        rows = diff.added.get(label, {}).values()
        if len(attnames) == 1:
            return {r[attnames[0]] for r in rows}
        return {tuple(r[a] for a in attnames) for r in rows}

    return lands


def copied_to(world: World, who: Who, surface: Surface, diff: Diff) -> set[Any]:
    """The people a note added was to be e-mailed to besides the requester: the "cc"
    of its `note.added` event, which portico.mail sends to."""
    return {
        pk
        for row in diff.added.get("audit.Event", {}).values()
        if row["action"] == "note.added"
        for pk in (row["data"] or {}).get("cc", [])
    }


def profile(code: str, column: str) -> Lands:
    """A profile value the surface's transaction gained or changed."""

    def lands(world: World, who: Who, surface: Surface, diff: Diff) -> set[Any]:
        transactions = _subject_pks(world, who, surface, diff)
        classification = world.classifications[code].pk
        rows = list(diff.added.get("service.ProfileValue", {}).values())
        rows += [
            r for r, cols in diff.changed.get("service.ProfileValue", {}).values() if column in cols
        ]
        return {
            r[column]
            for r in rows
            if r["transaction_id"] in transactions and r["classification_id"] == classification
        }

    return lands


def marked_read(whose: Callable[[World, Who], str]) -> Lands:
    """True when the named person's notification was marked read."""

    def lands(world: World, who: Who, surface: Surface, diff: Diff) -> set[Any]:
        notice = world.notices[whose(world, who)]
        changed = diff.changed.get("notify.Notification", {}).get(notice.pk)
        return {True} if changed and "read_at" in changed[1] else set()

    return lands


def union(*each: Lands) -> Lands:
    def lands(world: World, who: Who, surface: Surface, diff: Diff) -> set[Any]:
        return set().union(*(one(world, who, surface, diff) for one in each))

    return lands


def const(value: Any) -> Value:
    return lambda world, who: value


def when(moment: str) -> Value:
    return const(datetime.datetime.fromisoformat(moment))


ATTACK_MOMENT = "2001-02-03T04:05:06+00:00"
INJECTED_DATE = when(ATTACK_MOMENT)


def pk_of(pick: Callable[[World], Model]) -> Value:
    return lambda world, who: pick(world).pk


# What an attacker sends for each column a surface does not show, and what the column
# would hold had it landed. Every concrete column of every model a surface writes needs
# a row here (test_table_covers_every_field).
@dataclass(frozen=True)
class Attack:
    value: Value
    stored: Value | None = None


_DT = Attack(const(ATTACK_MOMENT), INJECTED_DATE)
_VICTIM = Attack(pk_of(lambda w: w.victim))
_VICTIM_USER = Attack(lambda w, p: w.victim.user_id)
_FOREIGN = Attack(pk_of(lambda w: w.foreign))
_ID = Attack(const(987654))
_TEXT = Attack(const("Injected text"))

ATTACKS: dict[str, dict[str, Attack]] = {
    "service.Transaction": {
        "id": _ID,
        "application": Attack(pk_of(lambda w: w.applications["complaint"])),
        "sequence": Attack(const(424242)),
        "number": Attack(const("SI-424242")),
        "title": _TEXT,
        "description": _TEXT,
        "status": Attack(pk_of(lambda w: w.statuses["closed"])),
        "priority": Attack(pk_of(lambda w: w.priorities["P2"])),
        "organization": Attack(pk_of(lambda w: w.victim_org)),
        "requester": _VICTIM,
        "recorded_by": _VICTIM,
        "team": Attack(pk_of(lambda w: w.teams["Field Service"])),
        "channel": Attack(const("fax")),
        "created_at": _DT,
        "updated_at": _DT,
        "customer_updated_at": _DT,
        "response_due_at": _DT,
        "resolution_due_at": _DT,
        "due_at": _DT,
        "sla_paused_at": _DT,
        "sla_paused_minutes": Attack(const(4242)),
        "first_response_at": _DT,
        "resolved_at": _DT,
        "closed_at": _DT,
        "last_note_at": _DT,
        "resolution": _TEXT,
        "value": Attack(const("999999.99"), const(Decimal("999999.99"))),
        "cost": Attack(const("999999.99"), const(Decimal("999999.99"))),
    },
    "service.Note": {
        "id": _ID,
        "transaction": _FOREIGN,
        "author": _VICTIM,
        "channel": Attack(const("fax")),
        "direction": Attack(const("out")),
        "contact": _VICTIM,
        "visibility": Attack(const("internal")),
        "body": _TEXT,
        "corrects": Attack(pk_of(lambda w: w.foreign_note)),
        "created_at": _DT,
    },
    "service.Attachment": {
        "id": _ID,
        "transaction": _FOREIGN,
        "note": Attack(pk_of(lambda w: w.foreign_note)),
        "file": Attack(const("attachments/injected.html")),
        "name": Attack(const("injected.html")),
        "content_type": Attack(const("text/html")),
        "size": Attack(const(1)),
        "sha256": Attack(const("0" * 64)),
        "uploaded_by": _VICTIM,
        "created_at": _DT,
        "deleted_at": _DT,
    },
    "service.Grant": {
        "id": _ID,
        "transaction": _FOREIGN,
        "individual": _VICTIM,
        "organization": Attack(pk_of(lambda w: w.victim_org)),
        "permission": Attack(pk_of(lambda w: w.permissions["full"])),
        "granted_at": _DT,
        "granted_by": _VICTIM,
    },
    "service.Relation": {
        "id": _ID,
        "source": _FOREIGN,
        "target": _FOREIGN,
        "kind": Attack(const("parent")),
        "created_at": _DT,
        "created_by": _VICTIM,
    },
    "parties.Individual": {
        "id": _VICTIM,
        "user": _VICTIM_USER,
        "organization": Attack(pk_of(lambda w: w.victim_org)),
        "user_group": Attack(pk_of(lambda w: w.groups["Systems administrators"])),
        "supervisor": _VICTIM,
        "first_name": _TEXT,
        "last_name": _TEXT,
        "job_title": _TEXT,
        "email": Attack(const("attacker@example.com")),
        "phone": Attack(const("+44 141 496 0999")),
        "mobile": Attack(const("+44 7700 900999")),
        "active": Attack(const("false"), const(False)),
        "left_at": _DT,
        "created_at": _DT,
        "language": Attack(const("fr")),
        "mail_opted_out_at": _DT,
        "time_zone": Attack(const("Pacific/Auckland")),
        "birthday": Attack(const("2001-02-03"), const(datetime.date(2001, 2, 3))),
        "customer_since": Attack(const("2001-02-03"), const(datetime.date(2001, 2, 3))),
        "news_opted_in_at": _DT,
    },
    "parties.User": {
        "id": _VICTIM_USER,
        "password": Attack(const("injected-password")),
        "last_login": _DT,
        "is_superuser": Attack(const("true"), const(True)),
        "email": Attack(const("attacker@example.com")),
        "is_active": Attack(const("false"), const(False)),
        "date_joined": _DT,
    },
    "api.ApiToken": {
        "id": _ID,
        "owner": _VICTIM_USER,
        "name": _TEXT,
        "prefix": Attack(const("injected")),
        "key_hash": Attack(const("0" * 64)),
        "created_at": _DT,
        "expires_at": _DT,
        "last_used_at": _DT,
        "revoked_at": _DT,
    },
    "console.SavedView": {
        "id": _ID,
        "owner": Attack(pk_of(lambda w: w.victim_staff)),
        "name": _TEXT,
        "query": Attack(const("status=closed")),
        "created_at": _DT,
    },
    # A feedback form's answer (the demo's form, open to customers): its person, form,
    # time and channel are the service's to set, never the caller's.
    "surveys.Response": {
        "id": _ID,
        "form": _ID,
        "person": _VICTIM,
        "submitted_at": _DT,
        "channel": Attack(const("email")),
        "only_answer": Attack(const(False)),
    },
    "knowledge.Article": {
        "id": _ID,
        "status": Attack(const("published")),
        "public": Attack(const("on"), const(True)),
        "category": Attack(pk_of(lambda w: w.category)),
        "title": _TEXT,
        "slug": Attack(const("injected-slug")),
        "summary": _TEXT,
        "body": _TEXT,
        "body_text": _TEXT,
        "tags": Attack(const("injected")),
        "version": Attack(const(99)),
        "created_at": _DT,
        "updated_at": _DT,
        "published_at": _DT,
        "created_by": _VICTIM_USER,
        "source_transaction": Attack(pk_of(lambda w: w.t)),
    },
    "notify.Notification": {
        "id": Attack(lambda w, p: w.notices[w.victim_staff.first_name].pk),
        "recipient": Attack(pk_of(lambda w: w.victim_staff)),
        "kind": Attack(const("forwarded")),
        "transaction": _FOREIGN,
        "text": _TEXT,
        "link": Attack(const("https://attacker.example/")),
        "created_at": _DT,
        "read_at": _DT,
    },
    "knowledge.Feedback": {
        "id": _ID,
        "article": Attack(pk_of(lambda w: w.other_article)),
        "individual": _VICTIM,
        "helpful": Attack(const("false"), const(False)),
        "comment": _TEXT,
        "created_at": _DT,
    },
    "surveys.Answer": {
        "id": _ID,
        "transaction": Attack(pk_of(lambda w: w.foreign)),
        "person": _VICTIM,
        "resolver": _VICTIM_USER,
        "rating": Attack(const("2"), const(2)),
        "satisfied": Attack(const("false"), const(False)),
        "comment": _TEXT,
        "extra_answer": _TEXT,
        "asked_at": _DT,
        "sent_at": _DT,
        "answered_at": _DT,
        "changed_at": _DT,
        "followed_up_at": _DT,
        "followed_up_by": _VICTIM_USER,
    },
    "knowledge.Deflection": {
        "id": _ID,
        "article": Attack(pk_of(lambda w: w.other_article)),
        "individual": _VICTIM,
        "query": _TEXT,
        "portal": Attack(const("injected")),
        "created_at": _DT,
    },
}


def injected(surface: Surface) -> tuple[F, ...]:
    """The surface's model columns it does not declare, each tried with its attack."""
    named = {f.name for f in surface.fields}
    made: dict[str, F] = {}
    for model in (surface.model, *surface.also):
        attacks = ATTACKS.get(model._meta.label, {})
        for column in model._meta.concrete_fields:
            name = surface.prefix + column.name
            if name in named or column.name not in attacks:
                continue
            attack = attacks[column.name]
            if model is surface.model:
                attack = surface.attacks.get(column.name, attack)
            row = None if model is surface.model else _own(model)
            lands = col(column.attname, None if model is surface.model else model, row)
            if name in made:  # the same name on a second model: check both columns
                first = made[name]
                made[name] = F(name, first.value, union(first.lands, lands), first.stored)
            else:
                made[name] = F(name, attack.value, lands, attack.stored, injected=True)
    return tuple(
        F(f.name, f.value, f.lands, f.stored, who=nobody, injected=True) for f in made.values()
    )


def _own(model: type[Model]) -> Value:
    assert model is User
    return lambda world, who: world.person(who).user_id


# --- the surfaces ----------------------------------------------------------------------------


# What an answer from the portal may change: the answer itself, never who or when asked.
SURVEY_ANSWER_COLUMNS = frozenset(
    {"rating", "satisfied", "comment", "extra_answer", "answered_at", "changed_at"}
)


def _follow_up_note(world: World, who: Who, surface: Surface, diff: Diff) -> set[Any]:
    """The note a follow-up's event carries (the staff's words, kept in the history)."""
    return {
        (row["data"] or {}).get("note")
        for row in diff.added.get("audit.Event", {}).values()
        if row["action"] == "satisfaction.followed_up"
    }


def _transaction_url(name: str) -> Callable[[World, Who], str]:
    return lambda world, who: reverse(name, args=[world.t.number])


def _site(who: Who) -> str:
    return who.site or "/portal/"  # the staff try the customer portal's address


def _form_fields(form: forms.BaseForm) -> set[str]:
    return {form.add_prefix(name) for name in form.fields}


def _serializer_fields(serializer: serializers.BaseSerializer[Any]) -> set[str]:
    return {name for name, f in serializer.fields.items() if not f.read_only}  # type: ignore[attr-defined]


def _upload(name: str = "report.txt") -> Value:
    return lambda world, who: SimpleUploadedFile(name, b"The pump log for Tuesday.\n")


def _si_profile(**extra: str) -> dict[str, str]:
    return {"issue-type": "fault", "product": "clearflow-dosing-pump", **extra}


def _choice(key: str) -> Value:
    return pk_of(lambda w: w.choices[key])


def _status(code: str) -> Value:
    return pk_of(lambda w: w.statuses[code])


def _priority(code: str) -> Value:
    return pk_of(lambda w: w.priorities[code])


def _permission(code: str) -> Value:
    return pk_of(lambda w: w.permissions[code])


TRANSACTION_STAMPS = frozenset({"updated_at", "customer_updated_at"})
# A note also stamps the time of the transaction's newest note.
NOTE_STAMPS = frozenset({"last_note_at", *TRANSACTION_STAMPS})
DUE_TIMES = frozenset({"response_due_at", "resolution_due_at", "due_at"})
PROFILE_COLUMNS = frozenset({"choice_id", "text", "number", "date"})
# The portal's form leaves out the staff-only classifications; a post may still name them.
STAFF_ONLY_PROFILE_FIELDS = {"profile_root-cause"}
# Withdrawing and reopening move the status and add the reason as a note. Neither is a
# response from us, so neither sets first_response_at.
MOVE_COLUMNS = frozenset(
    {
        "status_id",
        "resolved_at",
        "closed_at",
        "sla_paused_at",
        "sla_paused_minutes",
        *DUE_TIMES,
    }
)
NEW_TRANSACTION = frozenset(
    {"service.Transaction", "service.ProfileValue", "service.Grant", *ALWAYS_ADDED}
)
STATUS_COLUMNS = frozenset(
    {
        "status_id",
        "resolved_at",
        "closed_at",
        "resolution",
        "first_response_at",
        "sla_paused_at",
        "sla_paused_minutes",
        *DUE_TIMES,
        *TRANSACTION_STAMPS,
    }
)


def _console_create_declared(world: World) -> set[str]:
    dummy = Transaction(application=world.applications["service-issue"])
    profile = console_forms.ProfileForm(transaction=dummy, current={}, prefix="profile")
    return _form_fields(CreateForm(applications=[])) | _form_fields(profile)


def _contact_details(world: World, who: Who) -> dict[str, str]:
    person = world.person(who)
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "job_title": person.job_title,
        "phone": person.phone,
        "mobile": person.mobile,
    }


CONTACT_FIELDS = (
    F("first_name", const("Renamed"), col("first_name")),
    F("last_name", const("Renamed"), col("last_name")),
    F("job_title", const("Plant manager"), col("job_title")),
    F("phone", const("+44 141 496 0199"), col("phone")),
    F("mobile", const("+44 7700 900123"), col("mobile")),
)


def opted_out(world: World, who: Who, surface: Surface, diff: Diff) -> set[Any]:
    """True when the person's own opt-out was set (its time is the server's)."""
    changed = diff.changed.get("parties.Individual", {}).get(world.person(who).pk)
    return {True} if changed and "mail_opted_out_at" in changed[1] else set()


def news_opted_in(world: World, who: Who, surface: Surface, diff: Diff) -> set[Any]:
    """True when the person is opted in to news after the post (its time is the
    server's): set by it, or already so (the demo may have opted them in)."""
    person = world.person(who)
    row, columns = diff.changed.get("parties.Individual", {}).get(person.pk, ({}, frozenset()))
    if "news_opted_in_at" in columns:
        return {True} if row.get("news_opted_in_at") is not None else set()
    return {True} if person.news_opted_in_at is not None else set()


MAIL_FIELDS = (
    F("only_own", const("on"), opted_out, stored=const(True)),
    F("news", const("on"), news_opted_in, stored=const(True)),
    # A language there are messages in (the world has French ones).
    F("language", const("fr"), col("language")),
)


def _own_individual(world: World, who: Who) -> int:
    return world.person(who).pk


def _token_base(world: World, who: Who) -> dict[str, Any]:
    return {"token-name": "Nightly export", "token-expires_at": _days_ahead(30).isoformat()}


def _days_ahead(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


TOKEN_FORM_FIELDS = (
    F("token-name", const("Dashboard feed"), col("name")),
    F(
        "token-expires_at",
        lambda w, p: _days_ahead(60).isoformat(),
        col("expires_at"),
        stored=lambda w, p: expiry_moment(_days_ahead(60)),
    ),
)


def _article_form_base(article: Callable[[World], Article | None]) -> Callable[..., Any]:
    def base(world: World, who: Who) -> dict[str, Any]:
        found = article(world)
        if found is None:
            return {
                "title": "Priming a dosing pump",
                "body": "Open the bleed valve.",
                "status": "draft",
            }
        return {"title": found.title, "body": found.body, "status": found.status}

    return base


ARTICLE_FORM_FIELDS = (
    F("title", const("Bleeding air from a pump"), col("title")),
    F("summary", const("Air in the line stops the pump."), col("summary")),
    F("body", const("Open the bleed valve slowly."), col("body")),
    F("category", pk_of(lambda w: w.category), col("category_id")),
    F("tags", const("pumps, alarms"), col("tags")),
    F(
        "products",
        lambda w, p: [w.choices["product:clearflow-dosing-pump"].pk],
        added("knowledge.Article_products", "choice_id"),
        stored=_choice("product:clearflow-dosing-pump"),
    ),
    F("status", const("published"), col("status")),
    F("public", const("on"), col("public"), stored=const(True)),
    F(
        "audience",
        lambda w, p: [w.groups["Customers"].pk],
        added("knowledge.Article_audience", "usergroup_id"),
        stored=pk_of(lambda w: w.groups["Customers"]),
    ),
    F("change_note", const("Clearer steps"), added("knowledge.ArticleVersion", "change_note")),
)
ARTICLE_WRITES = frozenset(
    {
        "knowledge.ArticleVersion",
        "knowledge.Article_products",
        "knowledge.Article_audience",
        *ALWAYS_ADDED,
    }
)


# The API's article fields: the editor's form's, with lookups by slug, code and name.
API_ARTICLE_FIELDS = (
    F("title", const("Bleeding air from a pump"), col("title")),
    F("summary", const("Air in the line stops the pump."), col("summary")),
    F("body", const("Open the bleed valve slowly."), col("body")),
    F(
        "category",
        lambda w, p: w.category.slug,
        col("category_id"),
        stored=pk_of(lambda w: w.category),
    ),
    F("tags", const("pumps, alarms"), col("tags")),
    F(
        "products",
        const(["clearflow-dosing-pump"]),
        added("knowledge.Article_products", "choice_id"),
        stored=_choice("product:clearflow-dosing-pump"),
    ),
    F("status", const("published"), col("status")),
    F("public", const(True), col("public")),
    F(
        "audience",
        const(["Customers"]),
        added("knowledge.Article_audience", "usergroup_id"),
        stored=pk_of(lambda w: w.groups["Customers"]),
    ),
    F("change_note", const("Clearer steps"), added("knowledge.ArticleVersion", "change_note")),
)
ARTICLE_CHANGES = frozenset(
    {
        "title",
        "summary",
        "body",
        "body_text",
        "category_id",
        "tags",
        "public",
        "status",
        "published_at",
        "updated_at",
        "version",
    }
)


def _api_create_base(world: World, who: Who) -> dict[str, Any]:
    if who.key == "partner":
        return {"application": "sales-opportunity", "title": "Retrofit, 12 sites"}
    return {"application": "service-issue", "title": "Pump stopped", "profile": _si_profile()}


def _portal_create_base(world: World, who: Who) -> dict[str, Any]:
    if who.key == "partner":
        return {"application": "sales-opportunity", "title": "Retrofit, 12 sites"}
    return {
        "application": "service-issue",
        "title": "Pump stopped",
        "profile_issue-type": "fault",
        "profile_product": "clearflow-dosing-pump",
    }


# The personas in the Customers group, to whom the demo's feedback form is addressed.
CUSTOMER_GROUP = {"customer", "colleague", "other_customer"}


def _demo_form() -> SurveyForm:
    return SurveyForm.objects.get(title=demo_forms.TITLE)


def _form_answers(comment: str = "") -> dict[str, Any]:
    """Answers to the demo form's questions (rating, features, how often, installed,
    what to change), by question id, as the API takes them."""
    q = [str(pk) for pk in _demo_form().questions.values_list("pk", flat=True)]
    answers: dict[str, Any] = {q[0]: 4, q[1]: ["Reports"], q[2]: "Every day"}
    if comment:
        answers[q[4]] = comment
    return answers


not_partner: Rule = lambda who: portal(who) and who.key != "partner"  # noqa: E731
# Sales opportunities (the partner's kind) have no priority and no issue type.
makes_service_issues: Rule = lambda who: who.key != "partner"  # noqa: E731


def _note_base(world: World, who: Who) -> dict[str, Any]:
    return {"channel": "phone", "direction": "in", "visibility": "shared", "body": "Called."}


SURFACES: list[Surface] = [
    # --- the console (staff) ---
    Surface(
        "console create",
        "post",
        lambda w, p: reverse("console:create"),
        Transaction,
        None,
        _console_create_declared,
        lambda w, p: {
            "application": w.applications["service-issue"].pk,
            "application_code": "service-issue",
            "channel": "phone",
            "title": "Called about the pump",
            "profile-issue-type": "fault",
            "profile-product": "clearflow-dosing-pump",
        },
        staff,
        (
            F(
                "application",
                pk_of(lambda w: w.applications["enquiry"]),
                col("application_id"),
                extra={"application_code": "enquiry"},
                drop=("profile-issue-type", "profile-product"),
            ),
            F("requester", pk_of(lambda w: w.victim), col("requester_id")),
            F("channel", const("email"), col("channel")),
            F("title", const("Pump alarm again"), col("title")),
            F("description", const("It beeps."), col("description")),
            F("profile-priority", _priority("P2"), col("priority_id")),
            F(
                "profile-issue-type",
                const("installation"),
                profile("issue-type", "choice_id"),
                stored=_choice("issue-type:installation"),
            ),
            F(
                "profile-product",
                const("hydrolink-gateway"),
                profile("product", "choice_id"),
                stored=_choice("product:hydrolink-gateway"),
            ),
            F(
                "profile-area",
                const("west"),
                profile("area", "choice_id"),
                stored=_choice("area:west"),
            ),
            F(
                "profile-root-cause",
                const("user-error"),
                profile("root-cause", "choice_id"),
                stored=_choice("root-cause:user-error"),
            ),
            F("profile-units", const("7"), profile("units", "number"), stored=const(Decimal(7))),
        ),
        may_change={"service.Application": frozenset({"next_number"})},
        may_add=NEW_TRANSACTION,
    ),
    Surface(
        "console profile",
        "post",
        _transaction_url("console:profile"),
        Transaction,
        lambda w, p: w.t.pk,
        lambda w: _form_fields(console_forms.ProfileForm(transaction=w.t, current={})),
        lambda w, p: {
            "priority": w.priorities["P1"].pk,
            "issue-type": "fault",
            "product": "clearflow-dosing-pump",
            "area": "north-east",
        },
        needs("edit_profile", staff_only=True),
        (
            F("priority", _priority("P2"), col("priority_id")),
            F(
                "issue-type",
                const("installation"),
                profile("issue-type", "choice_id"),
                stored=_choice("issue-type:installation"),
            ),
            F(
                "product",
                const("hydrolink-gateway"),
                profile("product", "choice_id"),
                stored=_choice("product:hydrolink-gateway"),
            ),
            F("area", const("west"), profile("area", "choice_id"), stored=_choice("area:west")),
            F(
                "root-cause",
                const("user-error"),
                profile("root-cause", "choice_id"),
                stored=_choice("root-cause:user-error"),
            ),
            F("units", const("12"), profile("units", "number"), stored=const(Decimal(12))),
        ),
        may_change={
            "service.Transaction": frozenset({"priority_id", *DUE_TIMES, *TRANSACTION_STAMPS}),
            "service.ProfileValue": PROFILE_COLUMNS,
        },
        may_add=frozenset({"service.ProfileValue", *ALWAYS_ADDED}),
        may_delete=frozenset({"service.ProfileValue"}),
    ),
    # A transaction's value and cost (issue 24): staff who may change its profile.
    Surface(
        "console money",
        "post",
        _transaction_url("console:money"),
        Transaction,
        lambda w, p: w.t.pk,
        lambda w: _form_fields(console_forms.MoneyForm(transaction=w.t)),
        lambda w, p: {"value": "10.00", "cost": "2.50"},
        needs("edit_profile", staff_only=True),
        (
            F("value", const("1250.50"), col("value"), stored=const(Decimal("1250.50"))),
            F("cost", const("80"), col("cost"), stored=const(Decimal("80.00"))),
        ),
        may_change={"service.Transaction": frozenset({"value", "cost", *TRANSACTION_STAMPS})},
        may_add=ALWAYS_ADDED,
    ),
    Surface(
        "console status",
        "post",
        _transaction_url("console:status"),
        Transaction,
        lambda w, p: w.t.pk,
        lambda w: _form_fields(console_forms.StatusForm(transaction=w.t, moves=[])),
        lambda w, p: {"status": w.statuses["resolved"].pk, "resolution": "Replaced the sensor."},
        needs("edit_profile", staff_only=True),
        (
            F("status", _status("waiting"), col("status_id")),
            F("resolution", const("Swapped the pump."), col("resolution")),
        ),
        may_change={"service.Transaction": STATUS_COLUMNS},
        may_add=ALWAYS_ADDED,
    ),
    Surface(
        "console text",
        "post",
        _transaction_url("console:edit-text"),
        Transaction,
        lambda w, p: w.t.pk,
        lambda w: _form_fields(console_forms.TextForm(transaction=w.t)),
        lambda w, p: {"title": w.t.title, "description": w.t.description},
        needs("edit_text", staff_only=True),
        (
            F("title", const("Dosing pump on line 3 stopped twice"), col("title")),
            F("description", const("It stopped at 02:10 and 04:00."), col("description")),
        ),
        may_change={
            "service.Transaction": frozenset({"title", "description", *TRANSACTION_STAMPS})
        },
        may_add=ALWAYS_ADDED,
    ),
    Surface(
        "console note",
        "post",
        _transaction_url("console:add-note"),
        Note,
        None,
        lambda w: _form_fields(console_forms.NoteForm(transaction=w.t)),
        _note_base,
        needs("add_shared_note", staff_only=True),
        (
            F("channel", const("email"), col("channel")),
            F("direction", const("out"), col("direction")),
            F(
                "visibility",
                const("internal"),
                col("visibility"),
                who=needs("add_internal_note", staff_only=True),
            ),
            F("contact", pk_of(lambda w: w.people["Kirsty"]), col("contact_id")),
            F("body", const("Called back."), col("body")),
        ),
        may_change={"service.Transaction": frozenset({"first_response_at", *NOTE_STAMPS})},
        may_add=frozenset({"service.Note", *ALWAYS_ADDED}),
    ),
    Surface(
        "console email reply",
        "post",
        _transaction_url("console:email-reply"),
        Note,
        None,
        lambda w: _form_fields(console_forms.EmailReplyForm(transaction=w.t)),
        lambda w, p: {"body": "Replied by e-mail."},
        needs("add_shared_note", staff_only=True),
        (
            F("body", const("The new sensor ships today."), col("body")),
            F(
                "cc",
                lambda w, p: [w.people["Kirsty"].pk],
                copied_to,
                stored=pk_of(lambda w: w.people["Kirsty"]),
            ),
            F(
                "attachments",
                _upload("pump-photo.txt"),
                added(Attachment, "name"),
                stored=const("pump-photo.txt"),
                who=needs("add_shared_note", "attach_files", staff_only=True),
            ),
        ),
        may_change={"service.Transaction": frozenset({"first_response_at", *NOTE_STAMPS})},
        may_add=frozenset({"service.Note", "service.Attachment", *ALWAYS_ADDED}),
        attacks={"direction": Attack(const("in"))},
    ),
    Surface(
        "console upload",
        "post",
        _transaction_url("console:upload"),
        Attachment,
        None,
        lambda w: _form_fields(console_forms.UploadForm()),
        lambda w, p: {"file": _upload()(w, p)},
        needs("attach_files", staff_only=True),
        (F("file", _upload("pump-photo.txt"), col("name"), stored=const("pump-photo.txt")),),
        may_change={"service.Transaction": TRANSACTION_STAMPS},
        may_add=frozenset({"service.Attachment", *ALWAYS_ADDED}),
    ),
    Surface(
        "console relate",
        "post",
        _transaction_url("console:relate"),
        Relation,
        None,
        lambda w: _form_fields(console_forms.RelateForm()),
        lambda w, p: {"other": w.other.number, "kind": "related"},
        needs("edit_profile", staff_only=True),
        (
            F(
                "other",
                lambda w, p: w.foreign.number,
                col("target_id"),
                stored=pk_of(lambda w: w.foreign),
            ),
            F("kind", const("duplicate"), col("kind")),
        ),
        may_add=frozenset({"service.Relation", *ALWAYS_ADDED}),
    ),
    Surface(
        "console grant",
        "post",
        _transaction_url("console:add-grant"),
        Grant,
        None,
        lambda w: _form_fields(console_forms.GrantForm()),
        lambda w, p: {"individual": w.victim.email, "permission": w.permissions["read"].pk},
        needs("manage_grants", staff_only=True),
        (
            F(
                "individual",
                lambda w, p: w.people["Sandeep"].email,
                col("individual_id"),
                stored=pk_of(lambda w: w.people["Sandeep"]),
            ),
            F(
                "organization",
                lambda w, p: w.victim_org.account_number,
                col("organization_id"),
                stored=pk_of(lambda w: w.victim_org),
                drop=("individual",),
            ),
            F("permission", _permission("full"), col("permission_id")),
        ),
        may_add=frozenset({"service.Grant", *ALWAYS_ADDED}),
    ),
    Surface(
        "console assign",
        "post",
        _transaction_url("console:assign"),
        Grant,
        None,
        lambda w: _form_fields(console_forms.AssignForm()),
        lambda w, p: {"assignees": [w.people["Ravi"].pk]},
        needs("manage_grants", staff_only=True),
        (
            F(
                "assignees",
                lambda w, p: [w.victim_staff.pk],
                col("individual_id"),
                stored=pk_of(lambda w: w.victim_staff),
            ),
            F(
                "assignees",
                lambda w, p: [w.victim.pk],
                col("individual_id"),
                stored=pk_of(lambda w: w.victim),
                who=nobody,
                label="a customer",
            ),
        ),
        may_add=frozenset({"service.Grant", *ALWAYS_ADDED}),
    ),
    Surface(
        "console forward",
        "post",
        _transaction_url("console:forward"),
        Transaction,
        lambda w, p: w.t.pk,
        lambda w: _form_fields(console_forms.ForwardForm()),
        lambda w, p: {"team": w.teams["Field Service"].pk, "note": "Needs a site visit."},
        needs("manage_grants", staff_only=True),
        (
            F("team", pk_of(lambda w: w.teams["Sales"]), col("team_id")),
            F("note", const("Sales should quote."), added(Note, "body")),
        ),
        may_change={"service.Transaction": frozenset({"team_id", *NOTE_STAMPS})},
        may_add=frozenset({"service.Grant", "service.Note", *ALWAYS_ADDED}),
    ),
    Surface(
        "console follow-up",
        "post",
        _transaction_url("console:follow-up"),
        Answer,
        lambda w, p: w.follow_up.pk,
        lambda w: _form_fields(console_forms.FollowUpForm()),
        lambda w, p: {"note": "Called Ewan."},
        needs("add_internal_note", staff_only=True),
        (F("note", const("Refund agreed."), _follow_up_note),),
        may_change={"surveys.Answer": frozenset({"followed_up_at", "followed_up_by_id"})},
        may_add=ALWAYS_ADDED,
    ),
    Surface(
        "console my profile",
        "post",
        lambda w, p: reverse("console:me"),
        Individual,
        _own_individual,
        lambda w: _form_fields(ContactDetailsForm()),
        _contact_details,
        staff,
        CONTACT_FIELDS,
        may_change={
            "parties.Individual": frozenset(
                {"first_name", "last_name", "job_title", "phone", "mobile"}
            )
        },
        may_add=ALWAYS_ADDED,
        also=(User,),
    ),
    Surface(
        "console new token",
        "post",
        lambda w, p: reverse("console:me-create-token"),
        ApiToken,
        None,
        lambda w: _form_fields(TokenForm()),
        _token_base,
        staff,
        TOKEN_FORM_FIELDS,
        may_add=frozenset({"api.ApiToken", *ALWAYS_ADDED}),
        prefix="token-",
    ),
    Surface(
        "console save view",
        "post",
        lambda w, p: reverse("console:save-view"),
        SavedView,
        None,
        lambda w: set(SaveViewForm.base_fields),
        lambda w, p: {"name": "Open faults", "query": "status=all"},
        staff,
        (
            F("name", const("My P1s"), col("name")),
            F("query", const("status=resolved"), col("query")),
        ),
        may_add=frozenset({"console.SavedView", *ALWAYS_ADDED}),
    ),
    Surface(
        "console notifications read",
        "post",
        lambda w, p: reverse("console:notifications"),
        Notification,
        lambda w, p: w.notices[p.first_name].pk,
        lambda w: {"notification"},  # the view reads it from the POST itself
        lambda w, p: {},  # no notification named: all one's own
        staff,
        (
            F(
                "notification",
                lambda w, p: w.notices[p.first_name].pk,
                marked_read(lambda w, p: p.first_name),
                stored=const(True),
                label="one's own",
            ),
            F(
                "notification",
                lambda w, p: w.notices[w.victim_staff.first_name].pk,
                marked_read(lambda w, p: w.victim_staff.first_name),
                stored=const(True),
                who=nobody,
                label="someone else's",
            ),
        ),
        may_change={"notify.Notification": frozenset({"read_at"})},
    ),
    # --- the knowledge base (editors write; any reader gives feedback) ---
    Surface(
        "knowledge new article",
        "post",
        lambda w, p: reverse("knowledge:new"),
        Article,
        None,
        lambda w: set(ArticleForm.base_fields),
        _article_form_base(lambda w: None),
        staff,
        ARTICLE_FORM_FIELDS,
        may_add=frozenset({"knowledge.Article", *ARTICLE_WRITES}),
    ),
    Surface(
        "knowledge edit article",
        "post",
        lambda w, p: reverse("knowledge:edit", args=[w.draft.pk]),
        Article,
        lambda w, p: w.draft.pk,
        lambda w: set(ArticleForm.base_fields),
        _article_form_base(lambda w: w.draft),
        staff,
        ARTICLE_FORM_FIELDS,
        may_change={
            "knowledge.Article": frozenset(
                {
                    "title",
                    "summary",
                    "body",
                    "body_text",
                    "category_id",
                    "tags",
                    "public",
                    "status",
                    "published_at",
                    "updated_at",
                    "version",
                }
            )
        },
        may_add=ARTICLE_WRITES,
        may_delete=frozenset({"knowledge.Article_products", "knowledge.Article_audience"}),
    ),
    Surface(
        "knowledge draft from transaction",
        "post",
        lambda w, p: reverse("knowledge:draft-from-transaction", args=[w.foreign.number]),
        Article,
        None,
        lambda w: set(),
        lambda w, p: {},
        staff,
        (),
        may_add=frozenset({"knowledge.Article", *ARTICLE_WRITES}),
    ),
    Surface(
        "knowledge feedback",
        "post",
        lambda w, p: reverse("knowledge:feedback", args=[w.article.slug]),
        Feedback,
        None,
        lambda w: set(FeedbackForm.base_fields),
        lambda w, p: {"helpful": "yes"},
        anyone,
        (
            F("helpful", const("no"), col("helpful"), stored=const(False)),
            F("comment", const("Clear, thank you."), col("comment")),
        ),
        may_add=frozenset({"knowledge.Feedback", *ALWAYS_ADDED}),
    ),
    Surface(
        "knowledge solved",
        "post",
        lambda w, p: reverse("knowledge:solved", args=[w.article.slug]),
        Deflection,
        None,
        lambda w: {"q"},  # the view reads it from the POST itself
        lambda w, p: {"q": "pump alarm"},
        anyone,
        (F("q", const("e42 alarm"), col("query")),),
        may_add=frozenset({"knowledge.Deflection", *ALWAYS_ADDED}),
    ),
    # --- the portals (customers, partners, employees; each on their own site) ---
    Surface(
        "portal create",
        "post",
        lambda w, p: f"{_site(p)}new/",
        Transaction,
        None,
        lambda w: (
            _form_fields(portal_forms.RequestForm(application=w.applications["service-issue"]))
            | {"application"}
            | STAFF_ONLY_PROFILE_FIELDS
        ),
        _portal_create_base,
        portal,
        (
            F(
                "application",
                const("enquiry"),
                col("application_id"),
                stored=pk_of(lambda w: w.applications["enquiry"]),
                drop=("profile_issue-type", "profile_product"),
                who=not_partner,
            ),
            F("title", const("Pump alarm again"), col("title")),
            F("description", const("It beeps."), col("description")),
            F("priority", _priority("P2"), col("priority_id"), who=not_partner),
            F(
                "profile_issue-type",
                const("installation"),
                profile("issue-type", "choice_id"),
                stored=_choice("issue-type:installation"),
                who=not_partner,
            ),
            F(
                "profile_product",
                const("hydrolink-gateway"),
                profile("product", "choice_id"),
                stored=_choice("product:hydrolink-gateway"),
            ),
            F(
                "profile_area",
                const("west"),
                profile("area", "choice_id"),
                stored=_choice("area:west"),
                who=not_partner,
            ),
            # Not on the form (a staff-only classification, issue 19), and never taken.
            F(
                "profile_root-cause",
                const("user-error"),
                profile("root-cause", "choice_id"),
                stored=_choice("root-cause:user-error"),
                who=nobody,
            ),
            F(
                "profile_units",
                const("7"),
                profile("units", "number"),
                stored=const(Decimal(7)),
                who=not_partner,
            ),
        ),
        may_change={"service.Application": frozenset({"next_number"})},
        may_add=NEW_TRANSACTION,
    ),
    Surface(
        "portal withdraw",
        "post",
        lambda w, p: f"{_site(p)}t/{w.t.number}/withdraw/",
        Transaction,
        lambda w, p: w.t.pk,
        lambda w: _form_fields(portal_forms.ReasonForm()),
        lambda w, p: {"reason": "No longer needed."},
        both(portal, needs("add_shared_note")),
        (F("reason", const("Sorted it ourselves."), added(Note, "body")),),
        may_change={"service.Transaction": MOVE_COLUMNS | NOTE_STAMPS},
        may_add=frozenset({"service.Note", *ALWAYS_ADDED}),
    ),
    Surface(
        "portal reopen",
        "post",
        lambda w, p: f"{_site(p)}t/{w.reopenable.number}/reopen/",
        Transaction,
        lambda w, p: w.reopenable.pk,
        lambda w: _form_fields(portal_forms.ReasonForm()),
        lambda w, p: {"reason": "No longer needed."},
        both(portal, needs("add_shared_note")),
        (F("reason", const("Sorted it ourselves."), added(Note, "body")),),
        may_change={"service.Transaction": MOVE_COLUMNS | NOTE_STAMPS},
        may_add=frozenset({"service.Note", *ALWAYS_ADDED}),
    ),
    # The satisfaction banner: only the person asked answers (404 to anyone else); the
    # answer's own columns and, with "reopen", the move. The keys the view reads.
    Surface(
        "portal satisfaction",
        "post",
        lambda w, p: f"{_site(p)}t/{w.reopenable.number}/satisfaction/",
        Answer,
        lambda w, p: w.survey.pk,
        lambda w: {"rating", "comment", "extra", "reopen"},
        lambda w, p: {"rating": "2"},
        both(portal, lambda who: who.key == "customer"),
        (
            F("rating", const("1"), col("rating"), stored=const(1)),
            F("comment", const("It took a week."), col("comment")),
            F("extra", const("Call before coming."), col("extra_answer")),
            F(
                "reopen",
                const("1"),
                col("status_id", Transaction, lambda w, p: w.reopenable.pk),
                stored=pk_of(lambda w: w.statuses["in-progress"]),
            ),
        ),
        may_change={
            "surveys.Answer": SURVEY_ANSWER_COLUMNS,
            "service.Transaction": MOVE_COLUMNS | NOTE_STAMPS,
        },
        may_add=frozenset({"service.Note", *ALWAYS_ADDED}),
    ),
    Surface(
        "portal note",
        "post",
        lambda w, p: f"{_site(p)}t/{w.t.number}/notes/",
        Note,
        None,
        lambda w: _form_fields(portal_forms.NoteForm()),
        lambda w, p: {"body": "Any news?"},
        both(portal, needs("add_shared_note")),
        (F("body", const("The alarm is back."), col("body")),),
        may_change={"service.Transaction": NOTE_STAMPS},
        may_add=frozenset({"service.Note", *ALWAYS_ADDED}),
    ),
    Surface(
        "portal upload",
        "post",
        lambda w, p: f"{_site(p)}t/{w.t.number}/files/",
        Attachment,
        None,
        lambda w: _form_fields(portal_forms.UploadForm()),
        lambda w, p: {"file": _upload()(w, p)},
        both(portal, needs("attach_files")),
        (F("file", _upload("pump-photo.txt"), col("name"), stored=const("pump-photo.txt")),),
        may_change={"service.Transaction": TRANSACTION_STAMPS},
        may_add=frozenset({"service.Attachment", *ALWAYS_ADDED}),
    ),
    Surface(
        "portal profile",
        "post",
        lambda w, p: f"{_site(p)}profile/",
        Individual,
        _own_individual,
        lambda w: _form_fields(ContactDetailsForm()),
        _contact_details,
        portal,
        CONTACT_FIELDS,
        may_change={
            "parties.Individual": frozenset(
                {"first_name", "last_name", "job_title", "phone", "mobile"}
            )
        },
        may_add=ALWAYS_ADDED,
        also=(User,),
    ),
    Surface(
        "portal mail settings",
        "post",
        lambda w, p: f"{_site(p)}profile/mail/",
        Individual,
        _own_individual,
        lambda w: _form_fields(MailSettingsForm()),
        lambda w, p: {},
        portal,
        MAIL_FIELDS,
        may_change={
            "parties.Individual": frozenset({"language", "mail_opted_out_at", "news_opted_in_at"})
        },
        may_add=ALWAYS_ADDED,
        also=(User,),
    ),
    Surface(
        "portal new token",
        "post",
        lambda w, p: f"{_site(p)}profile/tokens/",
        ApiToken,
        None,
        lambda w: _form_fields(TokenForm()),
        _token_base,
        portal,
        TOKEN_FORM_FIELDS,
        may_add=frozenset({"api.ApiToken", *ALWAYS_ADDED}),
        prefix="token-",
    ),
    # --- the API ---
    Surface(
        "api create transaction",
        "post",
        lambda w, p: reverse("api:transactions"),
        Transaction,
        None,
        lambda w: _serializer_fields(api.TransactionCreateSerializer()),
        _api_create_base,
        anyone,
        (
            F(
                "application",
                const("enquiry"),
                col("application_id"),
                stored=pk_of(lambda w: w.applications["enquiry"]),
                drop=("profile",),
                who=makes_service_issues,
            ),
            F("title", const("Pump alarm again"), col("title")),
            F("description", const("It beeps."), col("description")),
            F(
                "priority",
                const("P2"),
                col("priority_id"),
                stored=_priority("P2"),
                who=makes_service_issues,
            ),
            F(
                "profile",
                const(_si_profile(units="7")),
                profile("units", "number"),
                stored=const(Decimal(7)),
                who=makes_service_issues,
            ),
            F(
                "profile",
                const(_si_profile(**{"root-cause": "user-error"})),
                profile("root-cause", "choice_id"),
                stored=_choice("root-cause:user-error"),
                who=staff,
                label="a staff-only classification",
            ),
            F(
                "requester",
                lambda w, p: (w.victim if p.staff else w.same_org(p)).pk,
                col("requester_id"),
                who=staff,
            ),
            F("organization", pk_of(lambda w: w.victim_org), col("organization_id"), who=staff),
        ),
        may_change={"service.Application": frozenset({"next_number"})},
        may_add=NEW_TRANSACTION,
        encoding="json",
        api="token",
    ),
    *(
        Surface(
            f"api {method} transaction",
            method,
            _transaction_url("api:transaction"),
            Transaction,
            lambda w, p: w.t.pk,
            lambda w: _serializer_fields(api.TransactionUpdateSerializer()),
            lambda w, p: {},
            # PUT is not offered: the whole row is never replaced from a request.
            (lambda who: who.can("edit_text") or who.can("edit_profile"))
            if method == "patch"
            else nobody,
            (
                F("title", const("Retitled"), col("title"), who=needs("edit_text")),
                F("description", const("New text"), col("description"), who=needs("edit_text")),
                F(
                    "priority",
                    const("P2"),
                    col("priority_id"),
                    stored=_priority("P2"),
                    who=needs("edit_profile"),
                ),
                F(
                    "profile",
                    const({"root-cause": "user-error"}),
                    profile("root-cause", "choice_id"),
                    stored=_choice("root-cause:user-error"),
                    who=needs("edit_profile"),
                ),
                # The staff's own figures (issue 24): never from outside the staff.
                F(
                    "value",
                    const("1250.50"),
                    col("value"),
                    stored=const(Decimal("1250.50")),
                    who=needs("edit_profile", staff_only=True),
                ),
                F(
                    "cost",
                    const(80),
                    col("cost"),
                    stored=const(Decimal("80.00")),
                    who=needs("edit_profile", staff_only=True),
                ),
            ),
            may_change={
                "service.Transaction": frozenset(
                    {
                        "title",
                        "description",
                        "priority_id",
                        "value",
                        "cost",
                        *DUE_TIMES,
                        *TRANSACTION_STAMPS,
                    }
                ),
                "service.ProfileValue": PROFILE_COLUMNS,
            },
            may_add=frozenset({"service.ProfileValue", *ALWAYS_ADDED}),
            may_delete=frozenset({"service.ProfileValue"}),
            encoding="json",
            api="token",
        )
        for method in ("patch", "put")
    ),
    Surface(
        "api status",
        "post",
        _transaction_url("api:status"),
        Transaction,
        lambda w, p: w.t.pk,
        lambda w: _serializer_fields(api.StatusChangeSerializer()),
        lambda w, p: {"status": "resolved", "resolution": "Replaced the sensor."},
        needs("edit_profile"),
        (
            F("status", const("waiting"), col("status_id"), stored=_status("waiting")),
            F("resolution", const("Swapped the pump."), col("resolution")),
        ),
        may_change={"service.Transaction": STATUS_COLUMNS},
        may_add=ALWAYS_ADDED,
        encoding="json",
        api="token",
    ),
    Surface(
        "api assign",
        "post",
        _transaction_url("api:assign"),
        Grant,
        None,
        lambda w: _serializer_fields(api.AssignSerializer()),
        lambda w, p: {"assignees": [w.people["Ravi"].pk]},
        needs("manage_grants"),
        (
            F(
                "assignees",
                lambda w, p: [w.victim_staff.pk],
                col("individual_id"),
                stored=pk_of(lambda w: w.victim_staff),
            ),
            F(
                "assignees",
                lambda w, p: [w.victim.pk],
                col("individual_id"),
                stored=pk_of(lambda w: w.victim),
                who=nobody,
                label="a customer",
            ),
        ),
        may_add=frozenset({"service.Grant", *ALWAYS_ADDED}),
        encoding="json",
        api="token",
    ),
    Surface(
        "api withdraw",
        "post",
        lambda w, p: reverse("api:withdraw", args=[w.t.number]),
        Transaction,
        lambda w, p: w.t.pk,
        lambda w: _serializer_fields(api.ReasonSerializer()),
        lambda w, p: {"reason": "No longer needed."},
        needs("add_shared_note"),
        (F("reason", const("Sorted it ourselves."), added(Note, "body")),),
        may_change={"service.Transaction": MOVE_COLUMNS | NOTE_STAMPS},
        may_add=frozenset({"service.Note", *ALWAYS_ADDED}),
        encoding="json",
        api="token",
    ),
    Surface(
        "api reopen",
        "post",
        lambda w, p: reverse("api:reopen", args=[w.reopenable.number]),
        Transaction,
        lambda w, p: w.reopenable.pk,
        lambda w: _serializer_fields(api.ReasonSerializer()),
        lambda w, p: {"reason": "No longer needed."},
        needs("add_shared_note"),
        (F("reason", const("Sorted it ourselves."), added(Note, "body")),),
        may_change={"service.Transaction": MOVE_COLUMNS | NOTE_STAMPS},
        may_add=frozenset({"service.Note", *ALWAYS_ADDED}),
        encoding="json",
        api="token",
    ),
    Surface(
        "api note",
        "post",
        _transaction_url("api:notes"),
        Note,
        None,
        lambda w: _serializer_fields(api.NoteCreateSerializer()),
        lambda w, p: {"body": "Update", "visibility": "shared"},
        needs("add_shared_note"),
        (
            F("body", const("The alarm is back."), col("body")),
            F(
                "visibility",
                const("internal"),
                col("visibility"),
                who=needs("add_internal_note", staff_only=True),
            ),
            # Others' notes are always web and inbound, with nobody else named.
            F("channel", const("email"), col("channel"), who=staff),
            F("direction", const("out"), col("direction"), who=staff),
            F("contact", pk_of(lambda w: w.people["Kirsty"]), col("contact_id"), who=staff),
            F(
                "contact",
                pk_of(lambda w: w.victim),
                col("contact_id"),
                who=nobody,
                label="another organisation's person",
            ),
            F("corrects", pk_of(lambda w: w.shared_note), col("corrects_id")),
            F(
                "corrects",
                pk_of(lambda w: w.internal_note),
                col("corrects_id"),
                who=needs("add_shared_note", "read_internal_notes", staff_only=True),
                label="an internal note",
            ),
            F(
                "corrects",
                pk_of(lambda w: w.foreign_note),
                col("corrects_id"),
                who=nobody,
                label="another transaction's note",
            ),
        ),
        may_change={"service.Transaction": frozenset({"first_response_at", *NOTE_STAMPS})},
        may_add=frozenset({"service.Note", *ALWAYS_ADDED}),
        encoding="json",
        api="token",
    ),
    Surface(
        "api attachment",
        "post",
        _transaction_url("api:attachments"),
        Attachment,
        None,
        lambda w: _serializer_fields(api.AttachmentUploadSerializer()),
        lambda w, p: {"file": _upload()(w, p)},
        needs("attach_files"),
        (
            F("file", _upload("pump-photo.txt"), col("name"), stored=const("pump-photo.txt")),
            F("note", pk_of(lambda w: w.shared_note), col("note_id")),
            F(
                "note",
                pk_of(lambda w: w.internal_note),
                col("note_id"),
                who=needs("attach_files", "read_internal_notes", staff_only=True),
                label="an internal note",
            ),
            F(
                "note",
                pk_of(lambda w: w.foreign_note),
                col("note_id"),
                who=nobody,
                label="another transaction's note",
            ),
        ),
        may_change={"service.Transaction": TRANSACTION_STAMPS},
        may_add=frozenset({"service.Attachment", *ALWAYS_ADDED}),
        api="token",
    ),
    Surface(
        "api grant",
        "post",
        _transaction_url("api:grants"),
        Grant,
        None,
        lambda w: _serializer_fields(api.GrantCreateSerializer()),
        lambda w, p: {"permission": "read", "individual": w.victim.pk},
        needs("manage_grants"),
        (
            F("permission", const("full"), col("permission_id"), stored=_permission("full")),
            F("individual", pk_of(lambda w: w.people["Sandeep"]), col("individual_id")),
            F(
                "organization",
                pk_of(lambda w: w.victim_org),
                col("organization_id"),
                drop=("individual",),
            ),
        ),
        may_add=frozenset({"service.Grant", *ALWAYS_ADDED}),
        encoding="json",
        api="token",
    ),
    Surface(
        "api relation",
        "post",
        _transaction_url("api:relations"),
        Relation,
        None,
        lambda w: _serializer_fields(api.RelationCreateSerializer()),
        lambda w, p: {"other": w.other.number, "kind": "related"},
        needs("edit_profile"),
        (
            F(
                "other",
                lambda w, p: w.foreign.number,
                col("target_id"),
                stored=pk_of(lambda w: w.foreign),
            ),
            F("kind", const("duplicate"), col("kind")),
        ),
        may_add=frozenset({"service.Relation", *ALWAYS_ADDED}),
        encoding="json",
        api="token",
    ),
    Surface(
        "api new token",
        "post",
        lambda w, p: reverse("api:tokens"),
        ApiToken,
        None,
        lambda w: _serializer_fields(api.TokenCreateSerializer()),
        lambda w, p: {"name": "Nightly export", "expires_at": _moment_ahead(30).isoformat()},
        anyone,
        (
            F("name", const("Dashboard feed"), col("name")),
            F(
                "expires_at",
                lambda w, p: _moment_ahead(60).isoformat(),
                col("expires_at"),
                stored=lambda w, p: _moment_ahead(60),
            ),
        ),
        may_add=frozenset({"api.ApiToken", *ALWAYS_ADDED}),
        encoding="json",
        api="session",
    ),
    Surface(
        "api answer form",
        "post",
        lambda w, p: reverse("api:form-responses", args=[_demo_form().pk]),
        FormResponse,
        None,
        lambda w: _serializer_fields(api_forms.AnswersSerializer()),
        lambda w, p: {"answers": _form_answers()},
        lambda who: who.key in CUSTOMER_GROUP,  # the demo form's audience
        (
            F(
                "answers",
                lambda w, p: _form_answers(comment="Quieter alarms"),
                added(ResponseValue, "text"),
                stored=const("Quieter alarms"),
            ),
        ),
        may_add=frozenset({"surveys.Response", "surveys.ResponseValue", *ALWAYS_ADDED}),
        encoding="json",
        api="token",
    ),
    Surface(
        "api new article",
        "post",
        lambda w, p: reverse("api:knowledge-articles"),
        Article,
        None,
        lambda w: _serializer_fields(api_knowledge.ArticleWriteSerializer()),
        lambda w, p: {"title": "Priming a dosing pump", "body": "Open the bleed valve."},
        staff,  # the editors: staff who enter the Knowledge zone, as all these do
        API_ARTICLE_FIELDS,
        may_add=frozenset({"knowledge.Article", *ARTICLE_WRITES}),
        encoding="json",
        api="token",
    ),
    *(
        Surface(
            f"api {method} article",
            method,
            lambda w, p: reverse("api:knowledge-article", args=[w.draft.slug]),
            Article,
            lambda w, p: w.draft.pk,
            lambda w: _serializer_fields(api_knowledge.ArticleWriteSerializer()),
            lambda w, p: {"title": w.draft.title},
            # PUT is not offered: a change names the fields it changes.
            staff if method == "patch" else nobody,
            API_ARTICLE_FIELDS,
            may_change={"knowledge.Article": ARTICLE_CHANGES},
            may_add=ARTICLE_WRITES,
            may_delete=frozenset({"knowledge.Article_products", "knowledge.Article_audience"}),
            encoding="json",
            api="token",
        )
        for method in ("patch", "put")
    ),
]


def _moment_ahead(days: int) -> datetime.datetime:
    return datetime.datetime.combine(_days_ahead(days), datetime.time(12), tzinfo=datetime.UTC)


# --- running the table --------------------------------------------------------------------


@dataclass
class Callers:
    pages: dict[str, Client]
    tokens: dict[str, Client]
    watch: Watch


def _callers(world: World) -> Callers:
    pages, tokens = {}, {}
    for who in WHO:
        person = world.person(who)
        client = Client()
        response = client.post("/accounts/login/", {"login": person.email, "password": PASSWORD})
        assert response.status_code == 302, f"{who.key} could not log in"
        pages[who.key] = client
        assert person.user is not None
        made = api_services.create_token(
            actor=person.user, name="field writes", expires_at=_moment_ahead(30)
        )
        tokens[who.key] = Client(headers={"Authorization": f"Bearer {made.secret}"})
    # Marked as used just now, so no request in the run stamps them (a write of its own).
    ApiToken.objects.update(last_used_at=timezone.now() + datetime.timedelta(days=1))
    return Callers(pages, tokens, Watch())


def _encode(value: Any) -> Any:
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, SimpleUploadedFile):
        return value
    return str(value)


def _send(client: Client, surface: Surface, url: str, payload: dict[str, Any]) -> int:
    if surface.encoding == "json":
        body = json.dumps(payload)
        response = getattr(client, surface.method)(url, body, content_type="application/json")
    else:
        data = {k: _encode(v) for k, v in payload.items() if v is not None}
        if surface.method == "post":
            response = client.post(url, data)
        else:
            response = getattr(client, surface.method)(url, data)
    return int(response.status_code)


class _Undo(Exception):
    pass


@dataclass
class Attempt:
    surface: Surface
    who: Who
    tried: tuple[F, ...]  # the fields this request tries (one, or every injected one)
    payload: dict[str, Any]


def attempts(world: World) -> Iterator[Attempt]:
    """For every persona: each declared field alone on top of the base request, and the
    columns the surface does not declare all together (a form ignores what it does not
    know, and each is still judged on its own column). A persona the pages' zone turns
    away before any form is read sends every field at once (as few requests as the
    tries of one field by several values need)."""
    for surface in SURFACES:
        extra = injected(surface)
        for who in WHO:
            if not surface.zone(who):
                rounds: list[list[F]] = []
                for f in (*surface.fields, *extra):
                    free = next((r for r in rounds if all(o.name != f.name for o in r)), None)
                    if free is None:
                        rounds.append(free := [])
                    free.append(f)
                for tried in rounds:
                    payload = surface.base(world, who)  # afresh: an upload is read once
                    payload.update({f.name: f.value(world, who) for f in tried})
                    yield Attempt(surface, who, tuple(tried), payload)
                continue
            for f in surface.fields:
                base = surface.base(world, who)
                payload = {k: v for k, v in base.items() if k not in f.drop}
                payload.update(f.extra)
                payload[f.name] = f.value(world, who)
                yield Attempt(surface, who, (f,), payload)
            if extra:
                payload = surface.base(world, who)
                payload.update({f.name: f.value(world, who) for f in extra})
                yield Attempt(surface, who, extra, payload)


def run(world: World, callers: Callers, attempt: Attempt) -> tuple[int, Diff]:
    surface, who = attempt.surface, attempt.who
    clients = callers.tokens if surface.api == "token" else callers.pages
    url = surface.url(world, who)
    cache.clear()  # rate limits count in the cache; thousands of requests are no abuse here
    result: tuple[int, Diff] = (0, Diff())
    try:
        with db.atomic():
            mark = callers.watch.mark()
            status = _send(clients[who.key], surface, url, attempt.payload)
            written = callers.watch.written(mark)
            result = (status, compare(world.before, dump(written)) if written else Diff())
            raise _Undo
    except _Undo:
        pass
    return result


def judge(world: World, attempt: Attempt, status: int, diff: Diff) -> list[str]:
    surface, who = attempt.surface, attempt.who
    where = f"{surface.key} × {'/'.join(f.title for f in attempt.tried)[:60]} × {who.key}"
    if status >= 500:
        return [f"{where}: server error {status}"]
    if not surface.who(who):
        return [f"{where}: refused, yet changed {diff.describe()}"] if diff else []
    problems = []
    if all(f.injected for f in attempt.tried) and status >= 400:
        # The hidden fields must be ignored, not make the request fail: a refusal would
        # prove nothing about where they land.
        problems.append(f"{where}: the request with hidden fields failed (HTTP {status})")
    subject = surface.subject(world, who) if surface.subject else None
    for label, rows in diff.changed.items():
        permitted = surface.may_change.get(label, frozenset())
        for pk, (_row, cols) in rows.items():
            if label == surface.label and subject is not None and pk != subject:
                problems.append(f"{where}: changed another {label} #{pk}: {sorted(cols)}")
            elif extra := cols - permitted:
                problems.append(f"{where}: changed {label} #{pk} {sorted(extra)}")
    for label, new in diff.added.items():
        if label not in surface.may_add:
            problems.append(f"{where}: added {len(new)} {label}")
    for label, gone in diff.removed.items():
        if label not in surface.may_delete:
            problems.append(f"{where}: removed {len(gone)} {label}")
    for f in attempt.tried:
        writable = (f.who or surface.who)(who)
        expected = f.expected(world, who)
        landed = f.lands(world, who, surface, diff)
        if writable and expected not in landed:
            problems.append(f"{where}: may write {f.title} but it did not land (HTTP {status})")
        if not writable and expected in landed:
            problems.append(f"{where}: wrote {f.title} = {expected!r} (HTTP {status})")
    return problems


# --- the tests --------------------------------------------------------------------------------


@pytest.fixture
def world(demo_data: None) -> World:
    return _world()


def test_table_covers_every_field(world: World) -> None:
    """Every field a form or serializer declares and every column of the rows a surface
    writes has a row in the table, and no row names a field the code no longer has."""
    problems = []
    for surface in SURFACES:
        named = {f.name for f in surface.fields}
        declared = surface.declared(world)
        problems += [f"{surface.key}: no row for declared field {n}" for n in declared - named]
        problems += [f"{surface.key}: row for undeclared field {n}" for n in named - declared]
        for model in (surface.model, *surface.also):
            attacks = ATTACKS.get(model._meta.label, {})
            for column in model._meta.concrete_fields:
                name = surface.prefix + column.name
                if name not in named and column.name not in attacks:
                    problems.append(f"{surface.key}: no attack for {model._meta.label}.{name}")
    keys = [s.key for s in SURFACES]
    assert len(keys) == len(set(keys))
    assert problems == []


@pytest.mark.slow
def test_no_unauthorised_field_writes(world: World) -> None:
    callers = _callers(world)
    world.before = dump()
    problems: list[str] = []
    cases = requests = 0
    for attempt in attempts(world):
        status, diff = run(world, callers, attempt)
        problems += judge(world, attempt, status, diff)
        cases += len(attempt.tried)
        requests += 1
    print(f"\nfield writes: {cases} cases in {requests} requests, {len(problems)} mismatches")
    assert problems == [], "\n".join(problems)
