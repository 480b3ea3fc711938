"""The transaction services as the people using them meet them: a mistake is a
ValidationError naming the field and leaves everything as it was, customers log for
themselves only, notes are never edited, internal notes stay with the staff, default
grants, the task list, relations from both ends and the audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from portico import access
from portico.audit.models import Event
from portico.parties.models import Individual, Organization, User
from portico.parties.services import deactivate_individual
from portico.service import actions, selectors
from portico.service.models import (
    Application,
    Attachment,
    Grant,
    Note,
    Permission,
    Priority,
    ProfileValue,
    Relation,
    Status,
    Transaction,
)
from tests.conftest import PERSONAS

ISSUE = {"issue-type": "fault", "product": "clearflow-dosing-pump"}


@pytest.fixture
def people(demo_people: None) -> None:
    # The demo people only: task lists and counts below must hold just what each test makes.
    """The demo people (tests/conftest.py)."""


def user(key: str) -> User:
    person = PERSONAS[key].individual.user
    assert person is not None
    return person


def individual(key: str) -> Individual:
    return PERSONAS[key].individual


def application(code: str) -> Application:
    return Application.objects.get(code=code)


def status(transaction: Transaction, code: str) -> Status:
    return Status.objects.get(application_id=transaction.application_id, code=code)


def permission(code: str) -> Permission:
    return Permission.objects.get(code=code)


def log_issue(
    by: str = "customer", *, for_: str = "customer", title: str = "Dosing pump stopped"
) -> Transaction:
    """A service issue: from the portal when a customer logs it, by phone from staff."""
    staff = by in {"csr", "technician", "supervisor", "administrator"}
    return actions.create_transaction(
        actor=user(by),
        application=application("service-issue"),
        title=title,
        requester=individual(for_) if staff else None,
        profile=ISSUE,
        channel="phone" if staff else "web",
    )


def sales_opportunity() -> Transaction:
    return actions.create_transaction(
        actor=user("csr"),
        application=application("sales-opportunity"),
        title="Tayside retrofit",
        requester=individual("partner"),
        profile={"deal-value": "184000.00", "close-date": "2027-03-31"},
    )


def counts() -> dict[str, int]:
    """Everything a service might write, counted."""
    return {
        "transactions": Transaction.objects.count(),
        "profile values": ProfileValue.objects.count(),
        "grants": Grant.objects.count(),
        "notes": Note.objects.count(),
        "attachments": Attachment.objects.count(),
        "relations": Relation.objects.count(),
        "audit events": Event.objects.count(),
        "numbers taken": sum(Application.objects.values_list("next_number", flat=True)),
    }


def state(transaction: Transaction) -> dict[str, Any]:
    """A transaction's stored values and profile."""
    row = Transaction.objects.filter(pk=transaction.pk).values().get()
    return {**row, "profile": actions.profile_of(transaction)}


@contextmanager
def refused(field: str, *words: str, transaction: Transaction | None = None) -> Iterator[None]:
    """The block must fail with a ValidationError on `field` whose message contains
    `words`, and change nothing: no row added or removed, no event, no number used."""
    before = counts()
    values = state(transaction) if transaction is not None else None
    with pytest.raises(ValidationError) as caught:
        yield
    errors = caught.value.message_dict
    assert field in errors, errors
    message = " ".join(errors[field])
    for word in words:
        assert word in message, message
    assert counts() == before
    if transaction is not None:
        assert state(transaction) == values


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "field", "words"),
    [
        pytest.param(
            {"issue-type": "volcano", "product": "clearflow-dosing-pump"},
            "issue-type",
            ("volcano", "Issue type"),
            id="unknown-choice",
        ),
        pytest.param(
            {**ISSUE, "colour": "red"},
            "colour",
            ("Service issue", "colour"),
            id="unknown-classification",
        ),
        pytest.param(
            {"issue-type": "fault"}, "product", ("Product", "required"), id="missing-mandatory"
        ),
        pytest.param(
            {**ISSUE, "units": "a dozen"}, "units", ("Units affected", "number"), id="not-a-number"
        ),
    ],
)
def test_a_bad_profile_is_refused_on_creation(
    people: None, profile: dict[str, str], field: str, words: tuple[str, ...]
) -> None:
    with refused(field, *words):
        actions.create_transaction(
            actor=user("csr"),
            application=application("service-issue"),
            title="Pump alarm",
            requester=individual("customer"),
            profile=profile,
        )


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        pytest.param(
            {"deal-value": "1000.125"},
            "deal-value",
            ("Deal value", "two decimal places"),
            id="money-with-3-decimals",
        ),
        pytest.param(
            {"close-date": "2027-02-30"},
            "close-date",
            ("Expected close date", "date"),
            id="no-such-day",
        ),
        pytest.param(
            {"close-date": "next Tuesday"},
            "close-date",
            ("Expected close date", "YYYY-MM-DD"),
            id="not-a-date",
        ),
    ],
)
def test_bad_typed_values_are_refused(
    people: None, values: dict[str, str], field: str, words: tuple[str, ...]
) -> None:
    with refused(field, *words):
        actions.create_transaction(
            actor=user("csr"),
            application=application("sales-opportunity"),
            title="Tayside retrofit",
            requester=individual("partner"),
            profile=values,
        )
    existing = sales_opportunity()
    with refused(field, *words, transaction=existing):
        actions.update_profile(actor=user("csr"), transaction=existing, values=values)
    assert actions.profile_of(existing) == {
        "deal-value": "184000",
        "close-date": "2027-03-31",
    }


def test_a_refused_change_leaves_the_values_it_had_already_checked(people: None) -> None:
    # The category is fine, the priority is not (a compliment has none): nothing of the
    # change may be kept.
    compliment = actions.create_transaction(
        actor=user("customer"),
        application=application("compliment"),
        title="Thanks to Tom",
        profile={"category": "service"},
    )
    with refused("priority", "Compliment", transaction=compliment):
        actions.update_profile(
            actor=user("csr"),
            transaction=compliment,
            values={"category": "staff"},
            priority=Priority.objects.get(code="P1"),
        )
    assert actions.profile_of(compliment) == {"category": "Service"}


@pytest.mark.parametrize(
    ("path", "forbidden"),
    [
        pytest.param(["closed"], "in-progress", id="closed-is-final"),
        pytest.param(["closed"], "new", id="closed-cannot-go-back-to-new"),
        pytest.param(["in-progress"], "closed", id="in-progress-must-resolve-first"),
        pytest.param(["in-progress"], "new", id="never-back-to-new"),
    ],
)
def test_the_status_flow_is_enforced(people: None, path: list[str], forbidden: str) -> None:
    logged = log_issue()
    for code in path:
        logged = actions.change_status(
            actor=user("csr"),
            transaction=logged,
            status=status(logged, code),
            resolution="Done.",
        )
    current = Status.objects.get(pk=logged.status_id)
    target = status(logged, forbidden)
    with refused("status", current.name, target.name, transaction=logged):
        actions.change_status(
            actor=user("csr"), transaction=logged, status=target, resolution="Again."
        )


def test_a_status_of_another_application_is_refused(people: None) -> None:
    logged = log_issue()
    won = Status.objects.get(application__code="sales-opportunity", code="won")
    with refused("status", "Won", transaction=logged):
        actions.change_status(actor=user("csr"), transaction=logged, status=won)


@pytest.mark.parametrize("resolution", ["", "   \n "])
def test_resolving_needs_a_resolution(people: None, resolution: str) -> None:
    logged = log_issue()
    with refused("resolution", "resolved", transaction=logged):
        actions.change_status(
            actor=user("csr"),
            transaction=logged,
            status=status(logged, "resolved"),
            resolution=resolution,
        )


def test_nothing_is_granted_to_a_person_who_left(people: None) -> None:
    logged = log_issue()
    deactivate_individual(individual=individual("colleague"), actor=user("administrator"))
    with refused("individual", "Kirsty Muir", "left", transaction=logged):
        actions.grant(
            actor=user("csr"),
            transaction=logged,
            permission=permission("read"),
            individual=Individual.objects.get(pk=individual("colleague").pk),
        )


def test_a_grant_is_given_once(people: None) -> None:
    logged = log_issue()
    actions.grant(
        actor=user("csr"),
        transaction=logged,
        permission=permission("read"),
        individual=individual("other_customer"),
    )
    with refused("permission", "Helen Baird", "Read only", transaction=logged):
        actions.grant(
            actor=user("csr"),
            transaction=logged,
            permission=permission("read"),
            individual=individual("other_customer"),
        )
    # The requester's default grant counts too.
    with refused("permission", "Ewan Grant", "Update worknotes", transaction=logged):
        actions.grant(
            actor=user("csr"),
            transaction=logged,
            permission=permission("worknotes"),
            individual=individual("customer"),
        )


def test_a_transaction_is_not_related_to_itself(people: None) -> None:
    logged = log_issue()
    with refused("other", "itself", transaction=logged):
        actions.relate(actor=user("csr"), transaction=logged, other=logged, kind="related")


@pytest.mark.parametrize("second", ["same-way", "other-way"])
def test_two_transactions_are_related_once(people: None, second: str) -> None:
    first, other = log_issue(title="Pump stopped"), log_issue(title="Line 3 down")
    actions.relate(actor=user("csr"), transaction=first, other=other, kind="caused_by")
    source, target = (first, other) if second == "same-way" else (other, first)
    with refused("other", first.number, other.number, "already related", transaction=first):
        actions.relate(actor=user("csr"), transaction=source, other=target, kind="related")


@pytest.mark.parametrize("body", ["", "   ", "\n\t"])
def test_a_note_must_say_something(people: None, body: str) -> None:
    logged = log_issue()
    with refused("body", "Write something", transaction=logged):
        actions.add_note(
            actor=user("csr"), transaction=logged, body=body, visibility=Note.Visibility.SHARED
        )


# --- customers log for themselves -------------------------------------------------------


def test_what_a_customer_may_not_set_is_set_for_them(people: None) -> None:
    created = actions.create_transaction(
        actor=user("customer"),
        application=application("service-issue"),
        title="Pump alarm E42",
        requester=individual("other_customer"),
        organization=individual("other_customer").organization,
        team=Organization.objects.get(name="Field Service"),
        profile=ISSUE,
    )

    stored = Transaction.objects.select_related("requester", "organization", "team").get(
        pk=created.pk
    )
    assert stored.requester == individual("customer")
    assert stored.recorded_by == individual("customer")
    assert stored.organization is not None
    assert stored.organization.name == "Harbour Foods plc"
    assert stored.team is not None
    assert stored.team.name == "Service Desk"  # the application's own team
    # Helen Baird (another customer) neither sees it nor holds any grant on it.
    assert not access.can(user("other_customer"), "view", stored)
    assert not stored.grants.filter(individual=individual("other_customer")).exists()


def test_a_customer_may_not_create_a_sales_opportunity(people: None) -> None:
    before = counts()
    with pytest.raises(PermissionDenied, match="Sales opportunity"):
        actions.create_transaction(
            actor=user("customer"),
            application=application("sales-opportunity"),
            title="We want to buy",
        )
    assert counts() == before
    # A partner may: the right belongs to the group.
    actions.create_transaction(
        actor=user("partner"),
        application=application("sales-opportunity"),
        title="Tayside retrofit",
    )
    assert Transaction.objects.count() == before["transactions"] + 1


# --- notes --------------------------------------------------------------------------------


def test_a_correction_is_a_new_note_and_both_remain(people: None) -> None:
    logged = log_issue()
    wrong = actions.add_note(
        actor=user("csr"),
        transaction=logged,
        body="Engineer booked for Tuesday.",
        visibility=Note.Visibility.SHARED,
    )
    right = actions.add_note(
        actor=user("csr"),
        transaction=logged,
        body="Correction: the engineer is booked for Wednesday.",
        visibility=Note.Visibility.SHARED,
        corrects=wrong,
    )

    timeline = list(selectors.notes_for(user("customer"), logged))
    assert timeline == [wrong, right]
    assert timeline[0].body == "Engineer booked for Tuesday."  # untouched
    assert timeline[1].corrects == wrong
    assert list(wrong.corrections.all()) == [right]


def test_a_transaction_knows_when_its_newest_note_was_written(people: None) -> None:
    # The 360° timelines stop walking at the first transaction whose newest note is too
    # old to show: a note written later than last_note_at would never be found there.
    logged = log_issue()
    assert logged.last_note_at is None
    for visibility, who in (
        (Note.Visibility.INTERNAL, "csr"),
        (Note.Visibility.SHARED, "customer"),
    ):
        note = actions.add_note(
            actor=user(who), transaction=logged, body="Checked.", visibility=visibility
        )
        logged.refresh_from_db()
        assert logged.last_note_at == note.created_at


def test_internal_notes_never_reach_a_customer_even_with_full_access(people: None) -> None:
    logged = log_issue()
    shared = actions.add_note(
        actor=user("csr"), transaction=logged, body="On our way.", visibility="shared"
    )
    internal = actions.add_note(
        actor=user("csr"), transaction=logged, body="Recalled sensor batch?", visibility="internal"
    )
    actions.grant(
        actor=user("csr"),
        transaction=logged,
        permission=permission("full"),
        individual=individual("customer"),
    )

    assert list(selectors.notes_for(user("customer"), logged)) == [shared]
    assert list(selectors.notes_for(user("colleague"), logged)) == [shared]
    assert list(selectors.notes_for(user("csr"), logged)) == [shared, internal]
    assert not access.may_read_note(user("customer"), internal)
    # Full access does give the customer what it may: they can now edit the profile.
    assert access.can(user("customer"), "edit_profile", logged)
    with pytest.raises(PermissionDenied):
        actions.add_note(
            actor=user("customer"), transaction=logged, body="psst", visibility="internal"
        )


# --- default grants -------------------------------------------------------------------------


def test_a_portal_service_issue_gets_the_standard_grants(people: None) -> None:
    logged = log_issue("customer")

    grants = {
        (str(g.principal), g.permission.name)
        for g in Grant.objects.filter(transaction=logged).select_related(
            "individual", "organization", "permission"
        )
    }
    assert grants == {
        ("Harbour Foods plc", "Read only"),
        ("Ewan Grant", "Update worknotes"),
        ("Service Desk", "Full access"),
    }
    # What that means for the people: the colleague reads, the customer writes notes,
    # the service desk does anything, another organisation sees nothing.
    assert access.can(user("colleague"), "view", logged)
    assert not access.can(user("colleague"), "add_shared_note", logged)
    assert access.can(user("customer"), "add_shared_note", logged)
    assert not access.can(user("customer"), "edit_profile", logged)
    assert access.can(user("csr"), "manage_grants", logged)
    assert not access.can(user("other_customer"), "view", logged)


# --- the task list ------------------------------------------------------------------------


def test_assigned_transactions_are_on_each_assignees_task_list(people: None) -> None:
    minor = actions.create_transaction(
        actor=user("csr"),
        application=application("service-issue"),
        title="Controller clock drifts",
        requester=individual("colleague"),
        priority=Priority.objects.get(code="P3"),
        profile=ISSUE,
    )
    urgent = actions.create_transaction(
        actor=user("csr"),
        application=application("service-issue"),
        title="Dosing pump stopped",
        requester=individual("customer"),
        priority=Priority.objects.get(code="P1"),
        profile=ISSUE,
    )
    technicians = [individual("technician"), Individual.objects.get(first_name="Aisha")]
    for logged in (minor, urgent):
        actions.assign(actor=user("supervisor"), transaction=logged, assignees=technicians)
    aisha = technicians[1].user
    assert aisha is not None

    # The P1 logged second is due first.
    for person in (user("technician"), aisha):
        assert list(selectors.task_list(person)) == [urgent, minor]
    assert list(selectors.task_list(user("csr"))) == []  # seen, but not assigned

    actions.change_status(
        actor=user("technician"),
        transaction=urgent,
        status=status(urgent, "resolved"),
        resolution="Replaced the flow sensor.",
    )
    for person in (user("technician"), aisha):
        assert list(selectors.task_list(person)) == [minor]


def test_only_staff_are_assigned(people: None) -> None:
    logged = log_issue()
    with refused("assignees", "Kirsty Muir", "staff", transaction=logged):
        actions.assign(
            actor=user("supervisor"), transaction=logged, assignees=[individual("colleague")]
        )


# --- relations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "from_source", "from_target"),
    [
        ("related", "Related to", "Related to"),
        ("duplicate", "Duplicate of", "Has duplicate"),
        ("parent", "Parent of", "Child of"),
        ("caused_by", "Caused by", "Causes"),
    ],
)
def test_a_relation_reads_from_both_ends(
    people: None, kind: str, from_source: str, from_target: str
) -> None:
    source, target = log_issue(title="Line 3 down"), log_issue(title="Pump stopped")
    actions.relate(actor=user("csr"), transaction=source, other=target, kind=kind)

    for person in ("csr", "customer"):
        assert [(r.label, r.transaction) for r in selectors.relations_of(user(person), source)] == [
            (from_source, target)
        ]
        assert [(r.label, r.transaction) for r in selectors.relations_of(user(person), target)] == [
            (from_target, source)
        ]


def test_the_other_end_of_a_relation_shows_only_to_those_who_may_see_it(people: None) -> None:
    ours = log_issue("csr", for_="customer", title="Sensor pack readings frozen")
    theirs = log_issue("csr", for_="other_customer", title="Same firmware hang")
    actions.relate(actor=user("csr"), transaction=ours, other=theirs, kind="related")

    assert [r.transaction for r in selectors.relations_of(user("csr"), ours)] == [theirs]
    assert selectors.relations_of(user("customer"), ours) == []
    assert selectors.relations_of(user("colleague"), ours) == []
    assert selectors.relations_of(user("other_customer"), theirs) == []


def test_a_relation_needs_sight_of_the_other_transaction(people: None) -> None:
    ours = log_issue("customer")
    theirs = log_issue("csr", for_="other_customer")
    actions.grant(
        actor=user("csr"),
        transaction=ours,
        permission=permission("full"),
        individual=individual("customer"),
    )
    # The same answer as for a number that does not exist: nothing leaks.
    with refused("other", "No such transaction", transaction=ours):
        actions.relate(actor=user("customer"), transaction=ours, other=theirs, kind="related")


# --- the audit trail ----------------------------------------------------------------------


def trail(transaction: Transaction) -> list[Event]:
    return list(
        Event.objects.filter(
            subject_type=ContentType.objects.get_for_model(Transaction),
            subject_id=str(transaction.pk),
        ).order_by("id")
    )


@pytest.fixture
def media(tmp_path: Path) -> Iterator[Path]:
    with override_settings(MEDIA_ROOT=tmp_path):
        yield tmp_path


def test_every_touch_leaves_one_event(people: None, media: Path) -> None:
    logged = log_issue("customer")
    actions.update_profile(
        actor=user("csr"),
        transaction=logged,
        values={"area": "north-east"},
        priority=Priority.objects.get(code="P2"),
    )
    actions.add_note(
        actor=user("csr"), transaction=logged, body="Calling you now.", visibility="shared"
    )
    actions.grant(
        actor=user("csr"),
        transaction=logged,
        permission=permission("read"),
        individual=individual("partner"),
    )
    actions.add_attachment(
        actor=user("customer"),
        transaction=logged,
        upload=SimpleUploadedFile("alarm.txt", b"E42 at 02:10"),
        name="alarm.txt",
    )
    actions.change_status(
        actor=user("csr"), transaction=logged, status=status(logged, "in-progress")
    )
    actions.record_view(actor=user("csr"), transaction=logged)  # staff: not recorded
    actions.record_view(actor=user("customer"), transaction=logged)

    events = trail(logged)
    assert [(e.action, e.actor) for e in events] == [
        ("transaction.created", user("customer")),
        ("transaction.profile_changed", user("csr")),
        ("note.added", user("csr")),
        ("grant.added", user("csr")),
        ("attachment.added", user("customer")),
        ("transaction.status_changed", user("csr")),
        ("transaction.viewed", user("customer")),
    ]
    created, changed, noted, granted, attached, moved, viewed = events
    assert created.data["number"] == logged.number
    # Priority was unset by the customer, so the default (the lowest, P4) applied.
    assert changed.data == {
        "area": {"before": None, "after": "North East"},
        "priority": {"before": "P4", "after": "P2"},
    }
    assert noted.data["visibility"] == "shared"
    assert granted.data["principal"] == "Niamh O'Neill"
    assert granted.data["permission"] == "Read only"
    assert attached.data["name"] == "alarm.txt"
    assert moved.data["status"] == {"before": "New", "after": "In progress"}
    assert viewed.portal == "customer"
    # The staff read the trail; a customer does not.
    assert list(selectors.history_of(user("csr"), logged).order_by("id")) == events
    assert not selectors.history_of(user("customer"), logged).exists()


def test_a_change_that_changes_nothing_leaves_no_event(people: None) -> None:
    logged = log_issue("customer")
    before = len(trail(logged))
    actions.update_profile(
        actor=user("csr"),
        transaction=logged,
        values={"issue-type": "fault"},
        priority=logged.priority,
    )
    assert len(trail(logged)) == before
