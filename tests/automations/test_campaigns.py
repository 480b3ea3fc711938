"""Campaigns (issue 22): each person once, only with consent, an opt-out link that works
without logging in (and nothing else does), and the counts of sent, bounced and opted
out — sent through the worker's outbox to a real SMTP receiver."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.utils import timezone

from portico.access import links
from portico.audit.models import Event
from portico.automations import campaigns, tasks
from portico.automations.models import Campaign, Recipient
from portico.events import periodic
from portico.mail import addresses, inbound, outbound, preferences
from portico.mail.models import Address
from portico.notify import delivery as outbox
from portico.notify.models import Delivery
from portico.parties.models import Individual, UserGroup
from portico.service import actions
from portico.service.models import Application, Choice
from tests import postgres_cluster
from tests.conftest import PERSONAS
from tests.mail.conftest import SmtpServer, message

READERS = ("customer", "colleague", "other_customer")


@pytest.fixture(autouse=True)
def _nobody_opted_in(request: pytest.FixtureRequest) -> None:
    # The demo's people may have opted in to news; each test says who has.
    if {"demo_people", "demo_data", "client_for"} & set(request.fixturenames):
        request.getfixturevalue("demo_people")
        Individual.objects.update(news_opted_in_at=None)


def person(key: str) -> Individual:
    return PERSONAS[key].individual


def opt_in(*keys: str) -> list[Individual]:
    people = []
    for key in keys:
        someone = person(key)
        campaigns.set_news(person=someone, opted_in=True, via="profile", actor=someone.user)
        people.append(someone)
    return people


def campaign(**fields: object) -> Campaign:
    values: dict[str, object] = {
        "name": "AquaSense 3",
        "subject": "News for {{ name }}: AquaSense 3",
        "text": "Hello {{ name }},\n\nAquaSense 3 is here: https://portico.example/aquasense\n",
    }
    values.update(fields)
    return Campaign.objects.create(**values)


def started(**fields: object) -> Campaign:
    made = campaign(**fields)
    campaigns.start(made, actor=None)
    return made


def run_to_the_end(made: Campaign, size: int = 2) -> None:
    for _ in range(100):
        made.refresh_from_db()
        if made.state != Campaign.State.SENDING:
            return
        campaigns.send_batch(made, size=size)
    raise AssertionError("the campaign never finished")


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].partition("/")[2]


def test_each_opted_in_person_gets_it_once_and_nobody_else(
    demo_people: None, smtp_server: SmtpServer
) -> None:
    readers = opt_in(*READERS)
    made = started()
    # The worker's job, every 30 seconds: batches of 500, so one run takes all three.
    assert periodic.discover()["automations.campaigns"].function is tasks.send_campaigns
    assert tasks.send_campaigns() == 3
    # The job run again after the end, and a batch asked of a sent campaign: nothing more.
    assert tasks.send_campaigns() == 0
    assert campaigns.send_batch(made) == 0
    made.refresh_from_db()
    assert made.state == Campaign.State.SENT
    assert made.finished_at is not None
    outbox.sweep()

    got = {r.rcpt_tos[0]: r for r in smtp_server.received}
    assert sorted(got) == sorted(r.email for r in readers)
    assert len(smtp_server.received) == len(readers)
    ewan = got[PERSONAS["customer"].email].message
    assert ewan["Subject"] == "News for Ewan Grant: AquaSense 3"
    assert ewan["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = ewan["List-Unsubscribe"].strip("<>")
    assert "/mail/news/" in link
    text = ewan.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = ewan.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Hello Ewan Grant," in text
    assert link in text
    assert link in html
    assert "Stop product news and announcements" in html
    assert "To add to this request" not in html
    # Bounces come back to an address naming the message (VERP).
    key = got[PERSONAS["customer"].email].message["X-Portico-Delivery"]
    assert addresses.parse_bounce_address(got[PERSONAS["customer"].email].mail_from) == key
    assert campaigns.counts(made) == {
        "queued": 0,
        "sent": 3,
        "skipped": 0,
        "bounced": 0,
        "opted_out": 0,
    }


def test_a_name_is_escaped_in_the_html(demo_people: None) -> None:
    [ewan] = opt_in("customer")
    Individual.objects.filter(pk=ewan.pk).update(first_name="<b>Ewan</b>")
    made = started(html="<p>Dear {{ name }}</p><script>alert(1)</script>")
    run_to_the_end(made)
    row = Delivery.objects.get(kind=campaigns.KIND)
    assert "&lt;b&gt;Ewan&lt;/b&gt;" in row.html
    assert "<b>Ewan" not in row.html
    assert "<script>" not in row.html
    assert row.subject.startswith("News for <b>Ewan</b> Grant")  # a header: plain text


def test_no_consent_no_mail_and_mail_opted_out_or_suppressed_skipped(demo_people: None) -> None:
    ewan, kirsty, helen = opt_in(*READERS)
    preferences.set_opted_out(person=kirsty, opted_out=True, via="profile")
    Address.objects.create(address=helen.email.lower(), suppressed_at=timezone.now())
    made = started()
    run_to_the_end(made)
    rows = {r.address: r for r in Recipient.objects.filter(campaign=made)}
    assert set(rows) == {ewan.email, helen.email}  # Kirsty opted out of mail: not in it
    assert rows[helen.email].state == Recipient.State.SKIPPED
    assert rows[helen.email].delivery is None
    assert Delivery.objects.filter(kind=campaigns.KIND).count() == 1
    assert campaigns.counts(made)["skipped"] == 1
    assert campaigns.counts(made)["queued"] == 1


def test_the_segment_by_organisation_group_and_product(demo_people: None) -> None:
    opt_in(*READERS, "partner")
    harbour = person("customer").organization
    assert harbour is not None
    by_org = campaign(name="Harbour")
    by_org.organizations.add(harbour)
    assert {p.email for p in campaigns.segment(by_org)} == {
        PERSONAS["customer"].email,
        PERSONAS["colleague"].email,
    }
    by_group = campaign(name="Partners")
    by_group.user_groups.add(UserGroup.objects.get(name="Partners"))
    assert [p.email for p in campaigns.segment(by_group)] == [PERSONAS["partner"].email]
    # "Owning" a product: a request about it.
    helen = person("other_customer")
    assert helen.user is not None
    actions.create_transaction(
        actor=helen.user,
        application=Application.objects.get(code="service-issue"),
        title="Sensor pack drifts",
        profile={"issue-type": "fault", "product": "aquasense-sensor-pack"},
    )
    by_product = campaign(name="Sensor pack")
    by_product.products.add(Choice.objects.get(code="aquasense-sensor-pack"))
    assert [p.email for p in campaigns.segment(by_product)] == [helen.email]
    everyone = campaign(name="All")
    assert campaigns.segment(everyone).count() == 4


def test_the_opt_out_link_works_without_logging_in_and_is_counted(demo_people: None) -> None:
    ewan, kirsty, _ = opt_in(*READERS)
    made = started()
    run_to_the_end(made)
    row = Delivery.objects.get(address=ewan.email, kind=campaigns.KIND)
    link = path_of(row.headers["List-Unsubscribe"].strip("<>"))
    visitor = Client(enforce_csrf_checks=True)
    # GET only asks: link scanners follow links.
    page = visitor.get(link)
    assert page.status_code == 200
    assert b"Stop news and announcements" in page.content
    ewan.refresh_from_db()
    assert ewan.news_opted_in_at is not None
    # The provider's one-click POST: no session, no CSRF token.
    done = visitor.post(
        link, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert done.status_code == 200
    assert b"will get no more product news" in done.content
    ewan.refresh_from_db()
    assert ewan.news_opted_in_at is None
    event = Event.objects.get(action="individual.news_opted_out", subject_id=str(ewan.pk))
    assert event.data == {"via": "link", "address": ewan.email, "campaign": made.pk}
    assert event.actor_label == ewan.name
    assert Recipient.objects.get(campaign=made, individual=ewan).state == "opted_out"
    outbox.sweep()
    counted = campaigns.counts(made)
    assert (counted["sent"], counted["opted_out"]) == (3, 1)
    # The next campaign leaves Ewan out.
    later = started(name="Later")
    assert ewan.pk not in {p.pk for p in campaigns.segment(later)}
    assert kirsty.pk in {p.pk for p in campaigns.segment(later)}


def test_any_other_link_is_refused_alike(demo_people: None) -> None:
    [ewan] = opt_in("customer")
    made = started()
    run_to_the_end(made)
    good = Delivery.objects.get(kind=campaigns.KIND).headers["List-Unsubscribe"].strip("<>")
    token = good.rstrip("/").rsplit("/", 1)[1]
    never_sent = campaign(name="Never sent to Ewan")
    others = [
        token[:-2] + ("aa" if not token.endswith("aa") else "bb"),  # altered
        links.make(ewan, campaigns.NEWS, scope=str(never_sent.pk)),  # another campaign
        links.make(ewan, outbound.UNSUBSCRIBE),  # the mail opt-out's link
        links.make(person("colleague"), campaigns.NEWS, scope=str(made.pk)),  # not sent to
    ]
    visitor = Client(enforce_csrf_checks=True)
    for bad in others:
        response = visitor.post(f"/mail/news/{bad}/")
        assert response.status_code == 404, bad
        assert b"This link does not work" in response.content
    ewan.refresh_from_db()
    assert ewan.news_opted_in_at is not None
    assert not Event.objects.filter(action="individual.news_opted_out").exists()


def test_a_bounce_of_a_campaign_message_is_counted(
    demo_people: None, smtp_server: SmtpServer
) -> None:
    opt_in(*READERS)
    made = started()
    run_to_the_end(made)
    outbox.sweep()
    row = Delivery.objects.get(kind=campaigns.KIND, address=PERSONAS["customer"].email)
    raw = message("dsn.eml", **{"DELIVERY-KEY": row.key})
    received = inbound.receive(
        raw, via="smtp", envelope_from="<>", envelope_to=[addresses.bounce_address(row.key)]
    )
    assert received.outcome == "bounce", received.reason
    assert campaigns.counts(made) == {
        "queued": 0,
        "sent": 3,
        "skipped": 0,
        "bounced": 1,
        "opted_out": 0,
    }


def test_starting_needs_words_and_a_draft(demo_people: None) -> None:
    with pytest.raises(ValidationError) as error:
        campaigns.start(campaign(subject=" ", text=""), actor=None)
    assert set(error.value.message_dict) == {"subject", "text"}
    with pytest.raises(ValidationError) as error:
        campaigns.start(campaign(name="Tags", text="{% load x %} {{ number }}"), actor=None)
    assert "not a placeholder of a campaign" in str(error.value)
    made = started(name="Once")
    with pytest.raises(ValidationError, match="only a draft can be sent"):
        campaigns.start(made, actor=None)
    # Nothing is sent for a draft.
    opt_in("customer")
    assert campaigns.send_batch(campaign(name="Draft")) == 0
    assert not Recipient.objects.exists()


def test_cancelling_holds_back_what_is_not_sent(demo_people: None) -> None:
    opt_in(*READERS)
    made = started()
    campaigns.send_batch(made, size=2)
    assert campaigns.cancel(made, actor=None) == 2
    assert campaigns.send_batch(made) == 0
    assert outbox.deliver().claimed == 0
    assert campaigns.counts(made) == {
        "queued": 0,
        "sent": 0,
        "skipped": 2,
        "bounced": 0,
        "opted_out": 0,
    }


def test_consent_is_the_persons_own_on_the_profile_page(
    client_for: Callable[[str], Client],
) -> None:
    ewan = person("customer")
    csr = person("csr")
    with pytest.raises(PermissionDenied):
        campaigns.set_news(person=ewan, opted_in=True, via="profile", actor=csr.user)
    with pytest.raises(PermissionDenied):
        campaigns.set_news(person=ewan, opted_in=True, via="link")
    client = client_for("customer")
    page = client.get("/portal/profile/")
    assert b"Send me product news and announcements" in page.content
    saved = client.post("/portal/profile/mail/", {"news": "on", "language": ""})
    assert saved.status_code == 302, saved.content
    ewan.refresh_from_db()
    assert ewan.news_opted_in_at is not None
    event = Event.objects.get(action="individual.news_opted_in", subject_id=str(ewan.pk))
    assert event.data == {"via": "profile", "address": ewan.email}
    client.post("/portal/profile/mail/", {"language": ""})
    ewan.refresh_from_db()
    assert ewan.news_opted_in_at is None
    assert Event.objects.filter(action="individual.news_opted_out").count() == 1


@pytest.mark.skipif(
    not postgres_cluster.wanted(),
    reason="PostgreSQL pass: SQLite's in-memory test database, shared between threads, "
    "locks whole tables; real workers on SQLite queue behind its IMMEDIATE write "
    "transaction, and the batches above run one after another",
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_write_each_person_once(demo_people: None) -> None:
    opt_in(*READERS, "partner", "employee")
    made = started()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            run_to_the_end(Campaign.objects.get(pk=made.pk), size=1)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    rows = list(Recipient.objects.filter(campaign=made).values_list("individual_id", flat=True))
    assert len(rows) == len(set(rows)) == 5
    assert Delivery.objects.filter(kind=campaigns.KIND).count() == 5


def test_systems_admin_writes_starts_and_counts(client_for: Callable[[str], Client]) -> None:
    admin = client_for("administrator")
    refused = admin.post(
        "/admin/automations/campaign/add/",
        {"name": "Bad", "subject": "News", "text": "Your request {{ number }}"},
    )
    assert refused.status_code == 200
    assert b"not a placeholder of a campaign" in refused.content
    assert not Campaign.objects.filter(name="Bad").exists()
    opt_in("customer")
    made = campaign()
    listed = admin.get("/admin/automations/campaign/")
    assert listed.status_code == 200
    assert b"AquaSense 3" in listed.content
    assert admin.get(f"/admin/automations/campaign/{made.pk}/change/").status_code == 200
    started_page = admin.post(
        "/admin/automations/campaign/",
        {"action": "start_sending", "_selected_action": [made.pk]},
    )
    assert started_page.status_code == 302
    made.refresh_from_db()
    assert made.state == Campaign.State.SENDING
    run_to_the_end(made)
    page = admin.get(f"/admin/automations/campaign/{made.pk}/change/")
    assert b"1 queued, 0 sent" in page.content
    admin.post("/admin/automations/campaign/", {"action": "cancel", "_selected_action": [made.pk]})
    made.refresh_from_db()
    assert made.state == Campaign.State.SENT  # a sent campaign is not cancelled
