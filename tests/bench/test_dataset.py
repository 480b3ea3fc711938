"""The bench's data at scale S, made as `make bench` makes it (on SQLite), and every
workload asked of it as the bench asks: a model change that the generator or a workload
misses fails here, not first in a bench run."""

from __future__ import annotations

import re
import urllib.parse

from bench.dataset import SCALES, Generator, SQLiteSink, three_notes
from bench.workloads import PERSONAS, workloads
from django.test import Client
from django.utils import timezone

from bench import campaign
from portico.parties.models import Individual, Organization, User
from portico.service.models import Note, Priority, Status, Transaction
from tests.postgres_cluster import sqlite_pass_only

pytestmark = sqlite_pass_only(
    "the bench loads scale S through its SQLite writer; scale L's COPY loader runs in `make bench`"
)


def test_the_data_holds_what_every_workload_asks_for(demo_data: None) -> None:
    # One test, because making scale S takes most of its time.
    before = Transaction.objects.count()
    sink = SQLiteSink()
    generated = Generator(SCALES["S"], sink, now=timezone.now())
    generated.people()
    generated.transactions()
    sink.finish({})
    assert Transaction.objects.count() - before == SCALES["S"].transactions
    _the_targets_are_there(generated)
    _every_workload_is_answered_as_the_bench_expects(generated)
    _the_campaign_reaches_every_reader_once()


def _the_targets_are_there(generated: Generator) -> None:
    targets = generated.targets
    fifty = Transaction.objects.get(number=targets.fifty_notes)
    assert Note.objects.filter(transaction=fifty).count() == 50
    harbour = Organization.objects.get(pk=targets.busy_organization)
    assert harbour.name == "Harbour Foods plc"
    # Its backlog fills the filtered queue's page at S as at L.
    open_ids = Status.objects.filter(category=Status.Category.OPEN).values("pk")
    open_at_harbour = Transaction.objects.filter(organization=harbour, status_id__in=open_ids)
    assert open_at_harbour.count() > 50
    # The transaction pages with three notes: one of the customer persona's organisation.
    targets.three_notes = three_notes(PERSONAS["customer"])
    three = Transaction.objects.get(number=targets.three_notes)
    assert three.organization == harbour
    assert Note.objects.filter(transaction=three).count() == 3
    notable = Transaction.objects.filter(number__in=targets.note_targets)
    # Up to a hundred open service issues of other customers (55 at S) for add-note.
    assert 0 < notable.count() == len(targets.note_targets) <= 100
    assert not notable.filter(organization=harbour).exists()
    assert not notable.exclude(status_id__in=open_ids).exists()


def _every_workload_is_answered_as_the_bench_expects(generated: Generator) -> None:
    clients: dict[str, Client] = {}
    for persona, email in PERSONAS.items():
        clients[persona] = Client()
        clients[persona].force_login(User.objects.get(email=email))
    p3 = Priority.objects.get(code="P3").pk
    asked = 0
    for workload in workloads(generated.targets, priority_id=p3):
        if workload.persona is None or workload.request is None:
            continue  # the floor: bench.floor_settings' own views
        request = workload.request
        client = clients[workload.persona]
        for path in request.paths[:2]:
            if request.method == "GET":
                response = client.get(path)
            else:
                response = client.post(
                    path, data=request.body, content_type="application/x-www-form-urlencoded"
                )
            assert response.status_code == request.expected, (workload.key, path)
            asked += 1
        if workload.key == "console-queue-filtered":
            # A full page of the busy organisation's open transactions.
            html = response.content.decode()
            assert len(re.findall(r'<td class="number">', html)) == 50, workload.key
            org = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)["organization"]
            assert org == [str(generated.targets.busy_organization)]
    assert asked >= 12


def _the_campaign_reaches_every_reader_once() -> None:
    # The scale's readers, and any of the demo's people who opted in.
    readers = Individual.objects.filter(news_opted_in_at__isnull=False).count()
    assert readers >= SCALES["S"].readers
    report = campaign.run(log=lambda _: None, deliver=False)
    assert "Checked: every person once, no opted-out person." in report
    assert f"### Campaign: {readers - campaign.OPTED_OUT:,} people" in report
    # What it wrote is gone, the readers' consent back.
    assert Individual.objects.filter(news_opted_in_at__isnull=False).count() == readers
