"""Satisfaction after close (issue 23), as the customer and the supervisor see it: the
request is resolved, the worker sends the survey e-mail through a real SMTP receiver,
the customer follows a link (which records nothing), answers "not satisfied" with a
comment, and the worker gives the team's supervisor the follow-up."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from portico.audit.models import Event
from portico.service import selectors
from portico.service.models import Note, Transaction
from portico.surveys import services as surveys
from portico.surveys.models import Answer, SatisfactionSetting
from tests.automations.test_defaults import (
    EWAN,
    customer_request,
    deliver,
    mail_to,
    move,
    text_of,
)
from tests.console.test_lists import individual
from tests.mail.conftest import SmtpServer

pytestmark = pytest.mark.usefixtures("demo_people")

Worker = Callable[[], int]


def resolved(worker: Worker, title: str = "Dosing pump alarm") -> Transaction:
    issue = customer_request(title)
    move(issue, "in-progress")
    move(issue, "resolved", resolution="Threshold reset to 4.5 bar.")
    deliver(worker)
    return issue


def survey_links(server: SmtpServer, number: str) -> dict[str, str]:
    [message] = [
        m for m in mail_to(server, EWAN) if str(m["Subject"]).startswith(f"[{number}] Were you")
    ]
    text = text_of(message)
    found = dict(re.findall(r"^(Satisfied|Not satisfied): (\S+?)\r?$", text, re.MULTILINE))
    assert set(found) == {"Satisfied", "Not satisfied"}
    return found


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def token_of(url: str) -> str:
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[1]


def test_not_satisfied_reaches_the_supervisor(smtp_server: SmtpServer, worker: Worker) -> None:
    issue = resolved(worker)
    found = survey_links(smtp_server, issue.number)
    client = Client()

    page = client.get(path_of(found["Not satisfied"]))
    assert page.status_code == 200
    assert 'value="1" checked' in page.content.decode()
    assert Answer.objects.get(transaction=issue).answered_at is None  # a GET records nothing
    assert not Event.objects.filter(action="satisfaction.answered").exists()

    done = client.post(
        urlsplit(found["Not satisfied"]).path,
        {"rating": "1", "comment": "The alarm came back the next day."},
    )
    assert done.status_code == 200
    assert "your answer is recorded" in done.content.decode()
    answer = Answer.objects.get(transaction=issue)
    assert (answer.rating, answer.comment) == (1, "The alarm came back the next day.")
    event = Event.objects.get(action="satisfaction.answered")
    assert event.data["satisfied"] is False

    deliver(worker)
    supervisor = issue.team.supervisor if issue.team else None
    assert supervisor is not None
    # Assigned for action, and on the task list although it stays resolved (the customer
    # did not ask to reopen it), until someone marks it followed up.
    assert supervisor.user is not None
    assert issue.pk in {t.pk for t in selectors.task_list(supervisor.user)}
    issue.refresh_from_db()
    assert issue.resolved_at is not None
    note = Note.objects.get(transaction=issue, visibility=Note.Visibility.INTERNAL)
    assert note.body == "Not satisfied: The alarm came back the next day."

    assert surveys.follow_up(actor=supervisor.user, transaction=issue) == 1
    assert issue.pk not in {t.pk for t in selectors.task_list(supervisor.user)}
    assert Event.objects.filter(action="satisfaction.followed_up").count() == 1


def test_only_staff_who_may_add_internal_notes_mark_it_followed_up(
    smtp_server: SmtpServer, worker: Worker
) -> None:
    from django.core.exceptions import PermissionDenied

    from tests.console.test_lists import user

    issue = resolved(worker)
    surveys.answer(person=individual("customer"), transaction=issue, rating=1, comment="No.")
    with pytest.raises(PermissionDenied):
        surveys.follow_up(actor=user("customer"), transaction=issue)
    assert surveys.open_follow_ups().filter(transaction=issue).count() == 1


def test_answering_twice_changes_the_answer(smtp_server: SmtpServer, worker: Worker) -> None:
    issue = resolved(worker)
    url = urlsplit(survey_links(smtp_server, issue.number)["Satisfied"]).path
    client = Client()
    client.post(url, {"rating": "2"})
    client.post(url, {"rating": "1", "comment": "On second thoughts, no."})
    [answer] = Answer.objects.filter(transaction=issue)
    assert answer.rating == 1
    assert answer.changed_at is not None
    changed = Event.objects.filter(action="satisfaction.answered").order_by("id")
    assert [e.data["changed"] for e in changed] == [False, True]


def test_a_rating_off_the_scale_is_refused(smtp_server: SmtpServer, worker: Worker) -> None:
    issue = resolved(worker)
    url = urlsplit(survey_links(smtp_server, issue.number)["Satisfied"]).path
    refused = Client().post(url, {"rating": "5"})
    assert refused.status_code == 400
    assert Answer.objects.get(transaction=issue).answered_at is None


# Links that must not answer (another person's, expired, tampered, another purpose, a
# transaction its person can no longer see): the channel matrix's survey section,
# tests/security/test_channel_matrix.py.


def test_a_link_for_another_transaction_cannot_answer_this_one(worker: Worker) -> None:
    first = resolved(worker, "First")
    second = customer_request("Second")
    ewan = individual("customer")
    # The token names its transaction; the address cannot be pointed at another one.
    token = token_of(surveys.link(ewan, second))
    opened_person, opened = surveys.open_survey(token)
    assert opened.pk == second.pk != first.pk
    assert opened_person.pk == ewan.pk


def test_a_person_is_not_asked_twice_within_the_quiet_days(
    smtp_server: SmtpServer, worker: Worker
) -> None:
    first = resolved(worker, "First")
    second = resolved(worker, "Second")
    assert surveys.sent(first) is not None
    assert surveys.sent(second) is None
    assert not Answer.objects.filter(transaction=second).exists()
    later = timezone.now() + datetime.timedelta(days=8)
    third = customer_request("Third")
    move(third, "in-progress")
    move(third, "resolved", resolution="Done.")
    assert surveys.ask(third, now=later) is not None


def test_an_application_that_does_not_ask(smtp_server: SmtpServer, worker: Worker) -> None:
    issue = customer_request()
    setting = surveys.setting_for(issue.application)
    setting.asks = False
    setting.save()
    move(issue, "in-progress")
    move(issue, "resolved", resolution="Done.")
    deliver(worker)
    assert surveys.sent(issue) is None
    assert not Answer.objects.filter(transaction=issue).exists()
    assert SatisfactionSetting.objects.get(application=issue.application).asks is False


def test_the_api_shows_the_answer_to_staff_and_its_owner_only(
    smtp_server: SmtpServer, worker: Worker
) -> None:
    from tests.console.test_lists import user

    issue = resolved(worker)
    url = f"/api/v1/transactions/{issue.number}/"

    def seen(key: str) -> object:
        client = Client()
        client.force_login(user(key))
        response = client.get(url)
        assert response.status_code == 200, key
        return response.json()["satisfaction"]

    assert seen("csr") is None  # asked, not answered
    surveys.answer(person=individual("customer"), transaction=issue, rating=1, comment="No.")
    staff = seen("csr")
    assert isinstance(staff, dict)
    assert (staff["rating"], staff["comment"]) == (1, "No.")
    assert seen("customer") == staff
