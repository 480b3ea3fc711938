"""Old days made stale by a later change (issue 24): the worker rebuilds today and
yesterday on its own; a change to an older transaction marks the days its figures are
in, and the `reports.rollups` job rebuilds them. Checked as a supervisor would: the
Service report of the old day, before and after, with the answers worked out by hand."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import DatabaseError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portico.audit.models import Event
from portico.events import periodic
from portico.reports import rollups, subscribers
from portico.reports.models import BuiltDay, DayFigure, Dimension, StaleDay
from portico.service import actions
from portico.service.models import Choice, Transaction
from tests.automations.test_defaults import customer_request, move
from tests.console.test_lists import individual, user

pytestmark = pytest.mark.usefixtures("demo_people")

Worker = Callable[[], int]
ROW = re.compile(
    r'<th scope="row"><span class="clip" title="[^"]*">(?P<label>[^<]*)</span></th>\s*'
    r"<td>(?P<opened>\d+) "
)


def local(days_ago: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=ZoneInfo(settings.TIME_ZONE))


def day(days_ago: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days_ago)


def run_the_job() -> None:
    periodic.discover()["reports.rollups"].function()


def opened_by(client: Client, by: str, days_ago: int) -> dict[str, int]:
    """The Service report's "Opened" per group for one day."""
    d = day(days_ago).isoformat()
    html = client.get("/console/reports/", {"since": d, "until": d, "by": by}).content.decode()
    return {m["label"]: int(m["opened"]) for m in ROW.finditer(html)}


def old_request(worker: Worker) -> Transaction:
    """A dosing pump request opened 40 days ago at 10:00, resolved 38 days ago at 15:00,
    and those days' roll-ups built."""
    issue = customer_request("Old dosing pump alarm")
    move(issue, "in-progress")
    move(issue, "resolved", resolution="Done.")
    worker()  # its own events, while it is today's: they mark nothing
    Transaction.objects.filter(pk=issue.pk).update(
        created_at=local(40, 10), first_response_at=local(38, 15), resolved_at=local(38, 15)
    )
    Event.objects.filter(subject_id=str(issue.pk), action="transaction.status_changed").update(
        occurred_at=local(38, 15)
    )
    rollups.build(day(41), timezone.localdate())
    assert not StaleDay.objects.exists()
    issue.refresh_from_db()
    return issue


def test_a_product_changed_on_a_40_day_old_request_is_rebuilt_by_the_job(
    worker: Worker, client_for: Callable[[str], Client]
) -> None:
    issue = old_request(worker)
    client = client_for("administrator")
    pump = Choice.objects.get(code="clearflow-dosing-pump").label
    controller = Choice.objects.get(code="aquasense-controller")
    assert opened_by(client, "product", 40) == {pump: 1}

    actions.update_profile(
        actor=user("csr"), transaction=issue, values={"product": controller.code}
    )
    worker()
    # Its days before today: opened 40 days ago, responded to and resolved 38 days ago.
    assert sorted(StaleDay.objects.values_list("day", flat=True)) == [day(40), day(38)]
    assert opened_by(client, "product", 40) == {pump: 1}  # not until the job has run

    run_the_job()
    assert opened_by(client, "product", 40) == {controller.label: 1}
    resolved = DayFigure.objects.get(day=day(38), dimension=Dimension.PRODUCT)
    assert (resolved.key, resolved.resolved) == (str(controller.pk), 1)
    assert not StaleDay.objects.exists()
    assert BuiltDay.objects.get(day=day(40)).built_at > BuiltDay.objects.get(day=day(41)).built_at


def test_a_reassigned_old_request_moves_to_its_new_technician(
    worker: Worker, client_for: Callable[[str], Client]
) -> None:
    issue = old_request(worker)
    client = client_for("administrator")
    assert opened_by(client, "technician", 40) == {"(none)": 1}
    actions.assign(
        actor=user("supervisor"), transaction=issue, assignees=[individual("technician")]
    )
    worker()
    run_the_job()
    assert opened_by(client, "technician", 40) == {individual("technician").name: 1}


def test_reopening_an_old_request_takes_back_its_old_resolve(worker: Worker) -> None:
    issue = old_request(worker)
    assert DayFigure.objects.get(day=day(38), dimension=Dimension.ALL).resolved == 1
    move(issue, "in-progress")  # reopened: no resolved time any more
    worker()
    # The day of the resolve it undid, though the request no longer says when that was.
    assert set(StaleDay.objects.values_list("day", flat=True)) == {day(40), day(38)}
    run_the_job()
    assert not DayFigure.objects.filter(day=day(38), dimension=Dimension.ALL, resolved__gt=0)


def test_a_note_on_an_old_request_marks_nothing(worker: Worker) -> None:
    issue = old_request(worker)
    actions.add_note(actor=user("csr"), transaction=issue, body="Checked.", visibility="internal")
    worker()
    assert not StaleDay.objects.exists()


def test_marking_is_one_read_and_one_write(worker: Worker) -> None:
    issue = old_request(worker)
    actions.update_profile(
        actor=user("csr"), transaction=issue, values={"product": "aquasense-controller"}
    )
    [event] = Event.objects.filter(
        subject_id=str(issue.pk), action="transaction.profile_changed"
    ).order_by("-id")[:1]
    with CaptureQueriesContext(connection) as captured:
        marked = subscribers.mark(event)
    assert marked == [day(40), day(38)]
    assert len(captured) == 2
    # Marked again later: still one mark a day, its time moved on.
    first = StaleDay.objects.get(day=day(40)).marked_at
    subscribers.mark(event)
    assert StaleDay.objects.filter(day=day(40)).count() == 1
    assert StaleDay.objects.get(day=day(40)).marked_at > first


def test_a_failed_mark_holds_back_none_of_the_events_subscribers(
    worker: Worker, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    issue = old_request(worker)

    def broken(event: Event, **kwargs: Any) -> list[datetime.date]:
        raise DatabaseError("disk full")

    monkeypatch.setattr(subscribers, "mark", broken)
    actions.update_profile(
        actor=user("csr"), transaction=issue, values={"product": "aquasense-controller"}
    )
    worker()
    event = Event.objects.filter(subject_id=str(issue.pk)).latest("id")
    assert event.action == "transaction.profile_changed"
    assert event.dispatched_at is not None
    assert event.dispatch_error == ""
    assert "could not be marked stale" in caplog.text


def test_the_job_rebuilds_at_most_a_month_of_stale_days_oldest_first() -> None:
    marked = timezone.now()
    StaleDay.objects.bulk_create(
        StaleDay(day=day(n), marked_at=marked) for n in range(2, 42)
    )  # 40 days, 41 to 2 days ago
    run_the_job()
    left = sorted(StaleDay.objects.values_list("day", flat=True))
    # The 31 oldest (41 to 11 days ago) built; the 9 newest wait for the next run.
    assert left == [day(n) for n in range(10, 1, -1)]
    rebuilt = BuiltDay.objects.filter(built_at__gte=marked)
    assert set(rebuilt.values_list("day", flat=True)) == {
        *(day(n) for n in range(11, 42)),
        day(1),
        day(0),
    }
    run_the_job()
    assert not StaleDay.objects.exists()


def test_a_change_marked_while_a_day_is_rebuilt_keeps_its_mark() -> None:
    # Marked after the rebuild began reading: that change may not be in what it read.
    later = timezone.now() + datetime.timedelta(minutes=1)
    StaleDay.objects.create(day=day(5), marked_at=later)
    rollups.build(day(5), day(5))
    assert StaleDay.objects.filter(day=day(5)).exists()
    StaleDay.objects.filter(day=day(5)).update(marked_at=timezone.now())
    rollups.build(day(5), day(5))
    assert not StaleDay.objects.exists()
