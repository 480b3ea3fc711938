"""The satisfaction question in the portals, as the person asked sees it: a banner on
the transaction page and a reminder on the home page, the answer posted from the
banner (logged in, with the CSRF token) through the same service as the e-mail's page,
then "Your answer" with a way to change it."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from portico import access
from portico.audit.models import Event
from portico.service import actions
from portico.service.models import Status, Transaction
from portico.surveys import services as surveys
from portico.surveys.models import Answer
from tests.automations.test_defaults import customer_request, deliver, move
from tests.portal.conftest import individual, page, permission, transaction, user

pytestmark = pytest.mark.usefixtures("demo_data")

Worker = Callable[[], int]
BANNER = "Were you satisfied with how we handled it?"


def resolved(worker: Worker, title: str = "Dosing pump alarm") -> Transaction:
    issue = customer_request(title)
    move(issue, "in-progress")
    move(issue, "resolved", resolution="Threshold reset to 4.5 bar.")
    deliver(worker)
    return issue


def logged_in(key: str) -> Client:
    """A browser that sends the CSRF token as a form does: none unless the page gave it."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user(key))
    return client


def post_answer(client: Client, url: str, data: dict[str, str]) -> object:
    html = page(client.get(url))
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found is not None
    return client.post(url + "satisfaction/", {**data, "csrfmiddlewaretoken": found[1]})


def test_the_customer_answers_from_the_banner_and_can_change_it(worker: Worker) -> None:
    issue = resolved(worker)
    client = logged_in("customer")
    home = page(client.get("/portal/"))
    assert "Were you satisfied?" in home
    assert f'href="/portal/t/{issue.number}/#satisfaction"' in home

    url = f"/portal/t/{issue.number}/"
    html = page(client.get(url))
    assert BANNER in html
    assert 'name="rating" value="1"' in html
    assert "Not satisfied" in html

    done = post_answer(client, url, {"rating": "1", "comment": "It alarms again."})
    assert getattr(done, "status_code", 0) == 302
    assert getattr(done, "url", "") == f"{url}#satisfaction"
    answer = Answer.objects.get(transaction=issue)
    assert (answer.rating, answer.satisfied, answer.comment) == (1, False, "It alarms again.")
    event = Event.objects.get(action="satisfaction.answered")
    assert event.channel == "web"
    assert event.actor == user("customer")

    html = page(client.get(url))
    assert BANNER not in html
    assert "Your answer: Not satisfied" in html
    assert "Change my answer" in html
    assert "Were you satisfied?" not in page(client.get("/portal/"))

    post_answer(client, url, {"rating": "2", "comment": "Fixed after all."})
    answer.refresh_from_db()
    assert (answer.rating, answer.satisfied, answer.changed_at is not None) == (2, True, True)
    assert "Your answer: Satisfied" in page(client.get(url))
    assert Answer.objects.filter(transaction=issue).count() == 1


@pytest.mark.parametrize(
    ("key", "prefix", "number"),
    [
        ("customer", "/portal/", "SI-000001"),
        ("partner", "/partners/", "SI-000001"),
        ("employee", "/employees/", "SI-000005"),
    ],
)
def test_each_portal_shows_and_takes_the_answer(key: str, prefix: str, number: str) -> None:
    asked = transaction(number)
    if key == "partner":  # the partner sees it through a grant to its organisation
        actions.grant(
            actor=user("csr"),
            transaction=asked,
            permission=permission("read"),
            organization=individual("partner").organization,
        )
    Answer.objects.create(transaction=asked, person=individual(key), sent_at=timezone.now())
    client = logged_in(key)
    assert f"{prefix}t/{number}/#satisfaction" in page(client.get(prefix))
    url = f"{prefix}t/{number}/"
    assert BANNER in page(client.get(url))
    done = post_answer(client, url, {"rating": "2"})
    assert getattr(done, "status_code", 0) == 302
    assert Answer.objects.get(transaction=asked, person=individual(key)).rating == 2


def test_a_refused_answer_is_shown_with_why_and_nothing_is_written(worker: Worker) -> None:
    issue = resolved(worker)
    client = logged_in("customer")
    url = f"/portal/t/{issue.number}/"
    refused = post_answer(client, url, {"rating": "5", "comment": "kept"})
    assert getattr(refused, "status_code", 0) == 400
    html = page(refused)
    assert "Choose one of the answers offered." in html
    assert "kept</textarea>" in html
    assert Answer.objects.get(transaction=issue).answered_at is None
    assert not Event.objects.filter(action="satisfaction.answered").exists()


def test_the_extra_question_and_reopening(worker: Worker) -> None:
    issue = resolved(worker)
    setting = surveys.setting_for(issue.application)
    setting.extra_question = "What could we do better?"
    setting.save()
    client = logged_in("customer")
    url = f"/portal/t/{issue.number}/"
    html = page(client.get(url))
    assert "What could we do better?" in html
    assert 'name="reopen"' in html
    post_answer(
        client, url, {"rating": "1", "comment": "Still alarms.", "extra": "Test it.", "reopen": "1"}
    )
    answer = Answer.objects.get(transaction=issue)
    assert answer.extra_answer == "Test it."
    issue.refresh_from_db()
    assert issue.status.category == Status.Category.OPEN
    # Reopened: nothing left to reopen, so the box is gone from the changed-answer form.
    assert 'name="reopen"' not in page(client.get(url))


def test_only_the_person_asked_answers_here(worker: Worker) -> None:
    issue = resolved(worker)
    url = f"/portal/t/{issue.number}/"
    # Kirsty sees her colleague's request, but was not asked: no banner, and a 404.
    colleague = logged_in("colleague")
    assert BANNER not in page(colleague.get(url))
    assert getattr(post_answer(colleague, url, {"rating": "1"}), "status_code", 0) == 404
    # Helen may not see it at all: the 404 of every portal page that is not hers.
    other = Client()
    other.force_login(user("other_customer"))
    assert other.post(url + "satisfaction/", {"rating": "1"}).status_code == 404
    # Without the CSRF token, Ewan's own post is refused.
    ewan = logged_in("customer")
    assert ewan.post(url + "satisfaction/", {"rating": "1"}).status_code == 403
    # Not logged in: sent to log in.
    assert Client().post(url + "satisfaction/", {"rating": "1"}).status_code == 302
    assert Answer.objects.get(transaction=issue).answered_at is None


def test_a_question_not_yet_due_is_not_asked_in_the_portal(worker: Worker) -> None:
    setting = surveys.setting_for(transaction("SI-000001").application)
    setting.delay_minutes = 60
    setting.save()
    issue = resolved(worker)
    assert Answer.objects.get(transaction=issue).sent_at is None
    client = logged_in("customer")
    url = f"/portal/t/{issue.number}/"
    assert BANNER not in page(client.get(url))
    assert "Were you satisfied?" not in page(client.get("/portal/"))
    other = Client()
    other.force_login(user("customer"))
    assert other.post(url + "satisfaction/", {"rating": "1"}).status_code == 404


def test_the_home_reminds_only_of_transactions_the_person_may_still_see(worker: Worker) -> None:
    issue = resolved(worker)
    customer = user("customer")
    assert [a.transaction for a in surveys.pending(individual("customer"), customer)] == [issue]
    hidden = Transaction.objects.exclude(pk__in=access.visible_transactions(customer)).first()
    assert hidden is not None
    Answer.objects.filter(transaction=issue).update(transaction=hidden)
    assert surveys.pending(individual("customer"), customer) == []
    assert "Were you satisfied?" not in page(logged_in("customer").get("/portal/"))
