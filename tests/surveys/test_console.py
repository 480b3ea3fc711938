"""The satisfaction panel on the console's transaction page, as the staff see it: when
it was asked, the answer and comment, and for a "not satisfied" answer the button that
marks it followed up — offered only to those the service lets do it. The history reads
the answer and the follow-up as sentences; the follow-up's note stays with the staff
who read internal notes."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from portico.audit.models import Event
from portico.service import actions, selectors
from portico.service.models import Permission, Transaction
from portico.surveys import services as surveys
from portico.surveys.models import Answer
from tests.automations.test_defaults import customer_request, deliver, move
from tests.portal.conftest import individual, page, user

pytestmark = pytest.mark.usefixtures("demo_data")

Worker = Callable[[], int]
BUTTON = "Mark followed up"


def not_satisfied(worker: Worker) -> Transaction:
    issue = customer_request("Dosing pump alarm")
    move(issue, "in-progress")
    move(issue, "resolved", resolution="Threshold reset to 4.5 bar.")
    deliver(worker)
    surveys.answer(
        person=individual("customer"), transaction=issue, rating=1, comment="It alarms again."
    )
    deliver(worker)
    return issue


def console(key: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user(key))
    return client


def csrf(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found is not None
    return found[1]


def url(issue: Transaction) -> str:
    return f"/console/transactions/{issue.number}/"


def test_the_panel_shows_the_answer_and_the_supervisor_marks_it_followed_up(
    worker: Worker,
) -> None:
    issue = not_satisfied(worker)
    morag = console("supervisor")
    html = page(morag.get(url(issue)))
    panel = html[
        html.index('id="satisfaction"') : html.index("</section>", html.index('id="satisfaction"'))
    ]
    assert "Ewan Grant" in panel
    assert "<strong>Not satisfied</strong>" in panel
    assert "It alarms again." in panel
    assert BUTTON in panel
    assert issue.pk in {t.pk for t in selectors.task_list(user("supervisor"))}

    done = morag.post(
        f"{url(issue)}follow-up/",
        {"note": "Called Ewan; a technician visits Monday.", "csrfmiddlewaretoken": csrf(html)},
    )
    assert done.status_code == 302
    assert done["Location"] == url(issue)
    answer = Answer.objects.get(transaction=issue)
    assert answer.followed_up_by == user("supervisor")
    assert issue.pk not in {t.pk for t in selectors.task_list(user("supervisor"))}

    html = page(morag.get(url(issue)))
    assert BUTTON not in html
    assert "<dt>Followed up</dt><dd>Morag Campbell, " in html
    # The history reads both as sentences, the follow-up's note included.
    assert "Satisfaction survey answered" in html
    assert "Not satisfied (rating 1): “It alarms again.”" in html
    assert "Not-satisfied answer followed up" in html
    assert "Note: Called Ewan; a technician visits Monday." in html
    assert Event.objects.get(action="satisfaction.followed_up").internal is True


def test_a_changed_answer_reads_as_changed_in_the_history(worker: Worker) -> None:
    issue = not_satisfied(worker)
    surveys.answer(person=individual("customer"), transaction=issue, rating=2, comment="Fine now.")
    html = page(console("csr").get(url(issue)))
    assert "Satisfied (rating 2), a changed answer: “Fine now.”" in html
    assert "(changed " in html
    assert BUTTON not in html  # satisfied after all: nothing to follow up


def test_no_button_for_those_the_service_refuses(worker: Worker) -> None:
    issue = not_satisfied(worker)
    # Tom, on this transaction Read only by a grant to him, may not add internal notes.
    actions.grant(
        actor=user("csr"),
        transaction=issue,
        permission=Permission.objects.get(code="read"),
        individual=individual("technician"),
    )
    tom = console("technician")
    html = page(tom.get(url(issue)))
    assert "It alarms again." in html
    assert BUTTON not in html
    refused = tom.post(f"{url(issue)}follow-up/", {"csrfmiddlewaretoken": csrf(html)})
    assert refused.status_code == 403
    assert surveys.open_follow_ups().filter(transaction=issue).count() == 1
    assert not Event.objects.filter(action="satisfaction.followed_up").exists()


def test_the_follow_up_note_is_for_the_staff_who_read_internal_notes(worker: Worker) -> None:
    issue = not_satisfied(worker)
    surveys.follow_up(actor=user("supervisor"), transaction=issue, note="Refund agreed.")
    actions.grant(
        actor=user("csr"),
        transaction=issue,
        permission=Permission.objects.get(code="read"),
        individual=individual("technician"),
    )
    assert "Note: Refund agreed." in page(console("csr").get(url(issue)))
    assert "Refund agreed." not in page(console("technician").get(url(issue)))
    customer = Client()
    customer.force_login(user("customer"))
    portal = page(customer.get(f"/portal/t/{issue.number}/"))
    assert "Refund agreed." not in portal
    assert "followed up" not in portal


def test_a_too_long_note_is_refused_with_nothing_written(worker: Worker) -> None:
    issue = not_satisfied(worker)
    morag = console("supervisor")
    html = page(morag.get(url(issue)))
    refused = morag.post(
        f"{url(issue)}follow-up/", {"note": "x" * 4001, "csrfmiddlewaretoken": csrf(html)}
    )
    assert refused.status_code == 400
    assert surveys.open_follow_ups().filter(transaction=issue).count() == 1


def test_customers_and_strangers_cannot_reach_it(worker: Worker) -> None:
    issue = not_satisfied(worker)
    customer = Client()
    customer.force_login(user("customer"))
    assert customer.post(f"{url(issue)}follow-up/").status_code == 403  # not the console zone
    assert Client().post(f"{url(issue)}follow-up/").status_code == 302  # to log in
    assert surveys.open_follow_ups().filter(transaction=issue).count() == 1
