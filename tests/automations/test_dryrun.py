"""A rule's dry run: what a saved rule would have matched in a period, and what it would
have done — read from the record, with nothing run and nothing written."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone

from portico.audit.models import Event
from portico.automations import dryrun
from portico.automations.models import Action, Condition, Failure, Firing, Rule
from portico.notify.models import Delivery, Notification
from portico.parties.models import Individual
from portico.parties.services import deactivate_individual
from portico.service.models import Transaction
from tests.console.test_lists import create

pytestmark = pytest.mark.usefixtures("demo_people")

DAY = datetime.timedelta(days=1)


def created(title: str, *, priority: str, days_ago: float) -> Transaction:
    """A transaction whose creation the record dates `days_ago`."""
    made = create(title, priority=priority)
    Event.objects.filter(
        action="transaction.created",
        subject_type=ContentType.objects.get_for_model(Transaction),
        subject_id=str(made.pk),
    ).update(occurred_at=timezone.now() - days_ago * DAY)
    return made


def p1_rule() -> Rule:
    rule = Rule.objects.create(name="P1s to the supervisor", event="transaction.created")
    Condition.objects.create(rule=rule, field="priority", operator="is", value="P1")
    Action.objects.create(
        rule=rule, kind="notify", target="team_supervisor", text="P1 {{ number }}"
    )
    Action.objects.create(rule=rule, position=2, kind="email_customer", mail_kind="acknowledgement")
    return rule


def written() -> dict[str, int]:
    return {
        "notifications": Notification.objects.count(),
        "deliveries": Delivery.objects.count(),
        "events": Event.objects.count(),
        "failures": Failure.objects.count(),
        "firings": Firing.objects.count(),
        "transactions changed": Transaction.objects.filter(
            updated_at__gt=timezone.now() - datetime.timedelta(seconds=5)
        ).count(),
    }


def test_a_rule_matching_3_of_5_transactions_last_week_lists_those_3_and_writes_nothing() -> None:
    pumps = [
        created("Pump stopped", priority="P1", days_ago=1),
        created("Pump leaking", priority="P1", days_ago=3),
        created("Pump alarm", priority="P1", days_ago=6.5),
    ]
    created("Slow dashboard", priority="P3", days_ago=2)
    created("Manual request", priority="P3", days_ago=4)
    created("Old P1", priority="P1", days_ago=9)  # before the week
    rule = p1_rule()
    before = written()

    now = timezone.now()
    result = dryrun.matches(rule, since=now - 7 * DAY, until=now)

    assert [m.transaction.number for m in result.matches if m.transaction] == [
        t.number for t in pumps
    ]
    assert result.total == 3
    for match in result.matches:
        assert match.effects == [
            "Notify: Morag Campbell",
            "E-mail Ewan Grant: Acknowledgement of a new request",
        ]
    assert written() == before


def test_the_dry_run_page_lists_them_with_links_to_the_console(
    client_for: Callable[[str], Client],
) -> None:
    pumps = [
        created("Pump stopped", priority="P1", days_ago=0.5),
        created("Pump leaking", priority="P1", days_ago=20),
    ]
    rule = p1_rule()
    # The demo's own P1 came in by the portal: these by phone.
    Condition.objects.create(rule=rule, field="channel", operator="is", value="phone")
    admin = client_for("administrator")
    url = f"/admin/automations/rule/{rule.pk}/dry-run/"
    week = admin.get(url).content.decode()
    assert "This rule would have matched 1 transaction in the last 7 days" in week
    assert f'<a href="/console/transactions/{pumps[0].number}/">{pumps[0].number}</a>' in week
    assert pumps[1].number not in week
    month = admin.get(url, {"period": "30d"}).content.decode()
    assert "would have matched 2 transactions in the last 30 days" in month


def test_a_time_rule_lists_the_transactions_whose_moment_fell_in_the_period() -> None:
    now = timezone.now()
    missed = create("Missed", priority="P1")
    answered = create("Answered in time", priority="P1")
    later = create("Due tomorrow", priority="P1")
    Transaction.objects.filter(pk=missed.pk).update(response_due_at=now - 2 * DAY)
    Transaction.objects.filter(pk=answered.pk).update(
        response_due_at=now - 2 * DAY, first_response_at=now - 3 * DAY
    )
    Transaction.objects.filter(pk=later.pk).update(response_due_at=now + DAY)
    rule = Rule.objects.create(name="Overdue", trigger="time", timer="response_due")
    Action.objects.create(rule=rule, kind="notify", target="team_supervisor", after_minutes=0)
    # An hour after the breach, still within the week for the missed one only.
    Action.objects.create(
        rule=rule, position=2, kind="internal_note", after_minutes=60, text="Chase {{ number }}"
    )
    before = written()

    result = dryrun.matches(rule, since=now - 7 * DAY, until=now)

    assert [m.transaction.number for m in result.matches if m.transaction] == [missed.number]
    (match,) = result.matches
    assert [effect.split(": ", 1)[1] for effect in match.effects] == [
        "Notify: Morag Campbell",
        f"Internal note: Chase {missed.number}",
    ]
    assert written() == before


def test_closing_after_the_reopen_period_counts_each_applications_period() -> None:
    now = timezone.now()
    old = create("Resolved 20 days ago")
    recent = create("Resolved 2 days ago")
    Transaction.objects.filter(pk=old.pk).update(resolved_at=now - 20 * DAY)
    Transaction.objects.filter(pk=recent.pk).update(resolved_at=now - 2 * DAY)
    rule = Rule.objects.get(code="close-resolved")  # blank minutes: 14 days, the default

    result = dryrun.matches(rule, since=now - 7 * DAY, until=now)

    assert [m.transaction.number for m in result.matches if m.transaction] == [old.number]


def test_the_list_stops_at_its_limit_and_the_count_goes_on() -> None:
    for days_ago in (1, 2, 3):
        created(f"Pump {days_ago}", priority="P1", days_ago=days_ago)
    now = timezone.now()
    result = dryrun.matches(p1_rule(), since=now - 7 * DAY, until=now, limit=2)
    assert [m.transaction.title for m in result.matches if m.transaction] == ["Pump 1", "Pump 2"]
    assert result.total == 3


def test_a_rule_on_people_lists_the_people() -> None:
    ewan = Individual.objects.get(first_name="Ewan")
    admin = Individual.objects.get(first_name="Graham").user
    deactivate_individual(individual=ewan, actor=admin)
    rule = Rule.objects.get(code="person-left-to-account-owner")
    now = timezone.now()
    before = written()

    result = dryrun.matches(rule, since=now - DAY, until=now + DAY)

    (match,) = result.matches
    assert match.person == ewan
    assert match.effects == ["Notify: Callum Ross"]  # the demo's Harbour Foods account
    assert written() == before
