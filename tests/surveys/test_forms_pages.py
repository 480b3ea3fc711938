"""Feedback forms' pages (issue 23): the portals list the forms open to the person and
take answers with the API's rules and words; the results page and its CSV are for the
Reports zone and administrators; administrators build forms in Systems Admin."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from portico.surveys import feedback
from portico.surveys.models import Form, Question, Response
from tests.api.conftest import api_for, token_for
from tests.surveys.form_factory import build_form, good, ids, person

__all__ = ["api_for", "token_for"]  # the API's fixtures, to compare its answers


def _portal_post(client: Client, form: Form, data: dict[str, Any]) -> Any:
    """The answers as a browser posts them: one field per question, q<id>."""
    fields: dict[str, Any] = {f"q{key}": value for key, value in data.items()}
    return client.post(f"/portal/forms/{form.pk}/", fields)


def _page_errors(html: str, form: Form) -> dict[str, list[str]]:
    """The messages the page shows under each question, by question id."""
    found: dict[str, list[str]] = {}
    for question in form.questions.all():
        block = re.search(
            rf'<ul class="errorlist" id="q{question.pk}-error">(.*?)</ul>', html, re.S
        )
        if block:
            found[str(question.pk)] = re.findall(r"<li>(.*?)</li>", block.group(1))
    return found


def test_the_demo_form_is_offered_to_customers_only(client_for: Callable[[str], Client]) -> None:
    demo = Form.objects.get(title__startswith="How do you use")
    customer = client_for("customer")
    home = customer.get("/portal/").content.decode()
    assert 'href="/portal/forms/">Feedback forms</a>' in home
    listing = customer.get("/portal/forms/").content.decode()
    assert f'href="/portal/forms/{demo.pk}/">{demo.title}</a>' in listing.replace("&#x27;", "'")
    partner = client_for("partner")
    assert "Feedback forms</a>" not in partner.get("/partners/").content.decode()
    assert "no forms for you" in partner.get("/partners/forms/").content.decode()
    assert partner.get(f"/partners/forms/{demo.pk}/").status_code == 404
    # The same 404 for a form that does not exist at all.
    assert customer.get("/portal/forms/999999/").status_code == 404


def test_each_kind_is_rendered_with_labels_and_fieldsets(
    client_for: Callable[[str], Client],
) -> None:
    form = build_form()
    html = client_for("customer").get(f"/portal/forms/{form.pk}/").content.decode()
    q = ids(form)
    assert f'<label for="q{q["Comment"]}">Comment</label>' in html
    assert f'<textarea id="q{q["Comment"]}" name="q{q["Comment"]}"' in html
    assert f'<input type="date" id="q{q["Installed"]}"' in html
    for label in ("How often", "Features", "Rating"):
        assert re.search(rf'<fieldset[^>]*id="q{q[label]}"[^>]*>\s*<legend>{label}', html), label
    assert html.count(f'type="checkbox" name="q{q["Features"]}"') == 3
    assert html.count(f'type="radio" name="q{q["Rating"]}"') == 5


def test_a_refused_answer_shows_the_same_words_as_the_api(
    client_for: Callable[[str], Client], api_for: Callable[[str], Client]
) -> None:
    form = build_form(once=False)
    q = ids(form)
    bad_inputs: list[dict[str, Any]] = [
        {q["Rating"]: "6", q["Features"]: ["Coffee"], q["Installed"]: "31/01/2024"},
        {q["How often"]: "Hourly", q["Comment"]: "x" * (feedback.MAX_TEXT + 1)},
        {},
    ]
    customer = client_for("customer")
    api = api_for("customer")
    for data in bad_inputs:
        page = _portal_post(customer, form, data)
        assert page.status_code == 400
        shown = _page_errors(page.content.decode(), form)
        answered = api.post(
            f"/api/v1/forms/{form.pk}/responses/",
            {"answers": data},
            content_type="application/json",
        ).json()["errors"]
        api_messages = {key.removeprefix("answers."): value for key, value in answered.items()}
        assert shown == api_messages, data
        assert shown  # something was wrong, and said so
    assert not Response.objects.filter(form=form).exists()


def test_a_good_answer_from_the_page_then_thanks(client_for: Callable[[str], Client]) -> None:
    form = build_form(once=True)
    customer = client_for("customer")
    sent = _portal_post(customer, form, good(form))
    assert sent.status_code == 302
    assert sent["Location"] == f"/portal/forms/{form.pk}/?thanks=1"
    assert "Thank you" in customer.get(sent["Location"]).content.decode()
    made = Response.objects.get(form=form)
    assert made.person == person("customer")
    assert sorted(
        made.values.filter(question__label="Features").values_list("choice", flat=True)
    ) == [
        "Readings",
        "Reports",
    ]
    # Answered: gone from the list, and the page says so instead of offering it again.
    assert f"/portal/forms/{form.pk}/" not in customer.get("/portal/forms/").content.decode()
    again = customer.get(f"/portal/forms/{form.pk}/").content.decode()
    assert "answered this form already" in again
    assert "<textarea" not in again
    refused = _portal_post(customer, form, good(form))
    assert feedback.ANSWERED in refused.content.decode()
    assert Response.objects.filter(form=form).count() == 1


def test_results_for_the_reports_zone_and_administrators(
    client_for: Callable[[str], Client],
) -> None:
    form = build_form(once=False)
    q = ids(form)
    for rating, often in ((5, "Daily"), (3, "Daily"), (4, "Weekly")):
        feedback.submit(
            form=form, person=person("customer"), data={q["Rating"]: rating, q["How often"]: often}
        )
    feedback.submit(
        form=form,
        person=person("customer"),
        data={q["Rating"]: 1, q["How often"]: "Weekly", q["Comment"]: "=1+1"},
    )
    for key in ("supervisor", "administrator"):
        page = client_for(key).get(f"/console/forms/{form.pk}/results/")
        assert page.status_code == 200, key
        html = page.content.decode()
        assert "4 answers" in html
        assert "average 3.25 of 5" in html  # (5 + 3 + 4 + 1) / 4
        assert re.search(r"<th scope=\"row\">Daily</th><td>2</td>", html)
        listing = client_for(key).get("/console/forms/").content.decode()
        assert f'href="/console/forms/{form.pk}/results/"' in listing
        exported = client_for(key).get(f"/console/forms/{form.pk}/results.csv")
        assert exported["Content-Type"] == "text/csv; charset=utf-8"
        assert "'=1+1" in exported.content.decode()
    home = client_for("supervisor").get("/console/").content.decode()
    assert '<a href="/console/forms/">Feedback forms</a>' in home
    assert 'href="/console/forms/"' not in client_for("csr").get("/console/").content.decode()
    for key in ("csr", "technician", "customer"):
        for path in ("/console/forms/", f"/console/forms/{form.pk}/results/"):
            assert client_for(key).get(path).status_code == 403, (key, path)
        assert client_for(key).get(f"/console/forms/{form.pk}/results.csv").status_code == 403
    assert client_for("supervisor").get("/console/forms/999999/results/").status_code == 404


def _admin_post(client: Client, data: dict[str, str]) -> Any:
    management = {
        "questions-TOTAL_FORMS": "1",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }
    base = {"title": "Pumps", "introduction": "", "one_answer_per_person": "on"}
    return client.post("/admin/surveys/form/add/", {**management, **base, **data})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"questions-0-kind": "choice", "questions-0-label": "Pick", "questions-0-choices": "A"},
            "Give at least two choices, one a line.",
        ),
        (
            {
                "questions-0-kind": "rating",
                "questions-0-label": "Rate",
                "questions-0-rating_max": "12",
            },
            "A rating goes up to 2 at least, 10 at most.",
        ),
        (
            {
                "opens_at_0": "2026-03-02",
                "opens_at_1": "10:00",
                "closes_at_0": "2026-03-01",
                "closes_at_1": "10:00",
            },
            "It must close after it opens.",
        ),
        (
            {"anonymous": "on"},
            "An anonymous form cannot keep to one answer per person",
        ),
    ],
)
def test_the_admin_explains_each_mistake(
    client_for: Callable[[str], Client], data: dict[str, str], message: str
) -> None:
    defaults = {
        "questions-0-position": "1",
        "questions-0-rating_max": "5",
        "questions-0-kind": "text",
        "questions-0-label": "Anything?",
    }
    answer = _admin_post(client_for("administrator"), {**defaults, **data})
    assert answer.status_code == 200
    assert message in answer.content.decode().replace("&#x27;", "'")
    assert not Form.objects.filter(title="Pumps").exists()


def test_the_admin_builds_a_form(client_for: Callable[[str], Client]) -> None:
    answer = _admin_post(
        client_for("administrator"),
        {
            "questions-0-position": "1",
            "questions-0-kind": "multiple",
            "questions-0-label": "Which?",
            "questions-0-choices": "A\nB\n\nB",
            "questions-0-rating_max": "5",
        },
    )
    assert answer.status_code == 302
    made = Form.objects.get(title="Pumps")
    question = Question.objects.get(form=made)
    assert question.options == ["A", "B"]
