"""Events about a note obey the note's visibility (issue 19): the history of a
transaction lists the events of an internal note — its adding, and a file attached to it
or deleted from it — only to those who may read the transaction's internal notes."""

from __future__ import annotations

import pytest

from portico.audit import display
from portico.service import selectors
from tests.audit import internal_note
from tests.audit.internal_note import SECRET_FILE, SHARED_FILE


def _shown(events: object) -> str:
    """The history as a person reads it: each event's title and description."""
    return "\n".join(
        f"{event.action} {display.title(event)} {display.describe(event)}"
        for event in events  # type: ignore[attr-defined]
    )


@pytest.fixture
def scene(demo_people: None) -> internal_note.InternalNote:
    return internal_note.make()


def test_staff_who_may_not_read_internal_notes_see_none_of_their_events(
    scene: internal_note.InternalNote,
) -> None:
    history = list(selectors.history_of(scene.reader, scene.transaction))
    shown = _shown(history)
    assert SECRET_FILE not in shown
    assert "visibility: internal" not in shown.lower()
    assert [e.action for e in history if e.action == "note.added"] == ["note.added"]
    assert [e.action for e in history if e.action.startswith("attachment.")] == ["attachment.added"]
    # What is not about the internal note is still there.
    assert SHARED_FILE in shown
    assert "transaction.created" in shown


def test_those_who_may_read_them_still_see_every_event(
    scene: internal_note.InternalNote,
) -> None:
    history = list(selectors.history_of(scene.writer, scene.transaction))
    shown = _shown(history)
    assert shown.count(SECRET_FILE) == 2  # attached, then deleted
    assert sorted(e.action for e in history if e.action.startswith(("note.", "attachment."))) == [
        "attachment.added",
        "attachment.added",
        "attachment.deleted",
        "note.added",
        "note.added",
    ]


def test_the_events_of_an_internal_note_are_marked_as_they_are_written(
    scene: internal_note.InternalNote,
) -> None:
    from portico.audit.models import Event

    internal = Event.objects.filter(internal=True).order_by("id")
    assert [e.action for e in internal] == ["note.added", "attachment.added", "attachment.deleted"]


def test_the_migration_marks_the_events_written_before_it(
    scene: internal_note.InternalNote,
) -> None:
    """Events written before the `internal` mark existed are found by their payload: the
    note added as internal, and the files (by attachment id) on an internal note."""
    from importlib import import_module

    from django.apps import apps

    from portico.audit.models import Event

    migration = import_module("portico.audit.migrations.0002_event_internal")
    Event.objects.update(internal=False)
    migration.mark_internal_events(apps, None)
    internal = Event.objects.filter(internal=True).order_by("id")
    assert [e.action for e in internal] == ["note.added", "attachment.added", "attachment.deleted"]
    assert {e.data.get("attachment") for e in internal} == {None, scene.attachment.pk}
