"""The campaign workload (issue 22: "a campaign to 10,000 people at scale S completes
through the worker, each person once, opt-outs respected; its throughput is in `make
bench`").

In process, against the bench's database: a campaign to everyone opted in to news (the
scale's readers, `dataset.Scale.readers`) is started as an administrator starts it, and
the worker's own periodic job (`automations.tasks.send_campaigns`) is run until the
campaign is sent. A share of the readers opt out through the link of a first, smaller
campaign before it starts, and must not be written to. Then the outbox rows are handed
to an in-memory mail backend by the deliverer (`notify.delivery.sweep`), which measures
the outbox's own work without a mail server's. Everything it wrote is deleted again, so
that a kept dataset stays as it was made.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

OPTED_OUT = 100  # readers who take their consent back before the big campaign


def run(*, log: Callable[[str], None] = print, deliver: bool = True) -> str:
    """Run the workload; return its report as Markdown. `deliver=False` leaves out the
    outbox's part (tests/bench: the campaign, not the mail, is what it checks)."""
    from django.core import mail
    from django.db import connection
    from django.test.utils import override_settings
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from portico.automations import campaigns, tasks
    from portico.automations.models import Campaign, Recipient
    from portico.mail.models import Address
    from portico.notify import delivery as outbox
    from portico.notify.models import Delivery
    from portico.parties.models import Individual

    kept_tasks = set(DBTaskResult.objects.values_list("pk", flat=True))
    addresses_before = set(Address.objects.values_list("pk", flat=True))
    made: list[Any] = []
    readers: list[int] = []
    try:
        # The opt-outs: a first campaign to the first readers, then each one's link.
        first = Campaign.objects.create(
            name="Bench: the opt-outs", subject="Hello {{ name }}", text="Hello {{ name }}"
        )
        made.append(first)
        readers = list(
            campaigns.segment(first).order_by("pk").values_list("pk", flat=True)[:OPTED_OUT]
        )
        campaigns.start(first, actor=None)
        # Only to these readers: a segment of their own is not a campaign field, so the
        # first batch is cut to their number and the rest cancelled.
        campaigns.send_batch(first, size=OPTED_OUT)
        campaigns.cancel(first, actor=None)
        for person in Individual.objects.filter(pk__in=readers):
            campaigns.set_news(person=person, opted_in=False, via=campaigns.LINK, campaign=first)

        campaign = Campaign.objects.create(
            name="Bench: AquaSense 3",
            subject="{{ name }}, AquaSense 3 is here",
            text="Hello {{ name }},\n\nAquaSense 3 is here: https://portico.example/aquasense\n",
        )
        made.append(campaign)
        audience = campaigns.segment(campaign).count()
        campaigns.start(campaign, actor=None)
        log(f"campaign: {audience:,} people opted in; the worker's job sends it")
        started = time.monotonic()
        runs = 0
        while Campaign.objects.get(pk=campaign.pk).state == Campaign.State.SENDING:
            tasks.send_campaigns()
            runs += 1
        written = time.monotonic() - started
        rows = Recipient.objects.filter(campaign=campaign)
        people = rows.count()
        distinct = rows.values("individual_id").distinct().count()
        again = rows.filter(individual_id__in=readers).count()
        # Everything unsent: the demo's own messages go out in the same sweep.
        queued = Delivery.objects.filter(sent_at__isnull=True).count()
        log(
            f"campaign: {people:,} recipients in {written:.1f} s "
            f"({people / written:,.0f}/s, {runs} runs of the job)"
        )
        started = time.monotonic()
        sent = received = 0
        if deliver:
            with override_settings(
                MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
            ):
                mail.outbox = []
                sent = outbox.sweep(limit=500).sent
                received = len(mail.outbox)
                mail.outbox = []
        delivered = max(time.monotonic() - started, 1e-6)
        if deliver:
            log(f"campaign: outbox sent {sent:,} in {delivered:.1f} s ({sent / delivered:,.0f}/s)")
        counted = campaigns.counts(campaign)
        problems = []
        if people != audience or distinct != people:
            problems.append(f"{people} recipients for {audience} people ({distinct} distinct)")
        if again:
            problems.append(f"{again} of the {OPTED_OUT} who opted out were written to")
        if deliver and (received != queued or counted["sent"] != people):
            problems.append(f"{received} received of {queued}; counts {counted}")
        verdict = "every person once, no opted-out person" if not problems else "; ".join(problems)
        return "\n".join(
            [
                "",
                f"### Campaign: {people:,} people ({connection.vendor})",
                "",
                "The worker's job (`automations.campaigns`, batches of 500) run until the "
                f"campaign is sent; {OPTED_OUT} readers opted out through a first "
                "campaign's link before it (bench/campaign.py). The outbox sent to an "
                f"in-memory mail backend. Checked: {verdict}.",
                "",
                "| step | people | seconds | per second |",
                "| --- | ---: | ---: | ---: |",
                f"| written to the outbox ({runs} job runs) | {people:,} | {written:.1f} | "
                f"{people / written:,.0f} |",
                f"| sent by the outbox | {sent:,} | {delivered:.1f} | {sent / delivered:,.0f} |"
                if deliver
                else "| sent by the outbox | (not asked) | | |",
            ]
        )
    finally:
        for campaign in made:
            ids = list(
                Recipient.objects.filter(campaign=campaign).values_list("delivery_id", flat=True)
            )
            Delivery.objects.filter(pk__in=[i for i in ids if i]).delete()
            campaign.delete()
        # Their consent back, as the dataset was made.
        Individual.objects.filter(pk__in=readers).update(news_opted_in_at=timezone.now())
        Address.objects.exclude(pk__in=addresses_before).delete()
        DBTaskResult.objects.exclude(pk__in=kept_tasks).delete()
