"""The Satisfaction report (issues 23 and 24) as a supervisor reads it: the satisfaction
answers per resolver, assignee, team, product… read from the roll-ups of the reader's
teams, over a chosen period against the one before, with links into the transaction
list; the zone closed to everyone else. The figures are worked out here from the demo's
own list of answers, or from a few answers given in the test."""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from portico.demo.people import PEOPLE
from portico.demo.surveys import ANSWERS
from portico.events import periodic
from portico.parties.models import Organization
from portico.reports import queries, rollups
from portico.reports.forms import SATISFACTION_GROUPS
from portico.service.models import Transaction
from portico.surveys import services as surveys
from tests.automations.test_defaults import assigned_to_tom, customer_request, deliver, move
from tests.console.test_lists import client_as, individual

URL = "/console/reports/satisfaction/"
ROW = re.compile(
    r'<th scope="row"><span class="clip" title="[^"]*">(?P<label>[^<]*)</span></th>\s*'
    r"<td>(?P<answered>\d+)</td>\s*<td>(?P<satisfied>\d+)</td>\s*"
    r"<td>(?P<not_satisfied>\d+)</td>\s*<td>(?P<share>[^<]*)</td>\s*"
    r"<td>(?P<before>.*?)</td>\s*<td>(?P<link>.*?)</td>",
    re.DOTALL,
)
Worker = Callable[[], int]


def table(html: str) -> dict[str, tuple[int, int, int, str]]:
    return {
        m["label"]: (int(m["answered"]), int(m["satisfied"]), int(m["not_satisfied"]), m["link"])
        for m in ROW.finditer(html)
    }


def full_name(first: str) -> str:
    return next(f"{p.first_name} {p.last_name}" for p in PEOPLE if p.first_name == first)


def build_recent(days: int = 100) -> None:
    today = timezone.localdate()
    rollups.build(today - datetime.timedelta(days=days), today)


@pytest.fixture
def built_surveys(demo_surveys: None) -> None:
    """The demo's answers in the roll-ups, as `portico prepare --demo` leaves them."""
    build_recent()


def answered_today(
    worker: Worker, title: str = "Dosing pump alarm", rating: int = 1
) -> Transaction:
    issue = customer_request(title)
    assigned_to_tom(issue)  # a group with a name in each grouping, not only "(none)"
    move(issue, "in-progress")
    move(issue, "resolved", resolution="Done.")
    deliver(worker)  # the worker asks the question, naming who resolved it
    surveys.answer(person=individual("customer"), transaction=issue, rating=rating, comment="No.")
    return issue


def test_the_supervisor_sees_the_last_90_days_by_resolver(built_surveys: None) -> None:
    page = client_as("supervisor").get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    # The demo's answers, counted here from its own list, not by the report's queries.
    answered = Counter(full_name(a.resolver) for a in ANSWERS)
    good = Counter(full_name(a.resolver) for a in ANSWERS if a.satisfied)
    rows = table(html)
    assert {name: row[:3] for name, row in rows.items()} == {
        name: (n, good[name], n - good[name]) for name, n in answered.items()
    }
    assert rows[full_name("Ravi")][3] == "—"  # the list has no resolver filter
    share = round(100 * sum(good.values()) / len(ANSWERS), 1)
    assert re.search(rf"<dt>Answered</dt><dd>{len(ANSWERS)} ", html)
    assert f"<dd>{share:.1f} % " in html
    assert 'value="resolver" selected' in html
    today = timezone.localdate()
    assert f'value="{(today - datetime.timedelta(days=89)).isoformat()}"' in html
    assert "Figures as of " in html
    assert "<svg" in html  # the chart of the satisfied share, with its table


def test_grouped_by_team_each_row_links_to_the_teams_transactions(built_surveys: None) -> None:
    client = client_as("supervisor")
    html = client.get(URL, {"by": "team"}).content.decode()
    rows = table(html)
    teams = Counter(a.team for a in ANSWERS)
    names = {"service-desk": "Service Desk", "field-service": "Field Service"}
    assert {name: row[0] for name, row in rows.items()} == {
        names[key]: n for key, n in teams.items()
    }
    link = re.search(r'href="([^"]+)"', rows["Field Service"][3])
    assert link is not None
    listed = client.get(link[1].replace("&amp;", "&"))
    assert listed.status_code == 200
    listed_html = listed.content.decode()
    field_titles = [a.title for a in ANSWERS if a.team == "field-service"]
    assert all(title in listed_html for title in field_titles)
    assert not any(a.title in listed_html for a in ANSWERS if a.team == "service-desk")


@pytest.mark.parametrize("by", list(SATISFACTION_GROUPS))
def test_every_grouping_adds_up_to_the_totals(built_surveys: None, by: str) -> None:
    html = client_as("administrator").get(URL, {"by": by}).content.decode()
    rows = table(html)
    assert rows
    # An answer counts once per group it is in: one of each in the demo.
    assert sum(row[0] for row in rows.values()) == len(ANSWERS)
    assert queries.NONE_LABEL not in rows


def test_a_shorter_period_counts_only_its_answers_against_the_one_before(
    built_surveys: None,
) -> None:
    today = timezone.localdate()
    since = today - datetime.timedelta(days=29)
    html = (
        client_as("supervisor")
        .get(URL, {"since": since.isoformat(), "by": "application"})
        .content.decode()
    )
    recent = [a for a in ANSWERS if a.days_ago < 30]
    assert sum(row[0] for row in table(html).values()) == len(recent)
    # The 30 days before, beside them: the demo's answers 30 to 59 days ago. (An answer
    # is given the day after it was asked, or later: the demo's are on the same day.)
    before = [a for a in ANSWERS if 30 <= a.days_ago < 60]
    assert re.search(rf"<dt>Answered</dt><dd>{len(recent)} <span class=\"meta\">", html)
    change = len(recent) - len(before)
    shown = "±0" if change == 0 else f"+{change}" if change > 0 else f"−{-change}"
    assert f'{len(recent)} <span class="meta">{shown}</span>' in html
    # None in the last week (the demo leaves the quiet days free).
    week = client_as("supervisor").get(
        URL, {"since": (today - datetime.timedelta(days=6)).isoformat()}
    )
    assert "No answers in this period." in week.content.decode()


def test_an_answer_given_today_shows_once_the_roll_ups_are_rebuilt(
    demo_data: None, worker: Worker
) -> None:
    answered_today(worker)
    deliver(worker)
    client = client_as("supervisor")
    # Not until the worker's roll-up job has run: the page reads the roll-ups only.
    assert full_name("Fiona") not in table(client.get(URL).content.decode())
    periodic.discover()["reports.rollups"].function()
    rows = table(client.get(URL).content.decode())
    assert rows[full_name("Fiona")][:3] == (1, 0, 1)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"since": "2026-05-02", "until": "2026-05-01"}, "must end on or after its first day"),
        ({"since": "2020-01-01", "until": "2026-01-01"}, "at most two years"),
        ({"by": "colour"}, "Select a valid choice"),
        ({"since": "yesterday"}, "Enter a valid date"),
    ],
)
def test_a_bad_period_is_refused_with_a_reason(
    demo_data: None, params: dict[str, str], message: str
) -> None:
    page = client_as("supervisor").get(URL, params)
    assert page.status_code == 400
    assert message in page.content.decode()
    assert "<table" not in page.content.decode()


@pytest.mark.parametrize("key", ["csr", "technician", "customer", "partner", "employee"])
def test_the_reports_zone_is_closed_to_others(demo_data: None, key: str) -> None:
    client = client_as(key)
    assert client.get(URL).status_code == 403
    assert client.get("/console/reports/").status_code == 403


@pytest.mark.parametrize("key", ["supervisor", "administrator"])
def test_the_menu_leads_to_the_reports_for_those_with_the_zone(demo_data: None, key: str) -> None:
    client = client_as(key)
    home = client.get("/console/").content.decode()
    assert 'href="/console/reports/"' in home
    front = client.get("/console/reports/").content.decode()
    assert f'href="{URL}"' in front  # the Service report leads on to the satisfaction figures


def test_the_menu_has_no_reports_for_a_csr(demo_data: None) -> None:
    assert 'href="/console/reports/"' not in client_as("csr").get("/console/").content.decode()


def test_anonymous_people_are_sent_to_log_in(db: None) -> None:
    for path in (URL, "/console/reports/"):
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("by", list(SATISFACTION_GROUPS))
def test_the_page_reads_as_many_queries_for_many_answers_as_for_one(
    demo_data: None, worker: Worker, by: str
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portico.demo import surveys as demo_surveys
    from portico.parties.models import User

    answered_today(worker)
    deliver(worker)
    build_recent()
    client = client_as("supervisor")
    client.get(URL, {"by": by})  # the session and the person's rights, read once

    def counted() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, {"by": by}).status_code == 200
        return len(captured)

    one = counted()
    demo_surveys.load({p.first_name: User.objects.get(email=p.email) for p in PEOPLE})
    build_recent()
    assert counted() == one


def test_an_answer_about_another_teams_request_is_not_counted(built_surveys: None) -> None:
    # Morag supervises the Service Desk and Field Service. One of Ravi's answers is about
    # a request that is now with Sales: once its day is rebuilt, it is Sales' figure,
    # which the administrator counts and Morag does not.
    moved = next(a for a in ANSWERS if a.resolver == "Ravi" and not a.satisfied)
    transaction = Transaction.objects.get(title=moved.title)
    Transaction.objects.filter(pk=transaction.pk).update(
        team=Organization.objects.get(name="Sales")
    )
    build_recent()
    ravi = full_name("Ravi")
    seen = {
        key: table(client_as(key).get(URL).content.decode())[ravi]
        for key in ("supervisor", "administrator")
    }
    answered = sum(1 for a in ANSWERS if a.resolver == "Ravi")
    good = sum(1 for a in ANSWERS if a.resolver == "Ravi" and a.satisfied)
    assert seen["administrator"][:3] == (answered, good, answered - good)
    assert seen["supervisor"][:3] == (answered - 1, good, answered - 1 - good)
    by_team = table(client_as("supervisor").get(URL, {"by": "team"}).content.decode())
    assert "Sales" not in by_team
    assert "Sales" in table(client_as("administrator").get(URL, {"by": "team"}).content.decode())


# --- the figures on three answers given in the test -------------------------------------


def test_figures_per_resolver_application_product_and_assignee(
    demo_people: None, worker: Worker, settings: Any
) -> None:
    # Three answers: two not satisfied, one satisfied, all resolved by the CSR (Fiona),
    # all about a ClearFlow dosing pump, all assigned to Tom.
    settings.PORTICO_SATISFACTION_QUIET_DAYS = 0
    for title, rating in (("One", 1), ("Two", 2), ("Three", 1)):
        answered_today(worker, title, rating)
    deliver(worker)
    today = timezone.localdate()
    rollups.build(today, today)
    period = queries.Period(today, today)
    everyone = None  # an administrator's reading: every team
    [by_resolver] = queries.satisfaction("resolver", period, teams=everyone)
    assert (by_resolver.label, by_resolver.answered, by_resolver.not_satisfied) == (
        individual("csr").name,
        3,
        2,
    )
    assert by_resolver.share == 33.3
    [by_product] = queries.satisfaction("product", period, teams=everyone)
    assert (by_product.label, by_product.answered) == ("ClearFlow dosing pump", 3)
    [by_application] = queries.satisfaction("application", period, teams=everyone)
    assert by_application.satisfied == 1
    assert queries.satisfaction_total(period, teams=everyone).answered == 3
    by_assignee = {
        s.label: (s.answered, s.satisfied)
        for s in queries.satisfaction("assignee", period, teams=everyone)
    }
    assert by_assignee == {individual("technician").name: (3, 1)}
    # A reader of no team counts nothing; the day before has nothing.
    assert queries.satisfaction("team", period, teams=frozenset()) == []
    yesterday = today - datetime.timedelta(days=1)
    assert queries.satisfaction("team", queries.Period(yesterday, yesterday), teams=None) == []
    with pytest.raises(ValueError, match="no satisfaction figures by 'colour'"):
        queries.satisfaction("colour", period, teams=None)
