"""Notes: a note must say something, a correction is a new note and both remain, the
transaction knows when its newest note was written, and internal notes never reach a
customer."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from portico import access
from portico.service import actions, selectors
from portico.service.models import Note
from tests.service.actions.conftest import individual, log_issue, permission, refused, user


@pytest.mark.parametrize("body", ["", "   ", "\n\t"])
def test_a_note_must_say_something(people: None, body: str) -> None:
    logged = log_issue()
    with refused("body", "Write something", transaction=logged):
        actions.add_note(
            actor=user("csr"), transaction=logged, body=body, visibility=Note.Visibility.SHARED
        )


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
