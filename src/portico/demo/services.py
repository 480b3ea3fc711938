"""Loading the demo data. Used by `portico seed_demo` (and so `make run`) and the tests."""

import datetime
import os
import zoneinfo
from typing import Any

from allauth.account.models import EmailAddress
from django.apps import apps
from django.db import transaction
from django.utils import timezone

from portico.access import AUTOMATION_EMAIL
from portico.automations import defaults
from portico.automations.models import Campaign
from portico.demo import forms as demo_forms
from portico.demo import knowledge as demo_knowledge
from portico.demo import surveys as demo_surveys
from portico.demo.people import (
    ACCOUNT_OWNERS,
    APPLICATION_TEAMS,
    BIRTHDAY_PERSON,
    BIRTHDAY_YEAR,
    CUSTOMERS_SINCE,
    NEWS_READERS,
    ORGANIZATIONS,
    PEOPLE,
    PRODUCT_OWNERS,
    TEAM_SUPERVISORS,
    DemoPerson,
)
from portico.demo.transactions import TRANSACTIONS
from portico.events import dispatch
from portico.mail.models import Mailbox
from portico.parties.models import Individual, Organization, User, UserGroup, Zone
from portico.parties.standard import create_standard as create_parties
from portico.reports import rollups
from portico.service import actions
from portico.service.models import Application, Choice, Note, Priority, Status
from portico.service.standard import create_standard as create_service

DEMO_MAILBOX = "support@portico.example"
DEMO_CAMPAIGN = "New ClearFlow dosing pump firmware"

# Demo data only: printed by `make run`, overridable by PORTICO_DEMO_PASSWORD.
DEFAULT_PASSWORD = "portico-demo"  # noqa: S105


def demo_password() -> str:
    return os.environ.get("PORTICO_DEMO_PASSWORD", DEFAULT_PASSWORD)


def has_data() -> bool:
    # The automation rules' own person is made by a migration: a fresh database has it,
    # and is still empty.
    return Individual.objects.exclude(user__email=AUTOMATION_EMAIL).exists()


# How far back `load` builds the report roll-ups: the reports' longest period, two years.
REPORT_HISTORY_DAYS = 731


def _model(name: str) -> Any:
    return apps.get_model("parties" if name == "UserGroup" else "service", name)


@transaction.atomic
def load(
    *,
    password: str | None = None,
    transactions: bool = True,
    knowledge: bool = True,
    surveys: bool = True,
) -> list[DemoPerson]:
    """Create the demo company, its teams, customers, partner and people with log-ins,
    and (unless told not to) a day's demo transactions, the knowledge base and the
    satisfaction history of the last 90 days (with the transactions only)."""
    password = password or demo_password()
    # The standard set-up comes from data migrations; a flushed test database has
    # lost it, so it is made again here (only what is missing).
    create_parties(Zone, UserGroup)
    create_service(_model)
    organizations: dict[str, Organization] = {}
    for org in ORGANIZATIONS:
        organizations[org.key], _ = Organization.objects.get_or_create(
            account_number=org.account_number,
            defaults={
                "name": org.name,
                "kind": org.kind,
                "territory": "Scotland",
                "area": org.area,
                "address": org.address,
                "city": org.city,
                "postcode": org.postcode,
                "country": "United Kingdom",
                "phone": org.phone,
                "website": f"https://www.{org.domain}",
                "parent": organizations.get(org.parent),
            },
        )
    for code, team in APPLICATION_TEAMS.items():
        Application.objects.filter(code=code, team__isnull=True).update(team=organizations[team])
    groups = {group.name: group for group in UserGroup.objects.all()}
    people: dict[str, User] = {}
    for person in PEOPLE:
        user = User.objects.filter(email=person.email).first()
        if user is None:
            user = User.objects.create_user(person.email, password)
            EmailAddress.objects.create(user=user, email=person.email, verified=True, primary=True)
            Individual.objects.create(
                user=user,
                organization=organizations[person.organization],
                user_group=groups[person.group],
                first_name=person.first_name,
                last_name=person.last_name,
                job_title=person.job_title,
                email=person.email,
                phone=person.phone,
            )
        people[person.first_name] = user
    _support_mailbox(groups["Customers"])
    supervisor = Individual.objects.get(user=people["Morag"])
    Individual.objects.filter(
        organization__kind=Organization.Kind.TEAM, user_group__name="Staff", supervisor=None
    ).update(supervisor=supervisor)
    _automations(organizations, people)
    if transactions:
        _load_transactions(people)
        demo_forms.load()
    if knowledge:
        demo_knowledge.load()
    # What the worker would do next: the demo day's notices are there at first log-in,
    # and the reports have the demo's history in their roll-ups.
    with demo_surveys.not_asking():
        dispatch.dispatch_all()
    if transactions and surveys:
        demo_surveys.load(people)
    today = timezone.localdate()
    rollups.build(today - datetime.timedelta(days=REPORT_HISTORY_DAYS), today)
    return PEOPLE


def _automations(organizations: dict[str, Organization], people: dict[str, User]) -> None:
    """Issue 22's demo: the default rules on, the people they speak of (supervisors,
    account and product owners), a birthday today, customers who opted in to news and
    a campaign draft for them."""
    defaults.install()
    by_name = {name: Individual.objects.get(user=user) for name, user in people.items()}
    for key, name in TEAM_SUPERVISORS.items():
        Organization.objects.filter(pk=organizations[key].pk, supervisor=None).update(
            supervisor=by_name[name]
        )
    for key, name in ACCOUNT_OWNERS.items():
        Organization.objects.filter(pk=organizations[key].pk, account_owner=None).update(
            account_owner=by_name[name]
        )
    for code, name in PRODUCT_OWNERS.items():
        Choice.objects.filter(classification__code="product", code=code, owner=None).update(
            owner=by_name[name]
        )
    for name, (year, month, day) in CUSTOMERS_SINCE.items():
        Individual.objects.filter(pk=by_name[name].pk, customer_since=None).update(
            customer_since=datetime.date(year, month, day)
        )
    now = timezone.now()
    Individual.objects.filter(
        pk__in=[by_name[name].pk for name in NEWS_READERS], news_opted_in_at=None
    ).update(news_opted_in_at=now)
    # Their birthday is the day the demo is loaded, where they are.
    zone = "Europe/London"
    today = timezone.localdate(now, timezone=zoneinfo.ZoneInfo(zone))
    Individual.objects.filter(pk=by_name[BIRTHDAY_PERSON].pk, birthday=None).update(
        birthday=today.replace(year=BIRTHDAY_YEAR), time_zone=zone
    )
    if not Campaign.objects.filter(name=DEMO_CAMPAIGN).exists():
        campaign = Campaign.objects.create(
            name=DEMO_CAMPAIGN,
            subject="ClearFlow dosing pump firmware 3.1: steadier dosing, clearer alarms",
            text=(
                "Hello {{ name }},\n\n"
                "Firmware 3.1 for the ClearFlow dosing pump is out. It holds the dose "
                "steadier at low flow, explains alarm E42 (flow sensor) on the display, "
                "and can be installed from the HydroLink dashboard in a few minutes.\n\n"
                "Your service team can schedule the update for you: reply to this "
                "message or log a request in the portal.\n\n"
                "Brightwater Systems"
            ),
        )
        campaign.products.set(
            Choice.objects.filter(classification__code="product", code="clearflow-dosing-pump")
        )


def _support_mailbox(customers: UserGroup) -> None:
    """The address demo customers write to: `make run` serves its mail-in (SMTP on
    PORTICO_MAILIN_PORT), and every message Portico sends them comes from it."""
    Mailbox.objects.get_or_create(
        address=DEMO_MAILBOX,
        defaults={
            "name": "Support",
            "application": Application.objects.get(code="service-issue"),
            "unknown_senders": Mailbox.UnknownSenders.CREATE,
            "new_people_group": customers,
        },
    )


def _load_transactions(people: dict[str, User]) -> None:
    priorities = {p.code: p for p in Priority.objects.all()}
    for demo in TRANSACTIONS:
        application = Application.objects.get(code=demo.application)
        recorder = people[demo.recorded_by]
        requester = Individual.objects.get(user=people[demo.requester])
        created = actions.create_transaction(
            actor=recorder,
            application=application,
            title=demo.title,
            description=demo.description,
            requester=requester,
            priority=priorities[demo.priority] if demo.priority else None,
            profile=demo.profile,
            channel="web" if demo.recorded_by == demo.requester else "phone",
        )
        if demo.assign:
            actions.assign(
                actor=people["Morag"],
                transaction=created,
                assignees=[Individual.objects.get(user=people[n]) for n in demo.assign],
            )
        for note in demo.notes:
            actions.add_note(
                actor=people[note.author],
                transaction=created,
                body=note.body,
                visibility=note.visibility,
                channel=note.channel,
                direction=note.direction,
                contact=requester if note.visibility == Note.Visibility.SHARED else None,
            )
        if demo.status:
            _walk_to(created, demo.status, demo.resolution, people["Fiona"])


def _walk_to(created: Any, code: str, resolution: str, actor: User) -> None:
    target = Status.objects.get(application=created.application, code=code)
    current = Status.objects.get(pk=created.status_id)
    path = (
        [target]
        if current.next_statuses.filter(pk=target.pk).exists()
        else [Status.objects.get(application=created.application, code="in-progress"), target]
    )
    for status in path:
        created = actions.change_status(
            actor=actor, transaction=created, status=status, resolution=resolution
        )
