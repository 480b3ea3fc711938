"""How rules run: conditions decide, a rule never sets itself off, chains stop, and an
action that fails is written down and tried again without holding anything up."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.utils import timezone

from portico.audit.models import Event
from portico.automations import engine
from portico.automations.models import Action, Condition, Failure, Rule
from portico.service import actions
from portico.service.models import Choice, Classification, Note, Priority, Transaction
from tests.console.test_lists import create, user

pytestmark = pytest.mark.usefixtures("demo_people")

Worker = Callable[[], int]


def rule(name: str, event: str, *conditions: tuple[str, str, str]) -> Rule:
    made = Rule.objects.create(name=name, event=event)
    for field, operator, value in conditions:
        Condition.objects.create(rule=made, field=field, operator=operator, value=value)
    return made


def internal_notes(transaction: Transaction) -> list[str]:
    return list(
        Note.objects.filter(transaction=transaction, visibility=Note.Visibility.INTERNAL)
        .order_by("id")
        .values_list("body", flat=True)
    )


def test_a_rule_runs_only_where_its_conditions_hold(worker: Worker) -> None:
    urgent = rule("Urgent pumps", "transaction.created", ("priority", "one_of", "P1, P2"))
    Action.objects.create(rule=urgent, kind="internal_note", text="Urgent: {{ number }}")
    p1 = create("Pump on fire", priority="P1")
    p3 = create("Pump squeaks", priority="P3")
    worker()
    assert internal_notes(p1) == [f"Urgent: {p1.number}"]
    assert internal_notes(p3) == []
    # The note is the rule's: its event names the rule, in the transaction's history.
    event = Event.objects.get(action="note.added", subject_id=str(p1.pk), rule_id=urgent.pk)
    assert event.actor_label == "Rule “Urgent pumps”"


def test_a_rule_is_not_set_off_by_its_own_change(worker: Worker) -> None:
    """A rule on profile changes that changes the profile would run for ever."""
    raise_it = rule("Raise the priority of any change", "transaction.profile_changed")
    Action.objects.create(
        rule=raise_it, kind="set_priority", priority=Priority.objects.get(code="P2")
    )
    issue = create("Pump squeaks", priority="P4")
    actions.update_profile(
        actor=user("csr"), transaction=issue, priority=Priority.objects.get(code="P3")
    )
    worker()
    issue.refresh_from_db()
    assert issue.priority is not None
    assert issue.priority.code == "P2"
    made = Event.objects.filter(action="transaction.profile_changed", rule_id=raise_it.pk)
    assert made.count() == 1


def test_a_chain_of_rules_stops_at_the_depth_limit(worker: Worker) -> None:
    """Two rules that set each other off: each note sets off the other rule's note."""
    ping = rule("Ping", "note.added", ("note_visibility", "is", "internal"))
    Action.objects.create(rule=ping, kind="internal_note", text="ping")
    pong = rule("Pong", "note.added", ("note_visibility", "is", "internal"))
    Action.objects.create(rule=pong, kind="internal_note", text="pong")
    issue = create("Pump squeaks")
    actions.add_note(
        actor=user("csr"), transaction=issue, body="Start.", visibility=Note.Visibility.INTERNAL
    )
    for _ in range(10):
        worker()
    notes = internal_notes(issue)
    assert notes[0] == "Start."
    # Depth 1: both answer the person's note; depth 2: each answers the other's; at
    # depth 3 the chain stops.
    assert len(notes) - 1 == 2 + 2 + 2
    assert max(Event.objects.filter(subject_id=str(issue.pk)).values_list("depth", flat=True)) == 3


def test_a_failing_action_is_kept_and_tried_again_without_stopping_the_others(
    worker: Worker,
) -> None:
    product = Classification.objects.get(code="product")
    tag = rule("Tag, then note", "transaction.created")
    # A product that is not one: the first action fails…
    broken = Action.objects.create(
        rule=tag, kind="set_classification", classification=product, text="no-such-product"
    )
    Action.objects.create(rule=tag, kind="internal_note", position=2, text="Tagged.")
    issue = create("Pump squeaks")
    worker()
    # …the second ran all the same, and the failure is written down, to try again.
    assert internal_notes(issue) == ["Tagged."]
    failure = Failure.objects.get(action=broken)
    assert failure.transaction_id == issue.pk
    assert "product" in failure.error.lower()
    assert failure.done_at is None

    # Not due yet: nothing is tried.
    assert engine.retry_failures(now=timezone.now()) == 0
    later = timezone.now() + datetime.timedelta(minutes=2)
    # Still failing: counted, and put off further.
    assert engine.retry_failures(now=later) == 0
    failure.refresh_from_db()
    assert failure.attempts == 2
    assert failure.next_try_at > later

    # The administrator mends the action; the next try does it, once.
    choice = Choice.objects.filter(classification=product).first()
    assert choice is not None
    Action.objects.filter(pk=broken.pk).update(choice=choice, text="")
    assert engine.retry_failures(now=failure.next_try_at) == 1
    failure.refresh_from_db()
    assert failure.done_at is not None
    assert actions.profile_of(Transaction.objects.get(pk=issue.pk))["product"] == choice.label
    assert engine.retry_failures(now=failure.next_try_at + datetime.timedelta(hours=3)) == 0


def test_a_time_of_day_window_may_span_midnight() -> None:
    from portico.automations.conditions import Context, holds

    night = Condition(field="time_of_day", operator="between", value="22:00-06:00")
    for hour, inside in ((23, True), (3, True), (12, False), (6, False), (22, True)):
        moment = timezone.localtime().replace(hour=hour, minute=0)
        context = Context(event=Event(occurred_at=moment, data={}))
        assert holds(night, context) is inside, hour


def test_an_event_no_rule_follows_does_not_wait_for_the_worker() -> None:
    from portico.parties import services as parties
    from tests.console.test_lists import individual

    kirsty = individual("colleague")

    def change_job_title(title: str) -> Event:
        parties.update_contact_details(
            actor=user("administrator"),
            individual=kirsty,
            first_name=kirsty.first_name,
            last_name=kirsty.last_name,
            job_title=title,
            phone=kirsty.phone,
            mobile=kirsty.mobile,
        )
        return Event.objects.filter(action="individual.updated").latest("id")

    assert change_job_title("Plant manager").dispatched_at is not None
    watch = rule("Watch contact changes", "individual.updated")
    Action.objects.create(rule=watch, kind="notify", target="account_owner", text="{{ person }}")
    assert change_job_title("Operations manager").dispatched_at is None
