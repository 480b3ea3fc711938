"""The Reports zone's satisfaction figures (issue 23) as a supervisor reads them: the demo's
90 days of answers per resolver, team, product…, the period and grouping chosen in a
small form, links into the transaction list, and the zone closed to everyone else."""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from portico.demo.people import PEOPLE
from portico.demo.surveys import ANSWERS
from portico.surveys import figures
from portico.surveys import services as surveys
from tests.console.test_lists import client_as, individual

URL = "/console/reports/satisfaction/"
ROW = re.compile(
    r'<th scope="row"><span class="clip" title="[^"]*">(?P<label>[^<]*)</span></th>\s*'
    r'<td class="figure">(?P<answered>\d+)</td>\s*<td class="figure">(?P<satisfied>\d+)</td>\s*'
    r'<td class="figure">(?P<not_satisfied>\d+)</td>\s*<td class="figure">(?P<share>[^<]*)</td>'
    r"\s*<td>(?P<link>.*?)</td>",
    re.DOTALL,
)


def table(html: str) -> dict[str, tuple[int, int, int, str]]:
    return {
        m["label"]: (int(m["answered"]), int(m["satisfied"]), int(m["not_satisfied"]), m["link"])
        for m in ROW.finditer(html)
    }


def full_name(first: str) -> str:
    return next(f"{p.first_name} {p.last_name}" for p in PEOPLE if p.first_name == first)


def test_the_supervisor_sees_the_last_90_days_by_resolver(demo_surveys: None) -> None:
    page = client_as("supervisor").get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    # The demo's answers, counted here from its own list, not by the figures module.
    answered = Counter(full_name(a.resolver) for a in ANSWERS)
    good = Counter(full_name(a.resolver) for a in ANSWERS if a.satisfied)
    rows = table(html)
    assert {name: row[:3] for name, row in rows.items()} == {
        name: (n, good[name], n - good[name]) for name, n in answered.items()
    }
    assert rows[full_name("Ravi")][3] == "—"  # the list has no resolver filter
    share = round(100 * sum(good.values()) / len(ANSWERS), 1)
    assert f"<dd>{len(ANSWERS)}</dd>" in html
    assert f"<dd>{share} %</dd>" in html
    assert 'value="resolver" selected' in html
    today = timezone.localdate()
    assert f'value="{(today - datetime.timedelta(days=90)).isoformat()}"' in html


def test_grouped_by_team_each_row_links_to_the_teams_transactions(demo_surveys: None) -> None:
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


@pytest.mark.parametrize("by", list(figures.DIMENSIONS))
def test_every_grouping_adds_up_to_the_totals(demo_surveys: None, by: str) -> None:
    html = client_as("administrator").get(URL, {"by": by}).content.decode()
    rows = table(html)
    assert rows
    # An answer counts once per group it is in: one of each in the demo.
    assert sum(row[0] for row in rows.values()) == len(ANSWERS)
    assert figures.NONE_LABEL not in rows


def test_a_shorter_period_counts_only_its_answers(demo_surveys: None) -> None:
    today = timezone.localdate()
    since = (today - datetime.timedelta(days=30)).isoformat()
    html = client_as("supervisor").get(URL, {"since": since, "by": "application"}).content.decode()
    recent = [a for a in ANSWERS if a.days_ago < 30]
    assert sum(row[0] for row in table(html).values()) == len(recent)
    # None in the last week (the demo leaves the quiet days free).
    week = client_as("supervisor").get(
        URL, {"since": (today - datetime.timedelta(days=6)).isoformat()}
    )
    assert "No answers in this period." in week.content.decode()


def test_an_answer_given_today_is_counted_for_its_resolver(
    demo_data: None, worker: Callable[[], int]
) -> None:
    from tests.automations.test_defaults import assigned_to_tom, customer_request, move

    issue = customer_request()
    assigned_to_tom(issue)  # a group with a name in each grouping, not only "(none)"
    move(issue, "in-progress")
    move(issue, "resolved", resolution="Done.")
    worker()
    surveys.answer(person=individual("customer"), transaction=issue, rating=1, comment="No.")
    rows = table(client_as("supervisor").get(URL).content.decode())
    assert rows[full_name("Fiona")][:3] == (1, 0, 1)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"since": "2026-05-02", "until": "2026-05-01"}, "must start on or before"),
        ({"since": "2020-01-01", "until": "2026-01-01"}, "at most 366 days"),
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


@pytest.mark.parametrize("by", list(figures.DIMENSIONS))
def test_the_page_reads_as_many_queries_for_many_answers_as_for_one(
    demo_data: None, worker: Callable[[], int], by: str
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portico.demo import surveys as demo_surveys
    from portico.parties.models import User
    from tests.automations.test_defaults import assigned_to_tom, customer_request, move

    issue = customer_request()
    assigned_to_tom(issue)  # a group with a name in each grouping, not only "(none)"
    move(issue, "in-progress")
    move(issue, "resolved", resolution="Done.")
    worker()
    surveys.answer(person=individual("customer"), transaction=issue, rating=1, comment="No.")
    client = client_as("supervisor")
    client.get(URL, {"by": by})  # the session and the person's rights, read once

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, {"by": by}).status_code == 200
        return len(captured)

    one = queries()
    demo_surveys.load({p.first_name: User.objects.get(email=p.email) for p in PEOPLE})
    assert queries() == one


def test_an_answer_about_a_request_hidden_from_the_reader_is_not_counted(
    demo_surveys: None,
) -> None:
    from portico.access import visible_transactions
    from portico.service import actions
    from portico.service.models import Permission, Transaction
    from tests.console.test_lists import user

    hidden = next(a for a in ANSWERS if a.resolver == "Ravi" and not a.satisfied)
    transaction = Transaction.objects.get(title=hidden.title)
    no_access = Permission.objects.create(
        code="none", name="No access", description="Hidden from them.", decides_access=True
    )
    actions.grant(
        actor=user("supervisor"),
        transaction=transaction,
        permission=no_access,
        individual=individual("administrator"),
    )
    assert not visible_transactions(user("administrator")).filter(pk=transaction.pk).exists()
    ravi = full_name("Ravi")
    seen = {
        key: table(client_as(key).get(URL).content.decode())[ravi]
        for key in ("supervisor", "administrator")
    }
    answered = sum(1 for a in ANSWERS if a.resolver == "Ravi")
    good = sum(1 for a in ANSWERS if a.resolver == "Ravi" and a.satisfied)
    assert seen["supervisor"][:3] == (answered, good, answered - good)
    assert seen["administrator"][:3] == (answered - 1, good, answered - 1 - good)
