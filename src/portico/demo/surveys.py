"""The demo's satisfaction history (issue 23): requests resolved and closed over the last
90 days, each with its requester's answer, so that the satisfaction figures have
something to show from the first `make run`.

None of it is within the quiet days (PORTICO_SATISFACTION_QUIET_DAYS, 7 by default):
resolving any demo customer's request asks them at once, as a person trying the demo
expects. For the same reason the demo day's own resolves are not asked (`not_asking`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from portico.audit.models import Event
from portico.automations.models import Rule
from portico.parties.models import Individual, Organization, User
from portico.service import actions
from portico.service.models import Application, Grant, Status, Transaction
from portico.surveys import services as surveys
from portico.surveys.models import Answer

ASK_RULE = "ask-satisfaction"


@dataclass(frozen=True)
class DemoAnswer:
    days_ago: int  # when it was resolved (and the question asked)
    application: str
    requester: str  # first names
    resolver: str
    assignee: str
    team: str  # organisation key of the team it was with
    title: str
    product: str
    satisfied: bool
    comment: str = ""


# fmt: off
ANSWERS = [
    DemoAnswer(86, "service-issue", "Ewan", "Fiona", "Tom", "field-service",
               "Dosing pump losing prime after filter change", "clearflow-dosing-pump",
               True, "Tom sorted it in one visit."),
    DemoAnswer(81, "service-issue", "Kirsty", "Ravi", "Aisha", "service-desk",
               "Controller display blank after power cut", "aquasense-controller", True),
    DemoAnswer(77, "complaint", "Sandeep", "Fiona", "Tom", "field-service",
               "Engineer arrived without the replacement part", "clearflow-filter-unit",
               False, "Two visits for a ten-minute job."),
    DemoAnswer(72, "service-issue", "Helen", "Ravi", "Aisha", "service-desk",
               "Sensor pack reporting negative chlorine", "aquasense-sensor-pack", True),
    DemoAnswer(66, "enquiry", "Priya", "Ravi", "Ravi", "service-desk",
               "Can the gateway send alerts by text message?", "hydrolink-gateway", True,
               "Clear answer, thank you."),
    DemoAnswer(61, "service-issue", "Jamie", "Fiona", "Tom", "field-service",
               "Dosing pump noisy on start-up", "clearflow-dosing-pump", False,
               "Still noisy. Nobody called back."),
    DemoAnswer(55, "service-issue", "Alan", "Ravi", "Aisha", "service-desk",
               "Dashboard log-in loops back to the start page", "hydrolink-cloud-dashboard",
               True),
    DemoAnswer(49, "service-issue", "Sophie", "Fiona", "Aisha", "service-desk",
               "Gateway offline after router swap", "hydrolink-gateway", True,
               "Quick and friendly."),
    DemoAnswer(44, "complaint", "Ewan", "Ravi", "Aisha", "service-desk",
               "Invoice charged for a warranty repair", "clearflow-dosing-pump", False,
               "It took three calls to get the credit note."),
    DemoAnswer(38, "service-issue", "Kirsty", "Fiona", "Tom", "field-service",
               "Filter unit pressure alarm every morning", "clearflow-filter-unit", True),
    DemoAnswer(33, "enquiry", "Helen", "Fiona", "Ravi", "service-desk",
               "Training for new estates staff", "aquasense-controller", True),
    DemoAnswer(27, "service-issue", "Priya", "Ravi", "Tom", "field-service",
               "Dosing pump firmware update failed", "clearflow-dosing-pump", True,
               "Fixed remotely the same day."),
    DemoAnswer(21, "service-issue", "Alan", "Fiona", "Aisha", "service-desk",
               "Sensor pack readings lag by an hour", "aquasense-sensor-pack", False,
               "The lag is back after a week."),
    DemoAnswer(16, "service-issue", "Sandeep", "Ravi", "Aisha", "service-desk",
               "Controller rejects the new NTP server", "aquasense-controller", True),
    DemoAnswer(12, "service-issue", "Jamie", "Fiona", "Tom", "field-service",
               "Filter unit leaking at the inlet", "clearflow-filter-unit", True,
               "Tom explained what had gone wrong."),
    DemoAnswer(9, "enquiry", "Sophie", "Ravi", "Ravi", "service-desk",
               "Price of a second dashboard licence", "hydrolink-cloud-dashboard", True),
]
# fmt: on


def load(people: dict[str, User], *, now: datetime.datetime | None = None) -> list[Answer]:
    """Write the history: each request created, assigned, resolved and closed, and its
    answer given (and, when not satisfied, followed up by the supervisor), all through
    the services, then dated back to when it happened. What the worker would have done
    back then (acknowledgements, notices, the follow-up rule) is not done now: the
    events are marked dispatched, so nobody is mailed or assigned about last month's
    requests today."""
    now = now or timezone.now()
    quiet = datetime.timedelta(days=settings.PORTICO_SATISFACTION_QUIET_DAYS)
    by_name = {name: Individual.objects.get(user=user) for name, user in people.items()}
    teams = {o.account_number: o for o in Organization.objects.filter(kind="team")}
    team_keys = {"service-desk": "BW-T01", "field-service": "BW-T02"}
    written = []
    for demo in ANSWERS:
        resolved_at = now - datetime.timedelta(days=demo.days_ago, hours=3)
        if now - resolved_at <= quiet:
            raise ValueError(f"{demo.title!r} is within the quiet days")
        before = Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        created = _request(demo, people, by_name)
        answer = surveys.answer(
            person=by_name[demo.requester],
            transaction=created,
            rating=surveys.SATISFIED if demo.satisfied else surveys.NOT_SATISFIED,
            comment=demo.comment,
        )
        if not demo.satisfied:
            surveys.follow_up(actor=people["Morag"], transaction=created)
        actions.close(actor=people[demo.resolver], transaction=created)
        moments = _Moments(resolved_at)
        # The team it ended with: field service took the on-site jobs over.
        Transaction.objects.filter(pk=created.pk).update(
            team=teams[team_keys[demo.team]],
            created_at=moments.created,
            updated_at=moments.closed,
            first_response_at=moments.created + datetime.timedelta(hours=1),
            resolved_at=moments.resolved,
            closed_at=moments.closed,
            response_due_at=None,
            resolution_due_at=None,
            due_at=None,
        )
        Grant.objects.filter(transaction=created).update(granted_at=moments.created)
        for event in Event.objects.filter(pk__gt=before):
            Event.objects.filter(pk=event.pk).update(
                occurred_at=moments.of(event), dispatched_at=now
            )
        Answer.objects.filter(pk=answer.pk).update(
            resolver=people[demo.resolver],
            asked_at=moments.resolved,
            sent_at=moments.resolved,
            answered_at=moments.answered,
            followed_up_at=None if demo.satisfied else moments.followed_up,
        )
        answer.refresh_from_db()
        written.append(answer)
    return written


@dataclass(frozen=True)
class _Moments:
    """When each step of a history request happened, from its resolve."""

    resolved: datetime.datetime

    @property
    def created(self) -> datetime.datetime:
        return self.resolved - datetime.timedelta(days=2)

    @property
    def answered(self) -> datetime.datetime:
        return self.resolved + datetime.timedelta(hours=5)

    @property
    def followed_up(self) -> datetime.datetime:
        return self.answered + datetime.timedelta(days=1)

    @property
    def closed(self) -> datetime.datetime:
        return self.resolved + datetime.timedelta(days=3)

    def of(self, event: Event) -> datetime.datetime:
        if event.action == "satisfaction.answered":
            return self.answered
        if event.action == "satisfaction.followed_up":
            return self.followed_up
        if event.action == "transaction.status_changed":
            after = (event.data.get("status") or {}).get("after")
            if after == "Resolved":
                return self.resolved
            if after == "Closed":
                return self.closed
            return self.created + datetime.timedelta(hours=1)
        return self.created


def _request(
    demo: DemoAnswer,
    people: dict[str, User],
    by_name: dict[str, Individual],
) -> Transaction:
    application = Application.objects.get(code=demo.application)
    profile = {"product": demo.product}
    if demo.application == "service-issue":
        profile["issue-type"] = "fault"
    elif demo.application == "complaint":
        profile["category"] = "service"
    created = actions.create_transaction(
        actor=people[demo.requester],
        application=application,
        title=demo.title,
        description=demo.title + ".",
        profile=profile,
    )
    actions.assign(actor=people["Morag"], transaction=created, assignees=[by_name[demo.assignee]])
    for code in ("in-progress", "resolved"):
        created = actions.change_status(
            actor=people[demo.resolver],
            transaction=created,
            status=Status.objects.get(application=application, code=code),
            resolution="Fixed and checked with the customer." if code == "resolved" else "",
        )
    return created


@contextmanager
def not_asking() -> Iterator[None]:
    """The demo day's events dispatched without the "ask-satisfaction" rule: its
    resolves happened before the visitor arrived, and asking their requesters now would
    start the quiet days for them."""
    rules = Rule.objects.filter(code=ASK_RULE, active=True)
    paused = list(rules.values_list("pk", flat=True))
    rules.update(active=False)
    try:
        yield
    finally:
        Rule.objects.filter(pk__in=paused).update(active=True)
