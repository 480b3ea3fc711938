"""Events and their subscribers: recorded with the change, dispatched once after it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import transaction
from django.utils import timezone

from portico.audit.models import Event
from portico.events import dispatch, registry
from portico.events import services as events

Seen = list[tuple[int, str]]


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> Seen:
    """A subscriber to two names that writes down what it was given."""
    calls: Seen = []
    table = dict(dispatch._SUBSCRIBERS)
    monkeypatch.setattr(dispatch, "_SUBSCRIBERS", table)

    def remember(event: Event) -> None:
        calls.append((event.pk, event.action))

    table["relation.added"] = [remember]
    table["individual.reactivated"] = [remember]
    return calls


def test_an_unregistered_name_is_refused(db: None) -> None:
    with pytest.raises(registry.UnknownEvent, match=r"transaction\.teleported"):
        events.record("transaction.teleported")
    assert not Event.objects.exists()


def test_a_payload_key_the_registry_does_not_name_is_refused(db: None) -> None:
    with pytest.raises(ValueError, match="carries no colour"):
        events.record("relation.added", data={"kind": "duplicate", "colour": "red"})
    assert not Event.objects.exists()


def test_every_registered_name_is_a_dotted_subject_and_verb() -> None:
    for name, kind in registry.REGISTRY.items():
        subject, _, verb = name.partition(".")
        assert subject, name
        assert verb, name
        assert kind.summary, name


def test_subscribers_run_once_in_order_after_the_event_is_recorded(
    db: None, seen: Seen, worker: Callable[[], int]
) -> None:
    first = events.record("relation.added", data={"kind": "duplicate", "other": "SI-1"})
    second = events.record("individual.reactivated")
    assert seen == []  # recording runs nothing
    assert worker() == 2
    assert seen == [(first.pk, "relation.added"), (second.pk, "individual.reactivated")]
    assert worker() == 0  # dispatched once
    assert seen == [(first.pk, "relation.added"), (second.pk, "individual.reactivated")]
    assert not Event.objects.filter(dispatched_at__isnull=True).exists()


def test_an_event_nothing_follows_is_recorded_dispatched(db: None, seen: Seen) -> None:
    viewed = events.record("transaction.viewed")
    assert not dispatch.subscribers_of("transaction.viewed")
    assert viewed.dispatched_at == viewed.occurred_at


def test_an_event_rolled_back_with_its_change_is_never_dispatched(
    db: None, seen: Seen, worker: Callable[[], int]
) -> None:
    def change_that_fails() -> None:
        with transaction.atomic():
            events.record("individual.reactivated")
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert worker() == 0
    assert seen == []


def test_a_failing_subscriber_leaves_no_rows_and_is_tried_again_later(
    db: None, monkeypatch: pytest.MonkeyPatch, worker: Callable[[], int]
) -> None:
    """A subscriber that fails rolls back everything written for that event (the
    notices of the subscribers before it too), the event stays undispatched and backs
    off; the events after it are not held up."""
    broken = {"yes": True}
    table = dict(dispatch._SUBSCRIBERS)
    monkeypatch.setattr(dispatch, "_SUBSCRIBERS", table)

    def writes(event: Event) -> None:
        Event.objects.filter(pk=event.pk).update(data={"touched": True})

    def fails(event: Event) -> None:
        if broken["yes"]:
            raise RuntimeError("mail template missing")

    table["individual.reactivated"] = [writes, fails]
    table["relation.added"] = [lambda event: None]
    failing = events.record("individual.reactivated")
    after = events.record("relation.added", data={"kind": "duplicate", "other": "SI-1"})
    assert worker() == 2  # one tried and backed off, the next dispatched
    failing.refresh_from_db()
    after.refresh_from_db()
    assert failing.dispatched_at is None
    assert failing.data == {}  # the first subscriber's write was rolled back
    assert failing.dispatch_attempts == 1
    assert failing.dispatch_error == "RuntimeError: mail template missing"
    assert failing.dispatch_due_at > timezone.now()
    assert after.dispatched_at is not None
    assert worker() == 0  # not due yet
    broken["yes"] = False
    Event.objects.filter(pk=failing.pk).update(dispatch_due_at=timezone.now())
    assert worker() == 1
    failing.refresh_from_db()
    assert failing.dispatched_at is not None
    assert failing.data == {"touched": True}
    assert failing.dispatch_error == ""
