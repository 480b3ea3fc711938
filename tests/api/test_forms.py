"""Feedback forms in the API (issue 23): the caller's open forms, and answering one with
the portal's rules and words."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.test import Client

from portico.audit.models import Channel
from portico.surveys import feedback
from portico.surveys.models import Response
from tests.surveys.form_factory import build_form, good, ids, person


def _post(client: Client, form_id: int, answers: Any) -> Any:
    return client.post(
        f"/api/v1/forms/{form_id}/responses/", {"answers": answers}, content_type="application/json"
    )


def test_the_caller_sees_the_forms_open_to_them(api_for: Callable[[str], Client]) -> None:
    form = build_form(groups=("Customers",), title="Pumps")
    build_form(groups=("Partners",), title="For partners")
    listed = api_for("customer").get("/api/v1/forms/").json()
    mine = next(f for f in listed if f["id"] == form.pk)
    assert "For partners" not in [f["title"] for f in listed]
    assert [q["kind"] for q in mine["questions"]] == [
        "text",
        "choice",
        "multiple",
        "rating",
        "date",
    ]
    assert mine["questions"][2]["choices"] == ["Readings", "Alarms", "Reports"]
    assert mine["questions"][3]["rating_max"] == 5
    assert "Pumps" not in [f["title"] for f in api_for("partner").get("/api/v1/forms/").json()]


def test_answering_through_the_api(api_for: Callable[[str], Client]) -> None:
    form = build_form()
    answered = _post(api_for("customer"), form.pk, good(form))
    assert answered.status_code == 201, answered.json()
    assert answered.json()["anonymous"] is False
    made = Response.objects.get(form=form)
    assert made.person == person("customer")
    assert made.channel == Channel.API
    again = _post(api_for("customer"), form.pk, good(form))
    assert again.status_code == 400
    assert again.json()["errors"] == {"non_field_errors": [feedback.ANSWERED]}


def test_bad_answers_are_refused_per_question_and_nothing_is_written(
    api_for: Callable[[str], Client],
) -> None:
    form = build_form()
    q = ids(form)
    refused = _post(api_for("customer"), form.pk, {q["Rating"]: 7, q["Features"]: ["Coffee"]})
    assert refused.status_code == 400
    assert refused.json()["type"] == "invalid"
    assert refused.json()["errors"] == {
        f"answers.{q['How often']}": [feedback.REQUIRED],
        f"answers.{q['Features']}": [feedback.NOT_OFFERED],
        f"answers.{q['Rating']}": ["Choose a rating from 1 to 5."],
    }
    assert not Response.objects.filter(form=form).exists()
    assert _post(api_for("customer"), form.pk, "not an object").status_code == 400


def test_a_form_not_addressed_to_the_caller_is_a_404(api_for: Callable[[str], Client]) -> None:
    form = build_form(groups=("Partners",))
    missing = _post(api_for("customer"), form.pk, good(form))
    assert missing.status_code == 404
    assert _post(api_for("customer"), 999_999, {}).status_code == 404
    not_open = build_form(opens_in=datetime.timedelta(days=1))
    assert _post(api_for("customer"), not_open.pk, good(not_open)).status_code == 404
    assert not Response.objects.filter(form__in=[form, not_open]).exists()


def test_an_anonymous_answer_through_the_api_keeps_no_person(
    api_for: Callable[[str], Client],
) -> None:
    form = build_form(anonymous=True)
    answered = _post(api_for("customer"), form.pk, good(form))
    assert answered.status_code == 201
    assert answered.json()["anonymous"] is True
    assert Response.objects.get(form=form).person is None


def test_no_one_at_all_gets_401(db: None) -> None:
    assert Client().get("/api/v1/forms/").status_code == 401
    assert Client().post("/api/v1/forms/1/responses/", {}).status_code == 401
