"""The demo's satisfaction history (issue 23): answers over the last 90 days for the
figures to show, and none within the quiet days, so that on a fresh `make run` a demo
customer whose request is resolved through the API gets the survey e-mail."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from portico.audit.models import Event
from portico.reports import queries, rollups
from portico.service.models import Status, Transaction
from portico.surveys import services as surveys
from portico.surveys.models import Answer
from tests.api.conftest import bearer, make_token
from tests.automations.test_defaults import EWAN, deliver, mail_to
from tests.console.test_lists import individual, user
from tests.mail.conftest import SmtpServer

Worker = Callable[[], int]


def test_the_history_spans_90_days_and_leaves_the_quiet_days_free(demo_surveys: None) -> None:
    now = timezone.now()
    answers = Answer.objects.all()
    assert answers.count() >= 12
    assert not answers.filter(answered_at__isnull=True).exists()
    quiet = now - datetime.timedelta(days=settings.PORTICO_SATISFACTION_QUIET_DAYS)
    assert not answers.filter(asked_at__gt=quiet).exists()
    assert not answers.filter(asked_at__lt=now - datetime.timedelta(days=90)).exists()
    for answer in answers.select_related("transaction"):
        assert answer.answered_at is not None
        assert answer.sent_at == answer.asked_at < answer.answered_at <= now
        assert answer.transaction.resolved_at == answer.asked_at
        assert answer.transaction.closed_at is not None
        assert answer.satisfied == (answer.rating == 2)
    assert answers.filter(satisfied=False).exists()
    assert answers.filter(satisfied=True).exists()
    assert answers.exclude(comment="").exists()
    # Each answer is in its request's history, when it was given; and nothing of the
    # history is left for the worker to mail or assign today.
    answered = Event.objects.filter(action="satisfaction.answered")
    assert sorted(e.occurred_at for e in answered) == sorted(
        a.answered_at for a in answers if a.answered_at
    )
    assert not Event.objects.filter(dispatched_at__isnull=True).exists()
    assert not surveys.open_follow_ups().exists()
    # Several resolvers, teams and products for the figures to tell apart.
    for field in ("resolver", "transaction__team", "transaction__application"):
        assert answers.values(field).annotate(n=Count("pk")).count() >= 2, field
    # In the roll-ups, as `portico prepare --demo` builds them after loading the answers.
    today = timezone.localdate()
    period = queries.Period.last(91, today=today)
    rollups.build(period.since, period.until)
    by_product = queries.satisfaction("product", period, teams=None)
    assert len(by_product) >= 4
    assert queries.NONE_LABEL not in {f.label for f in by_product}


def test_resolving_a_demo_customers_request_through_the_api_sends_the_survey(
    demo_surveys: None, smtp_server: SmtpServer, worker: Worker
) -> None:
    # The demo day's own resolve (Helen's) asked nobody either.
    assert not Answer.objects.filter(asked_at__gt=timezone.now() - datetime.timedelta(1)).exists()
    ewan = individual("customer")
    issue = (
        Transaction.objects.filter(
            requester=ewan,
            application__code="service-issue",
            status__category=Status.Category.OPEN,
        )
        .order_by("pk")
        .first()
    )
    assert issue is not None
    csr = bearer(make_token(user("csr")))
    url = f"/api/v1/transactions/{issue.number}/status/"
    moved = csr.post(
        url,
        {"status": "resolved", "resolution": "Replaced the flow sensor."},
        content_type="application/json",
    )
    assert moved.status_code == 200, moved.content
    deliver(worker)
    sent = [
        m
        for m in mail_to(smtp_server, EWAN)
        if str(m["Subject"]).strip().startswith(f"[{issue.number}] Were you satisfied?")
    ]
    assert len(sent) == 1
    asked = Answer.objects.get(transaction=issue, person=ewan)
    assert asked.sent_at is not None
    assert asked.resolver == user("csr")
