"""Reading the roll-ups (issue 24): a period's figures added up by hand, the reader's
teams only, and who reads which teams."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from portico import access
from portico.parties.models import Organization
from portico.reports import histogram, queries
from portico.reports.models import BuiltDay, DayBacklog, DayFigure, Dimension
from portico.service.models import Channel
from tests.console.test_lists import individual, user

pytestmark = pytest.mark.usefixtures("demo_people")

D = datetime.date(2026, 11, 2)


def day(n: int) -> datetime.date:
    return D + datetime.timedelta(days=n)


def put(n: int, team: str, key: str, backlog: int = 0, age: int = 0, **figures: object) -> None:
    DayFigure.objects.create(day=day(n), dimension=Dimension.CHANNEL, team=team, key=key, **figures)
    DayFigure.objects.get_or_create(day=day(n), dimension=Dimension.ALL, team=team, key="")
    BuiltDay.objects.get_or_create(day=day(n), defaults={"built_at": timezone.now()})
    if backlog:
        DayBacklog.objects.create(
            day=day(n),
            dimension=Dimension.CHANNEL,
            team=team,
            key=key,
            backlog=backlog,
            age_seconds=age,
        )


def test_a_period_added_up() -> None:
    put(
        0,
        "1",
        "web",
        opened=3,
        responded=2,
        response_due=2,
        response_on_time=1,
        response_clock=histogram.of([10, 20]),
        backlog=5,
        age=5 * 86400,
    )
    put(
        1,
        "1",
        "web",
        opened=1,
        value=Decimal("12.50"),
        responded=1,
        response_clock=histogram.of([30]),
        backlog=4,
        age=8 * 86400,
    )
    put(1, "2", "web", opened=2, backlog=1, age=86400)
    put(1, "1", "email", opened=1, answered=2, satisfied=1)
    put(5, "1", "web", opened=100)  # after the period

    period = queries.Period(day(0), day(1))
    rows = {r.key: r for r in queries.figures(Dimension.CHANNEL, period, teams=None)}
    web = rows["web"]
    assert (web.opened, web.responded, web.value) == (6, 3, Decimal("12.50"))
    assert web.response_on_time_share == 50.0
    # The median of 10, 20 and 30 minutes, from the histograms.
    assert web.median("response_clock") == pytest.approx(20, rel=0.025)
    # The backlog at the end of the last day: 4 + 1, 9 days old between them.
    assert web.backlog == 5
    assert web.backlog_mean_age_days == pytest.approx(9 / 5)
    assert rows["email"].satisfied_share == 50.0
    assert rows["web"].label == dict(Channel.choices)["web"]
    # Team 2's reader: only team 2's rows.
    [only] = queries.figures(Dimension.CHANNEL, period, teams=frozenset({"2"}))
    assert (only.key, only.opened, only.backlog) == ("web", 2, 1)
    assert queries.figures(Dimension.CHANNEL, period, teams=frozenset()) == []
    # The days: every day of the period, with none made up.
    assert [d.opened for d in queries.days(period, teams=None)] == [0, 0]
    assert period.previous() == queries.Period(day(-2), day(-1))


def test_a_page_lists_the_busiest_groups() -> None:
    put(0, "1", "web", opened=5, responded=1, response_clock=histogram.of([60]))
    put(0, "1", "email", opened=2, responded=1, response_clock=histogram.of([10]))
    put(1, "1", "phone", opened=3, backlog=2, age=86400)
    put(1, "1", "email", opened=2)
    period = queries.Period(day(0), day(1))

    rows, groups = queries.top_figures(Dimension.CHANNEL, period, teams=None, limit=2)
    # Web 5, e-mail 2 + 2, phone 3: the top two, and three groups in all.
    assert [(r.key, r.opened) for r in rows] == [("web", 5), ("email", 4)]
    assert groups == 3
    assert rows[1].median("response_clock") == pytest.approx(10, rel=0.025)
    # The comparison reads the groups shown only.
    before = queries.figures(Dimension.CHANNEL, period, teams=None, keys={"phone"})
    assert [(r.key, r.opened, r.backlog) for r in before] == [("phone", 3, 2)]


def test_who_reads_which_teams() -> None:
    assert access.report_teams(user("administrator")) is None
    assert access.report_teams(user("csr")) == frozenset()
    morag = individual("supervisor")
    supervised = {
        str(pk) for pk in Organization.objects.filter(supervisor=morag).values_list("pk", flat=True)
    }
    assert supervised
    assert supervised <= (access.report_teams(user("supervisor")) or set())
    assert access.report_teams(user("customer")) == frozenset()
