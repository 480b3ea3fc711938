"""Profile values: typed values are checked, a refused change keeps nothing of itself,
a change that changes nothing leaves no event, and who may set a staff-only
classification (issue 19, item 10)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from portico.service import actions, selectors
from portico.service.models import Application, Classification, Priority, ProfileField, Transaction
from tests.service.actions.conftest import (
    application,
    individual,
    log_issue,
    new_issue,
    refused,
    sales_opportunity,
    trail,
    user,
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


# --- staff-only classifications ---------------------------------------------------------


def test_root_cause_is_staff_only_in_the_standard_set_up(demo_data: None) -> None:
    audiences = dict(Classification.objects.values_list("code", "audience"))
    assert audiences["root-cause"] == Classification.Audience.STAFF
    assert {c for c, a in audiences.items() if a == Classification.Audience.STAFF} == {"root-cause"}


def test_a_customer_may_not_set_a_staff_only_classification(demo_data: None) -> None:
    before = Transaction.objects.count()
    with pytest.raises(ValidationError) as refused:
        actions.create_transaction(
            actor=user("customer"),
            application=Application.objects.get(code="service-issue"),
            title="Pump alarm",
            profile={
                "issue-type": "fault",
                "product": "clearflow-dosing-pump",
                "root-cause": "user-error",
            },
        )
    assert refused.value.message_dict == {"root-cause": ["Root cause is set by our service team."]}
    assert Transaction.objects.count() == before


def test_staff_set_it_and_customers_are_not_asked_for_it_even_when_mandatory(
    demo_data: None,
) -> None:
    ProfileField.objects.filter(
        application__code="service-issue", classification__code="root-cause"
    ).update(mandatory=True)
    made = new_issue()  # the customer is not asked for it
    assert "root-cause" not in actions.profile_of(made)
    with pytest.raises(ValidationError, match="Root cause is required"):
        new_issue("csr")
    staff_made = actions.create_transaction(
        actor=user("csr"),
        application=Application.objects.get(code="service-issue"),
        title="Pump alarm",
        requester=individual("customer"),
        profile={
            "issue-type": "fault",
            "product": "clearflow-dosing-pump",
            "root-cause": "user-error",
        },
    )
    assert actions.profile_of(staff_made)["root-cause"] == "User error"


def test_the_profile_shown_leaves_staff_only_values_out_for_customers(demo_data: None) -> None:
    t = new_issue()
    actions.update_profile(actor=user("csr"), transaction=t, values={"root-cause": "user-error"})
    customer = [f.classification.code for f, _v in selectors.profile_shown(user("customer"), t)]
    staff = [f.classification.code for f, _v in selectors.profile_shown(user("csr"), t)]
    assert customer == ["issue-type", "product"]
    assert staff == ["issue-type", "product", "root-cause"]
