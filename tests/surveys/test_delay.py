"""An application's delay before asking: the resolve writes the question, due later,
and the worker's "surveys.send_due" writes the e-mail once it falls due — unless the
request was reopened meanwhile, when the question is dropped so a later resolve asks
again."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.utils import timezone

from portico.events import periodic
from portico.service.models import Application, Transaction
from portico.surveys import services as surveys
from portico.surveys.models import Answer
from tests.automations.test_defaults import EWAN, customer_request, deliver, move, subjects
from tests.mail.conftest import SmtpServer

pytestmark = pytest.mark.usefixtures("demo_people")

Worker = Callable[[], int]
HOUR = datetime.timedelta(hours=1)


def delayed(minutes: int = 60) -> None:
    setting = surveys.setting_for(Application.objects.get(code="service-issue"))
    setting.delay_minutes = minutes
    setting.save()


def resolved(worker: Worker, title: str = "Dosing pump alarm") -> Transaction:
    issue = customer_request(title)
    move(issue, "in-progress")
    move(issue, "resolved", resolution="Done.")
    deliver(worker)
    return issue


def survey_mails(server: SmtpServer) -> list[str]:
    return [s for s in subjects(server, EWAN) if "Were you" in s]


def test_the_worker_runs_send_due_every_minute() -> None:
    jobs = periodic.discover()
    assert jobs["surveys.send_due"].every == datetime.timedelta(seconds=60)


def test_a_delayed_question_is_mailed_once_it_falls_due(
    smtp_server: SmtpServer, worker: Worker
) -> None:
    delayed(60)
    before = timezone.now()
    issue = resolved(worker)
    answer = Answer.objects.get(transaction=issue)
    assert answer.sent_at is None
    assert before + HOUR <= answer.asked_at <= timezone.now() + HOUR
    assert surveys.sent(issue) is None
    assert survey_mails(smtp_server) == []

    assert surveys.send_due(now=timezone.now() + datetime.timedelta(minutes=59)) == 0
    assert surveys.sent(issue) is None

    later = timezone.now() + datetime.timedelta(minutes=61)
    assert surveys.send_due(now=later) == 1
    deliver(worker)
    assert len(survey_mails(smtp_server)) == 1
    answer.refresh_from_db()
    assert answer.sent_at == later
    # Idempotent: a second run writes nothing more.
    assert surveys.send_due(now=later + HOUR) == 0
    deliver(worker)
    assert len(survey_mails(smtp_server)) == 1


def test_a_request_reopened_before_the_question_is_due_is_not_asked_until_resolved_again(
    smtp_server: SmtpServer, worker: Worker
) -> None:
    delayed(60)
    issue = resolved(worker)
    move(issue, "in-progress")
    deliver(worker)
    assert surveys.send_due(now=timezone.now() + 2 * HOUR) == 0
    assert not Answer.objects.filter(transaction=issue).exists()
    deliver(worker)
    assert survey_mails(smtp_server) == []

    # Resolved again: asked again, and the delay counts from this resolve.
    move(issue, "resolved", resolution="Done, properly this time.")
    deliver(worker)
    answer = Answer.objects.get(transaction=issue)
    assert answer.sent_at is None
    assert surveys.send_due(now=timezone.now() + 2 * HOUR) == 1


def test_the_quiet_days_count_from_when_the_question_was_due(worker: Worker) -> None:
    delayed(60 * 24)  # a day
    first = resolved(worker, "First")
    assert Answer.objects.get(transaction=first).asked_at > timezone.now()
    # The next resolve, six days after the first question's due time, is within 7 days.
    second = customer_request("Second")
    move(second, "in-progress")
    move(second, "resolved", resolution="Done.")
    six_days = timezone.now() + datetime.timedelta(days=6)
    assert surveys.ask(second, now=six_days) is None
    # Eight days after it (and the second's own day of delay): asked.
    eight_days = timezone.now() + datetime.timedelta(days=8)
    asked = surveys.ask(second, now=eight_days)
    assert asked is not None
    assert asked.asked_at == eight_days + datetime.timedelta(days=1)


def test_without_a_delay_the_mail_goes_at_once(smtp_server: SmtpServer, worker: Worker) -> None:
    issue = resolved(worker)
    answer = Answer.objects.get(transaction=issue)
    assert answer.sent_at is not None
    assert answer.asked_at == answer.sent_at
    assert len(survey_mails(smtp_server)) == 1
    assert surveys.send_due(now=timezone.now() + HOUR) == 0
