"""The authorisation matrix, generated from one table that mirrors the seeds' words
(seed 001): every standard permission × principal kind × action, for a person outside
the staff and for one on it. Each case is checked twice: what `access.can` answers, and
what really happens when the service (or selector) is called."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction as db
from django.http import Http404
from django.utils import timezone

from portico import access
from portico.access import setup
from portico.parties.models import Individual, User
from portico.parties.services import deactivate_individual
from portico.service import actions, selectors
from portico.service.models import (
    Application,
    ApplicationRight,
    Attachment,
    Grant,
    Note,
    Permission,
    Status,
    Transaction,
)
from portico.surveys import services as surveys
from portico.surveys.models import Answer

# What each standard permission lets a person do, written from seed 001, not read
# from the database: "Full access – anything can be edited/updated"; "Customer access –
# read only on most elements ... but some update on notes and comments"; "Update
# worknotes – permission to update all notes and comments"; "Read only – as it says";
# "Assigned to for action – makes the transaction appear on an individual's task list"
# (and the assignee works it); "Linked to – ... grants no processing rights".
EVERYTHING = {
    "view",
    "edit_profile",
    "change_status",
    "relate",
    "edit_text",
    "add_shared_note",
    "add_internal_note",
    "read_internal_notes",
    "attach_files",
    "download_files",
    "delete_attachment",
    "manage_grants",
    "assign",
    "withdraw",
    "reopen",
}
# Issue 19: whoever may add to a transaction may withdraw or reopen it; Read only not.
MOVES = {"withdraw", "reopen"}
EXPECTED: dict[str, set[str]] = {
    "full": EVERYTHING,
    "customer": {"view", "add_shared_note", "attach_files", "download_files", *MOVES},
    "worknotes": {
        "view",
        "add_shared_note",
        "add_internal_note",
        "read_internal_notes",
        "attach_files",
        "download_files",
        *MOVES,
    },
    "read": {"view", "download_files"},
    "assigned": {
        "view",
        "edit_profile",
        "change_status",
        "relate",
        "add_shared_note",
        "add_internal_note",
        "read_internal_notes",
        "attach_files",
        "download_files",
        *MOVES,
    },
    "linked": set(),
}
# Internal notes never reach anyone outside the staff, whatever else holds.
STAFF_ONLY = {"add_internal_note", "read_internal_notes"}
ACTIONS = sorted(EVERYTHING | {"on_task_list"})
PRINCIPAL_KINDS = ["individual", "organization", "group_default", "none"]
# (first name of the subject, is staff): a customer of an organisation with no tie to the
# transaction, and a sales agent of a team that does not hold it.
SUBJECTS = {"customer": "Sandeep", "staff": "Callum"}


@dataclass
class World:
    transaction: Transaction
    other: Transaction
    internal_note: Note
    attachment: Attachment
    subject: Individual
    csr: User


@pytest.fixture
def world(demo_people: None) -> Callable[[str], World]:
    csr = User.objects.get(email__startswith="fiona.")
    helen = Individual.objects.get(first_name="Helen")
    service_issue = Application.objects.get(code="service-issue")

    def make(subject_key: str) -> World:
        subject = Individual.objects.select_related("user", "organization", "user_group").get(
            first_name=SUBJECTS[subject_key]
        )
        # No default for the subject's group: each case sets exactly what it tests.
        ApplicationRight.objects.filter(user_group=subject.user_group).update(
            default_permission=None
        )
        setup.forget()  # update() sends no signal to forget the kept rights
        made = actions.create_transaction(
            actor=csr,
            application=service_issue,
            title="Chlorine dosing alarm",
            requester=helen,
            profile={"issue-type": "fault", "product": "clearflow-dosing-pump"},
        )
        other = actions.create_transaction(
            actor=csr,
            application=service_issue,
            title="Second site alarm",
            requester=helen,
            profile={"issue-type": "fault", "product": "clearflow-dosing-pump"},
        )
        Grant.objects.create(
            transaction=other, individual=subject, permission=Permission.objects.get(code="read")
        )
        note = actions.add_note(
            actor=csr, transaction=made, body="Check the recall list.", visibility="internal"
        )
        attachment = actions.add_attachment(
            actor=csr, transaction=made, upload=ContentFile(b"log line\n"), name="log.txt"
        )
        return World(made, other, note, attachment, subject, csr)

    return make


def _give(world: World, permission: str, kind: str) -> None:
    perm = Permission.objects.get(code=permission)
    subject = world.subject
    if kind == "individual":
        Grant.objects.create(transaction=world.transaction, individual=subject, permission=perm)
    elif kind == "organization":
        Grant.objects.create(
            transaction=world.transaction, organization=subject.organization, permission=perm
        )
    elif kind == "group_default":
        ApplicationRight.objects.filter(
            user_group=subject.user_group, application=world.transaction.application
        ).update(default_permission=perm)
        setup.forget()  # update() sends no signal to forget the kept rights


class _Undo(Exception):
    pass


def _attempt(action: str, world: World, user: User) -> bool:
    """Do the action for real, as the pages and API would; True if it was allowed."""
    t, other = world.transaction, world.other
    tom = Individual.objects.get(first_name="Tom")
    priya = Individual.objects.get(first_name="Priya")
    attempts: dict[str, Callable[[], object]] = {
        "view": lambda: access.transaction_for(user, t.number),
        "edit_profile": lambda: actions.update_profile(
            actor=user, transaction=t, values={"area": "west"}
        ),
        "change_status": lambda: actions.change_status(
            actor=user,
            transaction=t,
            status=Status.objects.get(application=t.application, code="in-progress"),
        ),
        "relate": lambda: actions.relate(actor=user, transaction=t, other=other, kind="related"),
        "edit_text": lambda: actions.edit_text(actor=user, transaction=t, title="Renamed"),
        "add_shared_note": lambda: actions.add_note(
            actor=user, transaction=t, body="Hi", visibility="shared"
        ),
        "add_internal_note": lambda: actions.add_note(
            actor=user, transaction=t, body="Hm", visibility="internal"
        ),
        "read_internal_notes": lambda: _must(world.internal_note in selectors.notes_for(user, t)),
        "attach_files": lambda: actions.add_attachment(
            actor=user, transaction=t, upload=ContentFile(b"more\n"), name="more.txt"
        ),
        "download_files": lambda: _must(world.attachment in selectors.attachments_for(user, t)),
        "delete_attachment": lambda: actions.delete_attachment(
            actor=user, attachment=world.attachment
        ),
        "manage_grants": lambda: actions.grant(
            actor=user,
            transaction=t,
            permission=Permission.objects.get(code="read"),
            individual=priya,
        ),
        "assign": lambda: actions.assign(actor=user, transaction=t, assignees=[tom]),
        "on_task_list": lambda: _must(t in selectors.task_list(user)),
        "withdraw": lambda: actions.withdraw(actor=user, transaction=t, reason="Not needed"),
        "reopen": lambda: _reopen(user, t),
    }
    try:
        with db.atomic():
            attempts[action]()
            raise _Undo
    except _Undo:
        return True
    except (PermissionDenied, Http404, _Refused):
        return False
    except ValidationError as error:  # allowed, but the attempt itself was refused
        raise AssertionError(f"{action}: {error}") from error


class _Refused(Exception):
    pass


def _reopen(user: User, t: Transaction) -> object:
    # Resolved a moment ago (undone with the attempt), so only access can refuse it.
    Transaction.objects.filter(pk=t.pk).update(
        status=Status.objects.get(application=t.application, code="resolved"),
        resolved_at=timezone.now(),
    )
    return actions.reopen(actor=user, transaction=t, reason="Back again")


def _must(condition: bool) -> None:
    if not condition:
        raise _Refused


def _cases() -> Iterator[tuple[str, str, str]]:
    for subject in SUBJECTS:
        for permission in EXPECTED:
            for kind in PRINCIPAL_KINDS:
                if kind == "none" and permission != "full":
                    continue  # "none" grants nothing, whichever permission is named
                yield subject, permission, kind


CASES = list(_cases())


@pytest.mark.parametrize(("subject", "permission", "kind"), CASES)
def test_matrix(world: Callable[[str], World], subject: str, permission: str, kind: str) -> None:
    w = world(subject)
    _give(w, permission, kind)
    expected = set() if kind == "none" else set(EXPECTED[permission])
    if permission == "assigned" and kind == "individual":
        expected.add("on_task_list")  # "appear on an individual's task list"
    if subject == "customer":
        expected -= STAFF_ONLY
    user = User.objects.get(individual=w.subject)
    mismatches = []
    for action in ACTIONS:
        allowed = action in expected
        fresh = User.objects.get(pk=user.pk)  # per-request caches start empty
        if access.can(fresh, action, w.transaction) != allowed:
            mismatches.append(f"can({action}) should be {allowed}")
        if _attempt(action, w, User.objects.get(pk=user.pk)) != allowed:
            mismatches.append(f"doing {action} should be {'allowed' if allowed else 'refused'}")
    # Marking a "not satisfied" answer followed up is internal work: it goes with
    # add_internal_note (issue 23).
    if _follow_up(w, User.objects.get(pk=user.pk)) != ("add_internal_note" in expected):
        mismatches.append("following up a not-satisfied answer should go with add_internal_note")
    assert mismatches == []


def _follow_up(world: World, user: User) -> bool:
    """Mark a "not satisfied" answer followed up, for real, undone; True if allowed."""
    t = world.transaction
    try:
        with db.atomic():
            Answer.objects.create(
                transaction=t,
                person=Individual.objects.get(first_name="Helen"),
                rating=1,
                satisfied=False,
                sent_at=timezone.now(),
                answered_at=timezone.now(),
            )
            _must(surveys.follow_up(actor=user, transaction=t) == 1)
            raise _Undo
    except _Undo:
        return True
    except (PermissionDenied, Http404, _Refused):
        return False


def test_the_matrix_has_every_case() -> None:
    # 2 subjects × (6 permissions × 3 principal kinds + 1 "none") × 16 actions.
    assert len(CASES) * len(ACTIONS) == 2 * (6 * 3 + 1) * 16 == 608


# --- the most specific grant wins -------------------------------------------------------


def test_a_grant_restricts_even_an_administrator(world: Callable[[str], World]) -> None:
    w = world("staff")
    graham = Individual.objects.get(first_name="Graham")
    admin = User.objects.get(individual=graham)
    assert access.can(admin, "manage_grants", w.transaction)  # the group's default: Full
    Grant.objects.create(
        transaction=w.transaction, individual=graham, permission=Permission.objects.get(code="read")
    )
    admin = User.objects.get(individual=graham)
    assert access.can(admin, "view", w.transaction)
    assert not access.can(admin, "edit_profile", w.transaction)
    assert not _attempt("manage_grants", w, admin)


def test_individual_beats_organization(world: Callable[[str], World]) -> None:
    w = world("customer")
    _give(w, "full", "organization")
    _give(w, "read", "individual")
    user = User.objects.get(individual=w.subject)
    assert access.capabilities(user, w.transaction) == {"view", "download_files"}


def test_organization_beats_group_default(world: Callable[[str], World]) -> None:
    w = world("staff")
    _give(w, "full", "group_default")
    _give(w, "read", "organization")
    user = User.objects.get(individual=w.subject)
    assert not access.can(user, "edit_profile", w.transaction)
    assert access.can(user, "view", w.transaction)


def test_linked_to_neither_gives_nor_takes_away(world: Callable[[str], World]) -> None:
    w = world("customer")
    _give(w, "read", "organization")
    _give(w, "linked", "individual")
    user = User.objects.get(individual=w.subject)
    assert access.capabilities(user, w.transaction) == {"view", "download_files"}


def test_a_person_who_left_can_do_nothing(world: Callable[[str], World]) -> None:
    w = world("customer")
    _give(w, "full", "individual")
    deactivate_individual(individual=w.subject, actor=None)
    user = User.objects.get(individual=w.subject)
    assert access.capabilities(user, w.transaction) == frozenset()
    assert not access.visible_transactions(user).exists()
