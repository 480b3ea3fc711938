"""Rules in Systems Admin: a mistake in a condition, an action or the rule shows on its
field and saves nothing; a good rule saves whole; default rules are switched off, never
deleted; a failed action is tried again from its list."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from portico.audit.models import Event
from portico.automations.models import Action, Condition, Failure, Rule
from portico.notify.models import Notification
from portico.parties.models import Individual
from tests.console.test_lists import create

ClientFor = Callable[[str], Client]
ADD = "/admin/automations/rule/add/"


def form(
    rule: dict[str, Any], conditions: list[dict[str, Any]], actions: list[dict[str, Any]]
) -> dict[str, Any]:
    """The rule page's POST: the rule's fields and its two inline tables."""
    data: dict[str, Any] = {
        "name": "",
        "description": "",
        "active": "on",
        "position": "100",
        "trigger": "event",
        "event": "",
        "timer": "",
        **rule,
    }
    for prefix, rows in (("conditions", conditions), ("actions", actions)):
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = "0"
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        for index, row in enumerate(rows):
            for name, value in row.items():
                data[f"{prefix}-{index}-{name}"] = value
    return data


def counts() -> tuple[int, int, int]:
    return Rule.objects.count(), Condition.objects.count(), Action.objects.count()


def test_bad_conditions_and_actions_show_their_errors_and_save_nothing(
    client_for: ClientFor,
) -> None:
    admin = client_for("administrator")
    before = counts()
    response = admin.post(
        ADD,
        form(
            {"name": "Complaints at night", "event": "transaction.created"},
            [
                {"field": "time_of_day", "operator": "is", "value": "nine to five"},
                {"field": "classification", "operator": "is", "value": "fault"},
            ],
            [
                {"position": "1", "kind": "notify", "target": ""},
                {"position": "2", "kind": "email_customer", "mail_kind": "reminder"},
                {"position": "3", "kind": "forward", "after_minutes": "30"},
            ],
        ),
    )
    assert response.status_code == 200
    page = response.content.decode()
    for message in (
        "A time of day is tested with “is between”.",
        "Write the window as HH:MM-HH:MM, e.g. 09:00-17:30.",
        "Choose the classification to test.",
        "Choose whom it is for.",
        "This message is sent by a rule on the timer “waiting on the customer”.",
        "Choose the team to forward to.",
    ):
        assert message in page, message
    assert counts() == before


def test_the_rule_itself_must_say_what_starts_it(client_for: ClientFor) -> None:
    admin = client_for("administrator")
    before = counts()
    no_event = admin.post(
        ADD,
        form(
            {"name": "Nothing starts me"},
            [],
            [{"position": "1", "kind": "notify", "target": "assignees"}],
        ),
    )
    assert "Choose the event the rule acts on." in no_event.content.decode()
    no_timer = admin.post(ADD, form({"name": "No clock", "trigger": "time"}, [], []))
    assert "Choose the moment the rule&#x27;s actions count from." in no_timer.content.decode()
    assert counts() == before


def test_a_time_rules_actions_say_when_except_closing_after_the_reopen_period(
    client_for: ClientFor,
) -> None:
    admin = client_for("administrator")
    before = counts()
    refused = admin.post(
        ADD,
        form(
            {"name": "Nudge", "trigger": "time", "timer": "response_due"},
            [{"field": "note_by", "operator": "is", "value": "customer"}],
            [{"position": "1", "kind": "notify", "target": "assignees"}],
        ),
    )
    page = refused.content.decode()
    assert "Say when, in minutes from the rule&#x27;s moment (negative: before it)." in page
    assert "A time rule has no note to test." in page
    assert counts() == before

    saved = admin.post(
        ADD,
        form(
            {"name": "Close resolved P1s", "trigger": "time", "timer": "resolved"},
            [{"field": "priority", "operator": "is", "value": "P1"}],
            [{"position": "1", "kind": "close", "text": "Closed after the reopen period."}],
        ),
    )
    assert saved.status_code == 302
    rule = Rule.objects.get(name="Close resolved P1s")
    assert (rule.trigger, rule.timer, rule.event) == ("time", "resolved", "")
    (close,) = rule.actions.all()
    assert (close.kind, close.after_minutes) == ("close", None)


def test_a_good_rule_saves_whole(client_for: ClientFor) -> None:
    admin = client_for("administrator")
    morag = Individual.objects.get(email="morag.campbell@brightwater.example")
    answer = admin.post(
        ADD,
        form(
            {"name": "P1 pumps to Morag", "event": "transaction.created", "timer": "waiting"},
            [
                {"field": "priority", "operator": "is", "value": "P1"},
                {"field": "time_of_day", "operator": "between", "value": "18:00-08:00"},
            ],
            [
                {
                    "position": "1",
                    "kind": "notify",
                    "target": "person",
                    "individual": str(morag.pk),
                    "text": "Out of hours P1: {{ number }}",
                },
                {"position": "2", "kind": "email_customer", "mail_kind": "update"},
            ],
        ),
    )
    assert answer.status_code == 302, answer.content.decode()[:3000]
    rule = Rule.objects.get(name="P1 pumps to Morag")
    assert rule.timer == ""  # an event rule has no clock, whatever was sent
    assert [str(c) for c in rule.conditions.all()] == [
        "Priority (code) is P1",
        "Time of day (HH:MM-HH:MM, site time) is between 18:00-08:00",
    ]
    assert [(a.kind, a.individual_id) for a in rule.actions.all()] == [
        ("notify", morag.pk),
        ("email_customer", None),
    ]


def test_a_default_rule_cannot_be_deleted_but_switched_off(
    client_for: ClientFor, worker: Callable[[], int]
) -> None:
    admin = client_for("administrator")
    default = Rule.objects.get(code="complaint-to-supervisor")
    assert admin.get(f"/admin/automations/rule/{default.pk}/delete/").status_code == 403
    page = admin.get(f"/admin/automations/rule/{default.pk}/change/").content.decode()
    assert f"/admin/automations/rule/{default.pk}/delete/" not in page
    # Nor among others, by the list's "delete selected".
    own = Rule.objects.create(name="Mine", event="transaction.created")
    admin.post(
        "/admin/automations/rule/",
        {"action": "delete_selected", "_selected_action": [default.pk, own.pk], "post": "yes"},
    )
    assert Rule.objects.filter(pk=default.pk).exists()
    # An administrator's own rule goes.
    admin.post(f"/admin/automations/rule/{own.pk}/delete/", {"post": "yes"})
    assert not Rule.objects.filter(pk=own.pk).exists()

    admin.post(
        "/admin/automations/rule/",
        {"action": "switch_off", "_selected_action": [default.pk]},
    )
    default.refresh_from_db()
    assert not default.active
    # Switched off, it tells no one of the next complaint.
    complaint = create("Rude driver", application="complaint", profile={"category": "staff"})
    worker()
    assert not Notification.objects.filter(transaction=complaint, kind="complaint").exists()

    admin.post(
        "/admin/automations/rule/",
        {"action": "switch_on", "_selected_action": [default.pk]},
    )
    default.refresh_from_db()
    assert default.active


def test_a_failed_action_is_tried_again_from_its_list(
    client_for: ClientFor, worker: Callable[[], int]
) -> None:
    complaint = create("Cold engineer", application="complaint", profile={"category": "staff"})
    worker()
    Notification.objects.filter(transaction=complaint).delete()
    created = Event.objects.get(action="transaction.created", subject_id=str(complaint.pk))
    action = Action.objects.get(rule__code="complaint-to-supervisor")
    failure = Failure.objects.create(
        action=action, event=created, transaction=complaint, error="SMTP down", attempts=8
    )
    admin = client_for("administrator")
    listing = admin.get("/admin/automations/failure/").content.decode()
    assert "SMTP down" in listing
    assert complaint.number in listing

    admin.post(
        "/admin/automations/failure/",
        {"action": "try_again", "_selected_action": [failure.pk]},
    )
    failure.refresh_from_db()
    assert failure.done_at is not None
    (notice,) = Notification.objects.filter(transaction=complaint, kind="complaint")
    assert notice.recipient.email == "morag.campbell@brightwater.example"


@pytest.mark.parametrize("period", ["1d", "7d", "30d", "bad"])
def test_the_dry_run_page_opens_from_the_rule(client_for: ClientFor, period: str) -> None:
    admin = client_for("administrator")
    rule = Rule.objects.get(code="complaint-to-supervisor")
    change = admin.get(f"/admin/automations/rule/{rule.pk}/change/").content.decode()
    assert f'href="/admin/automations/rule/{rule.pk}/dry-run/"' in change
    page = admin.get(f"/admin/automations/rule/{rule.pk}/dry-run/", {"period": period})
    assert page.status_code == 200
    assert "This rule would have matched 1 transaction in the last" in page.content.decode()
    assert (
        client_for("supervisor").get(f"/admin/automations/rule/{rule.pk}/dry-run/").status_code
        == 403
    )


def _as_posted(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    return getattr(value, "pk", value)


def saved_again(admin: Client, url: str) -> Any:
    """Post a rule's page back as it was shown: the rule and every row of its tables."""
    page = admin.get(url).context
    form = page["adminform"].form
    data = {name: _as_posted(form[name].value()) for name in form.fields}
    data = {name: value for name, value in data.items() if value != ""}
    for inline in page["inline_admin_formsets"]:
        formset = inline.formset
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = value
        for row in formset.forms:
            for name in row.fields:
                value = _as_posted(row[name].value())
                if value != "":
                    data[f"{row.prefix}-{name}"] = value
    return admin.post(url, data)


def test_every_default_rule_saves_again_as_it_is(client_for: ClientFor) -> None:
    admin = client_for("administrator")
    for rule in Rule.objects.exclude(code=None):
        answer = saved_again(admin, f"/admin/automations/rule/{rule.pk}/change/")
        assert answer.status_code == 302, (rule.code, answer.content.decode()[:3000])
