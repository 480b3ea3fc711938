"""Greetings (issue 22, seed 002's "automated birthday card or e-card distributions"):
a birthday or customer-anniversary e-card, sent by the worker once a year each, on the
day in the person's own time zone, from 09:00 there.

The Greeting row is the claim: it is unique per person, kind and year and written in
the same transaction as the outbox row, so however many workers run the hourly job, and
however often, each card goes once.
"""

from __future__ import annotations

import calendar
import datetime
import logging
import zoneinfo
from functools import partial

from django.conf import settings
from django.db import IntegrityError
from django.db import transaction as db
from django.db.models import Q
from django.utils import timezone

from portico.automations.models import Greeting
from portico.mail import addresses, outbound, templates
from portico.notify.models import Delivery, new_delivery_key
from portico.notify.services import _deliver_after_commit
from portico.parties.models import Individual

log = logging.getLogger(__name__)

# Not before nine in the morning, their time: a card at 00:05 is a card nobody reads.
FROM_HOUR = 9
OPT_OUT_WORDS = "Stop e-mail that is not about your own requests"


def _zone(person: Individual) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(person.time_zone or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def falls_on(day: datetime.date, date: datetime.date) -> bool:
    """Whether the yearly day of `date` (a birthday, a start date) is `day`: 29 February
    falls on 28 February in a year that has no 29th."""
    if (date.month, date.day) == (day.month, day.day):
        return True
    return (
        (date.month, date.day) == (2, 29)
        and (day.month, day.day) == (2, 28)
        and not calendar.isleap(day.year)
    )


def _candidates(now: datetime.datetime) -> Q:
    """People whose birthday or anniversary may be today somewhere: every zone's date
    is the UTC date, the day before or the day after. Asked of the database as month and
    day, so the job reads a few people a day, not everyone."""
    utc = now.astimezone(datetime.UTC).date()
    days = {utc + datetime.timedelta(days=n) for n in (-1, 0, 1)}
    pairs = {(d.month, d.day) for d in days}
    if any((d.month, d.day) == (2, 28) and not calendar.isleap(d.year) for d in days):
        pairs.add((2, 29))
    where = Q()
    for month, day in sorted(pairs):
        where |= Q(birthday__month=month, birthday__day=day)
        where |= Q(customer_since__month=month, customer_since__day=day)
    return where


def due(now: datetime.datetime) -> list[tuple[Individual, str, int, int]]:
    """(person, kind, year, years as a customer) of every greeting due at `now`, not yet
    sent or not: the claim decides."""
    people = (
        Individual.objects.filter(_candidates(now), active=True, mail_opted_out_at__isnull=True)
        .exclude(email="")
        .order_by("pk")
    )
    found = []
    for person in people:
        local = now.astimezone(_zone(person))
        if local.hour < FROM_HOUR:
            continue
        today = local.date()
        if person.birthday and person.birthday < today and falls_on(today, person.birthday):
            found.append((person, Greeting.Kind.BIRTHDAY.value, today.year, 0))
        since = person.customer_since
        if since and today.year - since.year >= 1 and falls_on(today, since):
            found.append(
                (person, Greeting.Kind.ANNIVERSARY.value, today.year, today.year - since.year)
            )
    return found


def send_due(*, now: datetime.datetime | None = None) -> int:
    """Write the outbox row of every greeting due now and not yet sent. Returns how many."""
    now = now or timezone.now()
    sent = 0
    for person, kind, year, years in due(now):
        try:
            with db.atomic():
                greeting = Greeting.objects.create(
                    individual=person, kind=kind, year=year, sent_at=now
                )
                delivery = _compose(person, kind, years)
                if delivery is None:
                    # No words for it: the claim stays, so it is not tried hourly all day.
                    continue
                greeting.delivery = delivery
                greeting.save(update_fields=["delivery"])
        except IntegrityError:
            continue  # another worker (or an earlier run) sent this one
        sent += 1
    return sent


def _compose(person: Individual, kind: str, years: int) -> Delivery | None:
    if outbound.suppressed([person.email]):
        return None
    template = templates.choose(kind, None, person.language)
    if template is None:
        log.warning("no %s template: no greeting sent", kind)
        return None
    link = outbound.unsubscribe_link(person)
    values = {
        "name": person.name,
        "years": str(years) if years else "",
        "site_name": templates.site_name(),
        "unsubscribe_link": link,
    }
    context = {name: values.get(name, "") for name in templates.VARIABLES[kind]}
    rendered = templates.render(template, context, opt_out_words=OPT_OUT_WORDS)
    key = new_delivery_key()
    delivery = Delivery.objects.create(
        key=key,
        channel=Delivery.Channel.EMAIL,
        kind=kind,
        address=person.email,
        subject=rendered.subject[:300],
        body=rendered.text,
        html=rendered.html,
        from_header=addresses.from_address(None),
        sender=addresses.bounce_address(key),
        headers={
            "Auto-Submitted": "auto-generated",
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    if settings.PORTICO_WAKE_WORKER:
        db.on_commit(partial(_deliver_after_commit, [delivery.pk]))
    return delivery
