"""The Service report page (issue 24): who may open it, and what it shows from the
roll-ups of the reader's teams."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from portico.parties.models import Organization
from portico.reports import histogram, views
from portico.reports.models import DayFigure, Dimension
from tests.console.test_lists import individual

pytestmark = pytest.mark.usefixtures("demo_people")


def put(days_ago: int, team: Organization | None, **figures: object) -> None:
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    key = str(team.pk) if team else ""
    DayFigure.objects.update_or_create(
        day=day, dimension=Dimension.ALL, team=key, key="", defaults=figures
    )
    DayFigure.objects.update_or_create(
        day=day, dimension=Dimension.TEAM, team=key, key=key, defaults=figures
    )


def test_the_supervisor_sees_the_first_response_chart_of_their_teams(
    client_for: Callable[[str], Client],
) -> None:
    morag = individual("supervisor")
    mine = Organization.objects.filter(supervisor=morag).order_by("name").first()
    other = Organization.objects.filter(kind="team").exclude(supervisor=morag).first()
    assert mine is not None
    assert other is not None
    put(3, mine, opened=4, responded=2, response_business=histogram.of([60, 180]))
    put(3, other, opened=50)

    page = client_for("supervisor").get("/console/reports/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html
    assert "First response time" in html
    assert mine.name in html
    # Another team's 50 are not counted, nor named.
    assert other.name not in html
    assert ">4 <" in html  # opened, in the figures


def test_the_administrator_sees_every_team(client_for: Callable[[str], Client]) -> None:
    team = Organization.objects.filter(kind="team").first()
    put(1, team, opened=7)
    html = client_for("administrator").get("/console/reports/?by=team").content.decode()
    assert team is not None
    assert team.name in html
    assert "Every team." in html


def test_the_page_lists_the_busiest_groups_and_the_export_every_one(
    client_for: Callable[[str], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "TOP_GROUPS", 2)
    teams = list(Organization.objects.filter(kind="team").order_by("name")[:3])
    assert len(teams) == 3
    for n, team in enumerate(teams):
        put(1, team, opened=10 + n)
    client = client_for("administrator")
    html = client.get("/console/reports/?by=team").content.decode()
    # 12 and 11 opened are listed; the 10 is not, and the page says so.
    assert teams[2].name in html
    assert teams[1].name in html
    assert teams[0].name not in html.split('id="groups"')[1].split("<footer")[0]
    assert "1 more in the download" in html
    exported = client.get("/console/reports/export.csv?by=team").content.decode()
    assert all(team.name in exported for team in teams)


def test_a_csr_without_the_zone_is_refused(client_for: Callable[[str], Client]) -> None:
    assert client_for("csr").get("/console/reports/").status_code == 403


def test_a_period_backwards_is_refused_with_a_reason(client_for: Callable[[str], Client]) -> None:
    page = client_for("administrator").get(
        "/console/reports/?since=2026-10-10&until=2026-10-01&by=team"
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "must end on or after its first day" in html
    assert "<svg" not in html


def test_the_table_exports_as_csv_and_excel_with_names_made_harmless(
    client_for: Callable[[str], Client],
) -> None:
    import csv
    import io

    from openpyxl import load_workbook

    team = Organization.objects.filter(kind="team").first()
    assert team is not None
    Organization.objects.filter(pk=team.pk).update(name="=HYPERLINK(1)")
    put(2, team, opened=3, responded=1, response_business=histogram.of([90]))
    client = client_for("administrator")

    got = client.get("/console/reports/export.csv?by=team")
    assert got.status_code == 200
    assert got["Content-Disposition"].startswith('attachment; filename="service-by-team-')
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Team", "Opened"]
    [row] = [r for r in rows[1:] if r[0] == "'=HYPERLINK(1)"]
    assert row[1] == "3"
    assert float(row[5]) == pytest.approx(1.5, rel=0.03)  # 90 minutes, in hours

    book = client.get("/console/reports/export.xlsx?by=team")
    sheet = load_workbook(io.BytesIO(book.content)).active
    assert sheet is not None
    cells = [[c.value for c in r] for r in sheet.iter_rows()]
    [found] = [r for r in cells if r[0] == "'=HYPERLINK(1)"]
    assert found[1] == 3  # a number, not text
    assert client.get("/console/reports/export.pdf").status_code == 404
