"""Done when (issue 20): a test receiver on 127.0.0.1 gets a correctly signed delivery
for every event type the registry names; a wrong secret fails verification.

Each event happens through the real action (a page, a service) where Portico has one;
the worker's dispatch runs the subscribers, then the delivery pass POSTs to the
receiver."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from portico.api import services as api_services
from portico.automations import campaigns
from portico.automations.models import Campaign
from portico.events import registry
from portico.events.services import record
from portico.knowledge import services as knowledge
from portico.mail import preferences as mail_preferences
from portico.notify.models import Delivery
from portico.parties import services as parties
from portico.parties.models import Individual, Organization
from portico.service import actions
from portico.service.models import Application, Choice, Permission, Status
from portico.surveys import services as surveys
from portico.webhooks import delivery as webhook_delivery
from portico.webhooks import services as webhooks
from portico.webhooks.models import Subscription
from tests.conftest import PASSWORD, PERSONAS
from tests.surveys.form_factory import build_form, good
from tests.webhooks.conftest import Receiver, admin_user, send_due

# No action makes these in a test's reach: the throttled log-in needs a burst of
# failures past the rate limit (tests/security/test_login.py makes it for real).
RECORDED_DIRECTLY = {"session.login_throttled"}


def _log_in_out(email: str) -> None:
    client = Client()
    assert client.post("/accounts/login/", {"login": email, "password": "wrong"}).status_code
    assert (
        client.post("/accounts/login/", {"login": email, "password": PASSWORD}).status_code == 302
    )
    client.post("/accounts/logout/")


def _happen(client_for: Callable[[str], Client]) -> None:
    """Make every event the registry names happen, through Portico's own actions."""
    admin = admin_user()
    customer = Individual.objects.get(email=PERSONAS["customer"].email)
    csr = Individual.objects.get(email=PERSONAS["csr"].email)
    application = Application.objects.get(code="service-issue")
    t = actions.create_transaction(
        actor=customer.user,  # type: ignore[arg-type]
        application=application,
        title="Chlorine dosing alarm",
        profile={"issue-type": "fault", "product": "aquasense-sensor-pack"},
    )
    other = actions.create_transaction(
        actor=admin,
        application=application,
        title="Second",
        requester=customer,
        profile={"issue-type": "fault", "product": "aquasense-sensor-pack"},
    )
    actions.record_view(actor=customer.user, transaction=t)  # type: ignore[arg-type]
    actions.update_profile(actor=admin, transaction=t, values={"issue-type": "configuration"})
    actions.edit_text(actor=admin, transaction=t, title="Chlorine dosing alarm, line 2")
    note = actions.add_note(actor=admin, transaction=t, body="Called them.", visibility="shared")
    attachment = actions.add_attachment(
        actor=admin, transaction=t, upload=ContentFile(b"log\n"), name="log.txt", note=note
    )
    actions.delete_attachment(actor=admin, attachment=attachment)
    row = actions.grant(
        actor=admin,
        transaction=t,
        permission=Permission.objects.get(code="read"),
        individual=csr,
    )
    actions.revoke(actor=admin, grant_row=row)
    actions.assign(actor=admin, transaction=t, assignees=[csr])
    team = Organization.objects.filter(kind="team", active=True).exclude(pk=t.team_id or 0).first()
    assert team is not None
    actions.forward(actor=admin, transaction=t, team=team, note="Theirs now.")
    actions.relate(actor=admin, transaction=t, other=other, kind="related")
    status = (
        t.status.next_statuses.exclude(category__in=["resolved", "closed"])
        .exclude(code="withdrawn")
        .order_by("position")
        .first()
    )
    assert status is not None
    actions.change_status(actor=admin, transaction=t, status=status)
    actions.withdraw(actor=customer.user, transaction=t, reason="Fixed it ourselves.")  # type: ignore[arg-type]
    t.refresh_from_db()
    resolved = Status.objects.get(application=application, category="resolved")
    type(t).objects.filter(pk=t.pk).update(status=resolved, resolved_at=timezone.now())
    t.refresh_from_db()
    # The customer answers the satisfaction survey through its signed page.
    survey = surveys.link(customer, t).removeprefix(settings.PORTICO_SITE_URL)
    assert Client().post(survey, {"rating": "2"}).status_code == 200
    assert Client().post(survey, {"rating": "1", "comment": "No."}).status_code == 200
    # The administrator marks the "not satisfied" answer followed up from the console.
    followed = client_for("administrator").post(
        f"/console/transactions/{t.number}/follow-up/", {"note": "Called them back."}
    )
    assert followed.status_code == 302
    # The customer answers a feedback form on the portal page.
    form = build_form()
    answers = {f"q{key}": value for key, value in good(form).items()}
    assert client_for("customer").post(f"/portal/forms/{form.pk}/", answers).status_code == 302
    actions.reopen(actor=customer.user, transaction=t, reason="It came back.")  # type: ignore[arg-type]
    assert client_for("csr").get("/console/transactions/export.csv").status_code == 200

    # People.
    colleague = Individual.objects.get(email=PERSONAS["colleague"].email)
    parties.update_contact_details(
        actor=admin,
        individual=colleague,
        first_name=colleague.first_name,
        last_name=colleague.last_name,
        job_title="Plant manager",
        phone=colleague.phone,
        mobile=colleague.mobile,
    )
    # Her account's owner is told she left: an automation rule's act on a person.
    Organization.objects.filter(people=colleague).update(account_owner=csr)
    parties.deactivate_individual(individual=colleague, actor=admin)
    parties.reactivate_individual(individual=colleague, actor=admin)
    mail_preferences.set_opted_out(person=colleague, opted_out=True, via="link")
    mail_preferences.set_opted_out(
        person=colleague, opted_out=False, via="profile", actor=colleague.user
    )
    # News: the colleague opts out through a campaign's link, then back in (the profile
    # page's service). Few events: the receiver keeps only a subscription's newest 50.
    colleague.refresh_from_db()
    if colleague.news_opted_in_at is None:
        campaigns.set_news(person=colleague, opted_in=True, via="profile", actor=colleague.user)
    campaign = Campaign.objects.create(name="News", subject="News", text="Hello {{ name }}")
    campaigns.start(campaign, actor=admin)
    campaigns.send_batch(campaign)
    sent = Delivery.objects.get(kind=campaigns.KIND, address=colleague.email)
    link = sent.headers["List-Unsubscribe"].strip("<>").split("://", 1)[1].partition("/")[2]
    assert Client().post(f"/{link}").status_code == 200
    campaigns.set_news(person=colleague, opted_in=True, via="profile", actor=colleague.user)

    # Knowledge.
    article = knowledge.save_article(
        actor=admin, change=knowledge.ArticleChange(title="Bleeding a pump", body="Open it.")
    )
    article = knowledge.save_article(
        actor=admin,
        article=article,
        change=knowledge.ArticleChange(title="Bleeding a dosing pump", body="Open it."),
    )
    knowledge.save_article(
        actor=admin,
        article=article,
        change=knowledge.ArticleChange(
            title="Bleeding a dosing pump", body="Open it.", status="published"
        ),
    )
    knowledge.add_document(
        actor=admin, title="Pump manual", upload=ContentFile(b"manual\n"), name="manual.txt"
    )

    # Reports: a product whose week spikes in the roll-ups is flagged by the worker's job.
    from portico.reports import flags
    from portico.reports.models import DayFigure, Dimension

    pump = Choice.objects.filter(classification__code="product").first()
    assert pump is not None
    today = timezone.localdate()
    for back in range(13 * 7):
        day = today - datetime.timedelta(days=back)
        DayFigure.objects.create(day=day, dimension=Dimension.ALL, team="x", key="", opened=1)
        DayFigure.objects.create(
            day=day,
            dimension=Dimension.PRODUCT,
            team="x",
            key=str(pump.pk),
            opened=8 if back < 7 else 1,
        )
    assert flags.flag(today)

    # Access.
    made = api_services.create_token(
        actor=admin, name="hooks", expires_at=timezone.now() + datetime.timedelta(days=5)
    )
    api_services.revoke_token(actor=admin, token=made.token)
    _log_in_out(PERSONAS["technician"].email)
    for name in RECORDED_DIRECTLY:
        record(name, ip_address="192.0.2.1")


def test_a_signed_delivery_for_every_event_type(
    subscription: Subscription,
    receiver: Receiver,
    worker: Callable[[], int],
    client_for: Callable[[str], Client],
) -> None:
    _happen(client_for)
    from portico.audit.models import Event

    worker()  # what the automation rules record (rule.acted…) happens in the worker
    made = set(Event.objects.values_list("action", flat=True))
    # Everything but the ping happened through a real action (or is listed as not).
    assert set(registry.NAMES) - made == {"webhook.ping"}
    webhooks.ping(actor=admin_user(), subscription=subscription)
    worker()
    send_due()

    assert set(receiver.events()) == set(registry.NAMES)
    for got in receiver.received:
        body = got.json
        assert got.signed_with(subscription.secret), got.headers["X-Portico-Event"]
        assert not got.signed_with("whsec_not-the-secret")
        assert got.headers["Content-Type"] == "application/json"
        assert body["event"] == got.headers["X-Portico-Event"]
        assert body["id"] == got.headers["X-Portico-Delivery"]
        assert list(body) == ["id", "event", "occurred_at", "sent_at", "data"]
        assert datetime.datetime.fromisoformat(body["sent_at"]) >= datetime.datetime.fromisoformat(
            body["occurred_at"]
        )
    # Each one succeeded; the subscription keeps the newest KEEP of them.
    assert len({got.headers["X-Portico-Delivery"] for got in receiver.received}) == len(
        receiver.received
    )
    assert subscription.deliveries.filter(succeeded_at__isnull=False).count() == min(
        len(receiver.received), webhook_delivery.KEEP
    )


def test_a_wrong_secret_fails_verification(
    subscription: Subscription, receiver: Receiver, worker: Callable[[], int]
) -> None:
    webhooks.ping(actor=admin_user(), subscription=subscription)
    send_due()
    [got] = receiver.received
    assert got.signed_with(subscription.secret)
    assert not got.signed_with(subscription.secret + "x")
    # A byte changed in transit fails too.
    tampered = type(got)(got.path, got.headers, got.body.replace(b"webhook.ping", b"webhook.pong"))
    assert not tampered.signed_with(subscription.secret)
