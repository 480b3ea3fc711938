"""Campaigns (issue 22): product announcements and news e-mailed by the worker, in
batches, to the people of a segment who opted in to news.

Consent comes first: only a person who ticked "Send me product news and announcements"
(Individual.news_opted_in_at) is written to, and every message carries a signed link
that takes the consent back without logging in (the `mail:news` page, and a mail
provider's one-click button, RFC 8058). A person who asked for no mail but about their
own requests (mail_opted_out_at) gets no news either.

Each person gets a campaign once: the batches of one campaign run one at a time (the
campaign's row is locked while a batch is written), a person is a Recipient row at most
once (a unique constraint), and the outbox row is written in the same transaction as
the Recipient that names it — so a worker killed mid-batch leaves nothing half done,
and two workers never write the same person twice.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import partial
from html import escape
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction as db
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from portico import access
from portico.access import links
from portico.audit.models import Channel
from portico.automations.models import Campaign, Recipient
from portico.events import services as events
from portico.mail import addresses, outbound, templates
from portico.mail.models import Template
from portico.notify.delivery import NOT_SENT
from portico.notify.models import Delivery, new_delivery_key
from portico.notify.services import _deliver_after_commit
from portico.parties.models import Individual
from portico.service.models import ProfileValue

KIND = "campaign"  # the outbox rows' kind
NEWS = "news"  # the opt-out link's purpose
NEWS_LINK_AGE = datetime.timedelta(days=365)
OPT_OUT_WORDS = "Stop product news and announcements"
PLACEHOLDERS = ("name", "site_name", "unsubscribe_link")
BATCH = 500

# How the consent changed (the events' "via").
LINK = "link"
PROFILE = "profile"

# Stand-ins filled in per person after the message is rendered once for the batch:
# rendering the layout for each of 10,000 people would be most of the work. They are
# plain words and a URL, which neither escaping nor the sanitiser changes, and which the
# plain text's links turn into a link in the HTML made from it.
_NAME = "zzportico0name0zz"
_LINK = "https://portico.invalid/zzportico0link0zz"


# --- who -------------------------------------------------------------------------------


def segment(campaign: Campaign) -> QuerySet[Individual]:
    """The people `campaign` goes to: active, with an e-mail address, opted in to news
    and not opted out of mail, in any of its organisations or user groups, or owning any
    of its products. No organisation, group or product chosen: everyone opted in.

    "Owning" a product means having a request about it (a transaction they asked, whose
    "product" classification is that product): Portico keeps no install base."""
    people = Individual.objects.filter(
        active=True, news_opted_in_at__isnull=False, mail_opted_out_at__isnull=True
    ).exclude(email="")
    organizations = list(campaign.organizations.values_list("pk", flat=True))
    groups = list(campaign.user_groups.values_list("pk", flat=True))
    products = list(campaign.products.values_list("pk", flat=True))
    where = Q()
    if organizations:
        where |= Q(organization_id__in=organizations)
    if groups:
        where |= Q(user_group_id__in=groups)
    if products:
        owners = ProfileValue.objects.filter(
            choice_id__in=products, transaction__requester__isnull=False
        ).values("transaction__requester_id")
        where |= Q(pk__in=owners)
    return people.filter(where)


# --- starting and stopping ---------------------------------------------------------------


def validate(*, subject: str, text: str, html: str = "") -> None:
    """A ValidationError per field: what a campaign needs before it may be sent."""
    errors: dict[str, list[str]] = {}
    if not subject.strip():
        errors["subject"] = ["A campaign needs a subject."]
    if not text.strip():
        errors["text"] = ["A campaign needs its words in plain text (the HTML is optional)."]
    for field, value in (("subject", subject), ("text", text), ("html", html)):
        unknown = sorted(set(templates.PLACEHOLDER.findall(value)) - set(PLACEHOLDERS))
        if unknown:
            names = ", ".join("{{ %s }}" % name for name in unknown)  # noqa: UP031
            errors.setdefault(field, []).append(
                f"{names}: not a placeholder of a campaign. Use one of: {', '.join(PLACEHOLDERS)}."
            )
        if templates._SYNTAX.search(templates.PLACEHOLDER.sub("", value)):
            errors.setdefault(field, []).append(
                "Only placeholders written {{ name }} may be used: no tags, no filters."
            )
    if errors:
        raise ValidationError(errors)


@db.atomic
def start(campaign: Campaign, *, actor: Any, now: datetime.datetime | None = None) -> Campaign:
    """Hand a draft to the worker to send (`send_batch`, every 30 seconds)."""
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.state != Campaign.State.DRAFT:
        raise ValidationError(
            f"“{locked.name}” is {locked.get_state_display().lower()}: only a draft can be sent."
        )
    validate(subject=locked.subject, text=locked.text, html=locked.html)
    locked.state = Campaign.State.SENDING
    locked.started_at = now or timezone.now()
    locked.save(update_fields=["state", "started_at"])
    campaign.state, campaign.started_at = locked.state, locked.started_at
    return locked


@db.atomic
def cancel(campaign: Campaign, *, actor: Any, now: datetime.datetime | None = None) -> int:
    """Stop a draft or a campaign being sent: nobody more is written to, and what the
    outbox has not sent yet is not sent. Returns how many messages were held back."""
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.state not in (Campaign.State.DRAFT, Campaign.State.SENDING):
        raise ValidationError(
            f"“{locked.name}” is {locked.get_state_display().lower()}: nothing to cancel."
        )
    now = now or timezone.now()
    waiting = Recipient.objects.filter(
        campaign=locked, state=Recipient.State.QUEUED, delivery__sent_at__isnull=True
    )
    ids = list(waiting.values_list("delivery_id", flat=True))
    # Like a suppressed address: done, never tried (the deliverer only takes unsent rows).
    held = Delivery.objects.filter(pk__in=ids, sent_at__isnull=True).update(
        sent_at=now, claimed_until=None, last_error=f"{NOT_SENT} the campaign was cancelled."
    )
    Recipient.objects.filter(delivery_id__in=ids).update(state=Recipient.State.SKIPPED)
    locked.state = Campaign.State.CANCELLED
    locked.finished_at = now
    locked.save(update_fields=["state", "finished_at"])
    campaign.state, campaign.finished_at = locked.state, locked.finished_at
    return held


# --- sending -------------------------------------------------------------------------------


def opt_out_link(person: Individual, campaign: Campaign) -> str:
    token = links.make(person, NEWS, scope=str(campaign.pk), age=NEWS_LINK_AGE)
    return settings.PORTICO_SITE_URL + reverse("mail:news", kwargs={"token": token})


def _rendered(campaign: Campaign) -> templates.Rendered:
    template = Template(kind=KIND, subject=campaign.subject, text=campaign.text, html=campaign.html)
    context = {"name": _NAME, "site_name": templates.site_name(), "unsubscribe_link": _LINK}
    return templates.render(template, context, opt_out_words=OPT_OUT_WORDS)


def send_batch(
    campaign: Campaign, *, size: int = BATCH, now: datetime.datetime | None = None
) -> int:
    """Write the outbox rows for the next `size` people of the segment not yet written
    to (the worker sends them), and mark the campaign sent when none are left. Returns
    how many people this batch took (suppressed addresses included, as skipped)."""
    now = now or timezone.now()
    with db.atomic():
        # One batch of a campaign at a time: the lock (on SQLite, the IMMEDIATE write
        # transaction) makes a second worker wait, then see whom the first took.
        locked = (
            Campaign.objects.select_for_update()
            .filter(pk=campaign.pk, state=Campaign.State.SENDING)
            .first()
        )
        if locked is None:
            return 0
        taken = Recipient.objects.filter(campaign=locked).values("individual_id")
        people = list(
            segment(locked)
            .exclude(pk__in=taken)
            .order_by("pk")
            .values_list("pk", "email", "first_name", "last_name")[:size]
        )
        stopped = outbound.suppressed(email for _, email, _, _ in people)
        rendered = _rendered(locked) if people else None
        sender = addresses.from_address(None)
        deliveries: list[Delivery] = []
        recipients: list[Recipient] = []
        for pk, email, first, last in people:
            if email.lower() in stopped:
                recipients.append(
                    Recipient(
                        campaign=locked,
                        individual_id=pk,
                        address=email,
                        state=Recipient.State.SKIPPED,
                        created_at=now,
                    )
                )
                continue
            assert rendered is not None
            name = f"{first} {last}".strip()
            link = opt_out_link(Individual(pk=pk), locked)
            key = new_delivery_key()
            delivery = Delivery(
                key=key,
                channel=Delivery.Channel.EMAIL,
                kind=KIND,
                address=email,
                subject=rendered.subject.replace(_NAME, name)[:300],
                body=rendered.text.replace(_NAME, name).replace(_LINK, link),
                html=rendered.html.replace(_NAME, escape(name)).replace(_LINK, escape(link)),
                from_header=sender,
                sender=addresses.bounce_address(key),
                headers={
                    "Auto-Submitted": "auto-generated",
                    "Precedence": "bulk",
                    # RFC 8058: a mail provider's unsubscribe button POSTs to the link.
                    "List-Unsubscribe": f"<{link}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
                created_at=now,
                due_at=now,
            )
            deliveries.append(delivery)
            recipients.append(
                Recipient(
                    campaign=locked,
                    individual_id=pk,
                    address=email,
                    delivery=delivery,
                    created_at=now,
                )
            )
        Delivery.objects.bulk_create(deliveries)
        # No ignore_conflicts: under the lock nobody else can have taken these people,
        # and if anything ever did, the batch must fail whole rather than leave an
        # outbox row whose Recipient was not written (a second message).
        Recipient.objects.bulk_create(recipients)
        if len(people) < size:
            locked.state = Campaign.State.SENT
            locked.finished_at = now
            locked.save(update_fields=["state", "finished_at"])
            campaign.state, campaign.finished_at = locked.state, locked.finished_at
        if deliveries and settings.PORTICO_WAKE_WORKER:
            db.on_commit(partial(_deliver_after_commit, [d.pk for d in deliveries]))
    return len(people)


def send_all(*, batches: int = 10, size: int = BATCH) -> int:
    """The worker's job: up to `batches` batches of every campaign being sent. Returns
    how many people were taken."""
    total = 0
    for campaign in Campaign.objects.filter(state=Campaign.State.SENDING).order_by("pk"):
        for _ in range(batches):
            took = send_batch(campaign, size=size)
            total += took
            if took < size:
                break
    return total


# --- what became of it ---------------------------------------------------------------------


def counts(campaign: Campaign) -> dict[str, int]:
    """queued: in the outbox, not sent yet; sent: handed to the mail server (those that
    later bounced or opted out included); skipped: not sent (a suppressed address, or
    the campaign cancelled first); bounced: a bounce came back; opted_out: took their
    consent back through this campaign's link. One query."""
    sent = Q(delivery__sent_at__isnull=False)
    held = Q(delivery__last_error__startswith=NOT_SENT)
    row = Recipient.objects.filter(campaign=campaign).aggregate(
        queued=Count("pk", filter=Q(delivery__isnull=False, delivery__sent_at__isnull=True)),
        sent=Count("pk", filter=sent & ~held),
        skipped=Count("pk", filter=Q(state=Recipient.State.SKIPPED) | (sent & held)),
        bounced=Count("pk", filter=Q(state=Recipient.State.BOUNCED)),
        opted_out=Count("pk", filter=Q(state=Recipient.State.OPTED_OUT)),
    )
    return {key: int(value) for key, value in row.items()}


def bounced(delivery: Delivery) -> None:
    """A bounce came back for `delivery` (portico.mail.bounces): if it was a campaign's,
    its Recipient did not get it."""
    if delivery.kind == KIND:
        Recipient.objects.filter(delivery=delivery).update(state=Recipient.State.BOUNCED)


# --- consent -------------------------------------------------------------------------------


@db.atomic
def set_news(
    *,
    person: Individual,
    opted_in: bool,
    via: str,
    actor: Any = None,
    campaign: Campaign | None = None,
    channel: str = Channel.WEB,
) -> Individual:
    """Opt `person` in to product news and announcements, or out. Only the person may
    opt in (logged in, on their profile page): consent is never given for them. Opting
    out: the person, the staff for them, or the signed link in a campaign's message
    (`actor` None, `campaign` the one it came in), which marks that campaign's
    Recipient opted out. Doing what is already so changes and records nothing."""
    if actor is not None:
        own = access.individual_of(actor)
        if opted_in and (own is None or own.pk != person.pk):
            raise PermissionDenied("Only the person can opt in to news.")
        if not access.may_change_contact_details(actor, person):
            raise PermissionDenied("You may change only your own mail settings.")
    elif opted_in:
        raise PermissionDenied("Only the person can opt in to news.")
    locked = Individual.objects.select_for_update().get(pk=person.pk)
    if (locked.news_opted_in_at is not None) == opted_in:
        return locked
    locked.news_opted_in_at = timezone.now() if opted_in else None
    locked.save(update_fields=["news_opted_in_at"])
    person.news_opted_in_at = locked.news_opted_in_at
    data: dict[str, Any] = {"via": via, "address": locked.email}
    if campaign is not None and not opted_in:
        data["campaign"] = campaign.pk
        Recipient.objects.filter(campaign=campaign, individual=locked).update(
            state=Recipient.State.OPTED_OUT
        )
    events.record(
        "individual.news_opted_in" if opted_in else "individual.news_opted_out",
        actor=actor,
        actor_label="" if actor is not None else locked.name,
        channel=channel,
        subject=locked,
        data=data,
    )
    return locked


@dataclass(frozen=True)
class NewsLink:
    person: Individual
    campaign: Campaign


def open_news_link(token: str) -> NewsLink:
    """The person and campaign of an opt-out link, or links.LinkRefused: altered,
    expired, another purpose's, or naming a campaign that was not sent to them."""
    link = links.open_link(token, NEWS)
    recipient = (
        Recipient.objects.filter(campaign_id=_campaign_id(link.scope), individual=link.person)
        .select_related("campaign")
        .first()
    )
    if recipient is None:
        raise links.LinkRefused
    return NewsLink(person=link.person, campaign=recipient.campaign)


def _campaign_id(scope: str) -> int:
    return int(scope) if scope.isdigit() else 0
