"""Feedback forms (issue 23): each question kind's rules, required answers, the
audience and the dates, one answer a person, anonymous answers that keep nobody, the
results worked out by hand, and a CSV whose cells no spreadsheet runs."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db import transaction as db
from django.utils import timezone

from portico import access
from portico.audit.models import Event
from portico.parties.models import User
from portico.surveys import feedback
from portico.surveys.models import Form, Question, Response, ResponseValue
from tests.surveys.form_factory import build_form, good, ids, person

pytestmark = pytest.mark.usefixtures("demo_people")

DAY = datetime.timedelta(days=1)


def _errors(form: Form, data: dict[str, object]) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        feedback.submit(form=form, person=person("customer"), data=data)
    return refused.value.message_dict


# --- each kind --------------------------------------------------------------------------


def test_a_good_answer_is_stored_with_who_and_when() -> None:
    form = build_form()
    before = timezone.now()
    made = feedback.submit(form=form, person=person("customer"), data=good(form))
    assert made.person == person("customer")
    assert made.submitted_at >= before
    stored = {
        (v.question.label, v.text, v.choice, v.number, v.date)
        for v in ResponseValue.objects.filter(response=made).select_related("question")
    }
    assert stored == {
        ("Comment", "Works well", "", None, None),
        ("How often", "", "Daily", None, None),
        ("Features", "", "Readings", None, None),
        ("Features", "", "Reports", None, None),
        ("Rating", "", "", 4, None),
        ("Installed", "", "", None, datetime.date(2024, 3, 1)),
    }
    event = Event.objects.get(action="form.answered")
    assert event.actor == person("customer").user
    assert event.data == {"title": "Site survey", "anonymous": False, "response": made.pk}


@pytest.mark.parametrize(
    ("label", "value", "message"),
    [
        ("How often", "Hourly", feedback.NOT_OFFERED),
        ("How often", ["Daily", "Weekly"], feedback.NOT_OFFERED),
        ("How often", 3, feedback.NOT_OFFERED),
        ("Features", ["Readings", "Coffee"], feedback.NOT_OFFERED),
        ("Features", [{"a": 1}], feedback.NOT_OFFERED),
        ("Rating", 6, "Choose a rating from 1 to 5."),
        ("Rating", 0, "Choose a rating from 1 to 5."),
        ("Rating", "four", "Choose a rating from 1 to 5."),
        ("Rating", True, "Choose a rating from 1 to 5."),
        ("Installed", "01/03/2024", feedback.NOT_DATE),
        ("Installed", "2024-02-30", feedback.NOT_DATE),
        ("Comment", 12, feedback.NOT_TEXT),
        ("Comment", "a\x00b", feedback.NOT_TEXT),
        ("Comment", "x" * (feedback.MAX_TEXT + 1), feedback.TOO_LONG),
    ],
)
def test_each_kind_refuses_what_it_cannot_hold(label: str, value: object, message: str) -> None:
    form = build_form()
    data = good(form)
    data[ids(form)[label]] = value
    assert _errors(form, data) == {ids(form)[label]: [message]}
    assert not Response.objects.exists()
    assert not Event.objects.filter(action="form.answered").exists()


def test_a_rating_and_a_choice_may_come_as_text_or_as_a_list_of_one() -> None:
    form = build_form()
    data = good(form)
    q = ids(form)
    data[q["Rating"]], data[q["How often"]], data[q["Features"]] = "5", ["Weekly"], "Alarms"
    made = feedback.submit(form=form, person=person("customer"), data=data)
    values = ResponseValue.objects.filter(response=made)
    assert values.get(question_id=q["Rating"]).number == 5
    assert values.get(question_id=q["How often"]).choice == "Weekly"
    assert [v.choice for v in values.filter(question_id=q["Features"])] == ["Alarms"]


def test_every_problem_is_reported_at_once_and_required_ones_say_so() -> None:
    form = build_form()
    q = ids(form)
    errors = _errors(form, {q["Comment"]: "  ", q["Rating"]: 9, "999": "x"})
    assert errors == {
        q["How often"]: [feedback.REQUIRED],
        q["Rating"]: ["Choose a rating from 1 to 5."],
        "999": [feedback.NO_SUCH_QUESTION],
    }


def test_optional_questions_may_be_left_out() -> None:
    form = build_form()
    q = ids(form)
    made = feedback.submit(
        form=form, person=person("customer"), data={q["How often"]: "Weekly", q["Rating"]: 1}
    )
    assert ResponseValue.objects.filter(response=made).count() == 2


# --- audience and dates -------------------------------------------------------------------


def test_the_audience_decides_who_is_offered_it() -> None:
    form = build_form(groups=("Customers",))
    customer, partner = person("customer"), person("partner")
    assert list(access.answerable_forms(customer.user)) == [form]
    assert list(access.answerable_forms(partner.user)) == []
    assert list(access.answerable_forms(person("csr").user)) == []
    with pytest.raises(PermissionDenied):
        feedback.submit(form=form, person=partner, data=good(form))
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("opens_in", "closes_in", "active", "listed"),
    [
        (-DAY, DAY, True, True),
        (None, None, True, True),
        (DAY, 2 * DAY, True, False),  # not open yet
        (-2 * DAY, -DAY, True, False),  # closed
        (-DAY, DAY, False, False),  # inactive
    ],
)
def test_dates_and_active(
    opens_in: datetime.timedelta | None,
    closes_in: datetime.timedelta | None,
    active: bool,
    listed: bool,
) -> None:
    form = build_form(opens_in=opens_in, closes_in=closes_in, active=active)
    customer = person("customer")
    assert (form in access.answerable_forms(customer.user)) is listed
    if listed:
        feedback.submit(form=form, person=customer, data=good(form))
    elif active:
        with pytest.raises(ValidationError) as refused:
            feedback.submit(form=form, person=customer, data=good(form))
        assert refused.value.message_dict == {"__all__": [feedback.CLOSED]}
    else:
        with pytest.raises(PermissionDenied):
            feedback.submit(form=form, person=customer, data=good(form))
    assert Response.objects.filter(form=form).exists() is listed


def test_a_closed_form_refuses_an_answer_given_a_moment_too_late() -> None:
    form = build_form(closes_in=DAY)
    later = timezone.now() + 2 * DAY
    with pytest.raises(ValidationError):
        feedback.submit(form=form, person=person("customer"), data=good(form), now=later)
    assert form not in access.answerable_forms(person("customer").user, now=later)


# --- one answer a person ------------------------------------------------------------------


def test_one_answer_a_person_and_the_database_holds_to_it() -> None:
    form = build_form(once=True)
    customer = person("customer")
    first = feedback.submit(form=form, person=customer, data=good(form))
    assert form not in access.answerable_forms(customer.user)
    assert _errors(form, good(form)) == {"__all__": [feedback.ANSWERED]}
    # A colleague answers for herself.
    feedback.submit(form=form, person=person("colleague"), data=good(form))
    # Two answers at once would both pass the check above: the constraint keeps one.
    with pytest.raises(IntegrityError), db.atomic():
        Response.objects.create(form=form, person=customer, only_answer=True)
    assert Response.objects.filter(form=form, person=customer).get() == first


def test_many_answers_a_person_where_the_form_allows() -> None:
    form = build_form(once=False)
    customer = person("customer")
    feedback.submit(form=form, person=customer, data=good(form))
    feedback.submit(form=form, person=customer, data=good(form))
    assert Response.objects.filter(form=form, person=customer).count() == 2
    assert form in access.answerable_forms(customer.user)


def _offered(user: User | None, now: datetime.datetime | None = None) -> bool:
    """The navigation's answer, held to the list's: `has_answerable_forms` keeps the
    forms as set-up and judges their dates in Python."""
    offered = access.has_answerable_forms(user, now=now)
    assert offered is access.answerable_forms(user, now=now).exists()
    return offered


@pytest.mark.parametrize("once", [True, False])
def test_the_navigation_offers_forms_exactly_when_the_list_has_some(once: bool) -> None:
    customer, partner = person("customer"), person("partner")
    assert not _offered(customer.user)
    form = build_form(once=once, opens_in=-DAY, closes_in=DAY)
    assert _offered(customer.user)
    assert not _offered(partner.user)
    assert not _offered(person("csr").user)
    assert not _offered(customer.user, now=timezone.now() - 2 * DAY)  # not open yet
    assert not _offered(customer.user, now=timezone.now() + 2 * DAY)  # closed
    feedback.submit(form=form, person=customer, data=good(form))
    assert _offered(customer.user) is not once  # a one-answer form, answered
    assert _offered(person("colleague").user)
    form.active = False
    form.save()  # forgets the kept forms at once
    assert not _offered(person("colleague").user)
    form.active = True
    form.save()
    form.audience.clear()  # so does a change of audience
    assert not _offered(person("colleague").user)


# --- anonymous ----------------------------------------------------------------------------


def test_an_anonymous_answer_keeps_no_person() -> None:
    form = build_form(anonymous=True)
    customer = person("customer")
    made = feedback.submit(form=form, person=customer, data=good(form))
    made.refresh_from_db()
    assert made.person is None
    # Kept to the hour, so the moment cannot be matched with the person's log-in events.
    assert (made.submitted_at.minute, made.submitted_at.second) == (0, 0)
    # No column of the answer or its values holds the person, their log-in or their name.
    names = {str(customer.pk), str(customer.user_id), customer.name, customer.email}
    for row in [made, *ResponseValue.objects.filter(response=made)]:
        for column in type(row)._meta.concrete_fields:
            assert str(column.value_from_object(row)) not in names - {"None"} or column.name in (
                "id",
                "form",
                "response",
                "question",
                "number",
            ), column.name
    event = Event.objects.get(action="form.answered")
    assert event.actor is None
    assert event.actor_label == "Anonymous"
    assert event.data == {"title": "Site survey", "anonymous": True}


def test_anonymous_forms_take_any_number_of_answers() -> None:
    form = build_form(anonymous=True)
    feedback.submit(form=form, person=person("customer"), data=good(form))
    feedback.submit(form=form, person=person("customer"), data=good(form))
    assert Response.objects.filter(form=form).count() == 2
    # And cannot be told otherwise: one answer a person would mean keeping who answered.
    form.one_answer_per_person = True
    with pytest.raises(ValidationError) as refused:
        form.full_clean()
    assert "one_answer_per_person" in refused.value.message_dict
    with pytest.raises(IntegrityError), db.atomic():
        form.save()


def test_an_answered_form_cannot_become_anonymous_or_stop_being_so() -> None:
    form = build_form()
    feedback.submit(form=form, person=person("customer"), data=good(form))
    form.anonymous, form.one_answer_per_person = True, False
    with pytest.raises(ValidationError) as refused:
        form.full_clean()
    assert "anonymous" in refused.value.message_dict


# --- the administrator's rules ------------------------------------------------------------


def test_question_rules() -> None:
    form = build_form()
    choice = Question(form=form, kind=Question.Kind.CHOICE, label="Pick", choices="Only one")
    with pytest.raises(ValidationError, match="at least two choices"):
        choice.full_clean()
    rating = Question(form=form, kind=Question.Kind.RATING, label="Rate", rating_max=11)
    with pytest.raises(ValidationError) as refused:
        rating.full_clean()
    assert "rating_max" in refused.value.message_dict
    dates = Form(title="X", opens_at=timezone.now(), closes_at=timezone.now() - DAY)
    with pytest.raises(ValidationError) as refused:
        dates.full_clean()
    assert refused.value.message_dict["closes_at"] == ["It must close after it opens."]


# --- results ------------------------------------------------------------------------------


def _answer(form: Form, who: str, **by_label: object) -> None:
    q = ids(form)
    feedback.submit(
        form=form, person=person(who), data={q[label]: v for label, v in by_label.items()}
    )


def test_results_counted_by_hand() -> None:
    form = build_form(once=False)
    _answer(form, "customer", **{"How often": "Daily", "Rating": 5, "Features": ["Readings"]})
    _answer(
        form,
        "colleague",
        **{
            "How often": "Daily",
            "Rating": 2,
            "Features": ["Readings", "Alarms"],
            "Comment": "Loud",
        },
    )
    _answer(
        form,
        "other_customer",
        **{"How often": "Weekly", "Rating": 4, "Installed": "2023-01-31", "Comment": "Fine"},
    )
    total, per_question = feedback.results(form)
    assert total == 3
    by_label = {r.question.label: r for r in per_question}
    counts = {label: [(t.answer, t.count) for t in r.counts] for label, r in by_label.items()}
    assert counts["How often"] == [("Daily", 2), ("Weekly", 1)]
    assert counts["Features"] == [("Readings", 2), ("Alarms", 1), ("Reports", 0)]
    assert counts["Rating"] == [("1", 0), ("2", 1), ("3", 0), ("4", 1), ("5", 1)]
    assert by_label["Rating"].average == round((5 + 2 + 4) / 3, 2)
    assert by_label["Features"].answered == 2
    assert by_label["Comment"].texts == ["Loud", "Fine"]
    assert by_label["Installed"].texts == ["2023-01-31"]
    assert by_label["Installed"].answered == 1


def test_the_csv_has_every_answer_and_runs_no_formula() -> None:
    form = build_form(once=False)
    _answer(
        form,
        "customer",
        **{
            "How often": "Daily",
            "Rating": 3,
            "Features": ["Readings", "Reports"],
            "Comment": '=HYPERLINK("http://evil.example","x")',
        },
    )
    text = "".join(feedback.csv_chunks(form))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == [
        "Submitted",
        "Person",
        "Channel",
        "Comment",
        "How often",
        "Features",
        "Rating",
        "Installed",
    ]
    assert rows[1][1:] == [
        person("customer").name,
        "Web",
        '\'=HYPERLINK("http://evil.example","x")',
        "Daily",
        "Readings; Reports",
        "3",
        "",
    ]
    assert len(rows) == 2


def test_the_csv_of_an_anonymous_form_names_nobody() -> None:
    form = build_form(anonymous=True)
    _answer(form, "customer", **{"How often": "Daily", "Rating": 3})
    text = "".join(feedback.csv_chunks(form))
    assert person("customer").name not in text
    assert ",Anonymous," in text
