"""The audit trail: every touch of a transaction, whichever action made it, leaves one
event, by its dotted name, with its actor."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from portico.service import actions, selectors
from portico.service.models import Priority
from tests.service.actions.conftest import individual, log_issue, permission, status, trail, user


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
