"""The demo as issue 22 asks for it: the default rules switched on, the people rules
speak of, a birthday today, news readers and a campaign draft; and the issue's check —
a complaint logged in the customer portal reaches Morag Campbell's mailbox, through the
worker and a real SMTP server."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from email.message import EmailMessage

from django.test import Client
from django.utils import timezone

from portico.automations.defaults import CODES
from portico.automations.models import Campaign, Rule
from portico.demo.services import DEMO_CAMPAIGN
from portico.notify import delivery as deliverer
from portico.notify.models import Delivery
from portico.parties.models import Individual, Organization
from portico.service.models import Choice, Transaction
from tests.mail import conftest as mail
from tests.mail.conftest import SmtpServer

MORAG = "morag.campbell@brightwater.example"
# The real SMTP receiver of the mail tests (its fixture lives in their conftest).
smtp_server = mail.smtp_server


def test_the_demo_ships_the_rules_on_and_the_people_they_speak_of(demo_people: None) -> None:
    assert set(Rule.objects.filter(active=True).values_list("code", flat=True)) >= set(CODES)
    desk = Organization.objects.get(name="Service Desk")
    assert desk.supervisor is not None
    assert desk.supervisor.email == MORAG
    accounts = Organization.objects.filter(kind__in=["customer", "partner"])
    assert accounts.count() == 4
    for account in accounts.select_related("account_owner__organization"):
        owner = account.account_owner
        assert owner is not None, account.name
        assert owner.organization is not None
        assert owner.organization.kind == "team", f"{account.name}: owned by staff"
    products = Choice.objects.filter(classification__code="product")
    assert products.count() == 6
    assert not products.filter(owner=None).exists()


def test_the_demo_has_a_birthday_today_news_readers_and_a_campaign_draft(
    demo_people: None,
) -> None:
    born_today = [
        person
        for person in Individual.objects.exclude(birthday=None)
        if person.birthday is not None
        and (person.birthday.month, person.birthday.day)
        == (lambda d: (d.month, d.day))(
            timezone.localdate(timezone=zoneinfo.ZoneInfo(person.time_zone or "UTC"))
        )
    ]
    assert born_today, "nobody's birthday is today"
    assert Individual.objects.exclude(customer_since=None).count() >= 3
    readers = Individual.objects.exclude(news_opted_in_at=None)
    assert readers.filter(user_group__name="Customers").count() >= 3
    campaign = Campaign.objects.get(name=DEMO_CAMPAIGN)
    assert campaign.state == Campaign.State.DRAFT
    assert list(campaign.products.values_list("code", flat=True)) == ["clearflow-dosing-pump"]
    assert "{{ name }}" in campaign.text


def test_a_complaint_logged_in_the_portal_emails_morag(
    client_for: Callable[[str], Client], worker: Callable[[], int], smtp_server: SmtpServer
) -> None:
    portal = client_for("customer")
    answer = portal.post(
        "/portal/new/",
        {
            "application": "complaint",
            "title": "Engineer left the plant room unlocked",
            "description": "The door to plant room 2 was open all night after the visit.",
            "profile_category": "staff",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    complaint = Transaction.objects.get(title="Engineer left the plant room unlocked")
    assert complaint.application.code == "complaint"

    worker()
    to_morag = [
        row for row in Delivery.objects.filter(address=MORAG) if complaint.number in row.body
    ]
    assert len(to_morag) == 1, "Morag is told once"
    assert deliverer.sweep().sent >= 1

    mailed = [got for got in smtp_server.to(MORAG) if complaint.number in _text(got.message)]
    assert len(mailed) == 1


def _text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return f"{message['Subject']}\n{body.get_content()}"
