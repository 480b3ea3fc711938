"""Portal uptake and self-service (issue 24): log-ins, searches, deflections and active
users, counted by hand."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from portico.knowledge import services as knowledge
from portico.knowledge.models import Deflection, Search
from portico.reports import queries, rollups
from portico.reports.models import PortalDay, PortalUser
from tests.conftest import PASSWORD, PERSONAS
from tests.console.test_lists import individual, user

pytestmark = pytest.mark.usefixtures("demo_data")


def log_in(persona: str) -> None:
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": PERSONAS[persona].email, "password": PASSWORD}
    )
    assert response.status_code == 302


def test_a_day_of_self_service(client_for: Callable[[str], Client]) -> None:
    log_in("customer")
    log_in("customer")
    log_in("colleague")
    log_in("csr")  # staff: not a portal log-in
    Search.objects.create(query="pump alarm", results=3, portal="customer")
    Search.objects.create(query="flux capacitor", results=0, portal="customer")
    Search.objects.create(query="flux capacitor", results=0, portal="customer")
    article = knowledge.save_article(
        actor=user("administrator"),
        change=knowledge.ArticleChange(title="Resetting the pump alarm", body="Hold it."),
    )
    Deflection.objects.create(article=article, query="pump alarm", portal="customer")
    today = timezone.localdate()
    rollups.build(today, today)

    day = PortalDay.objects.get(day=today, portal="customer")
    assert (day.logins, day.searches, day.empty_searches, day.deflections) == (3, 3, 2, 1)
    # Ewan and Kirsty, of the same organisation, once each this month.
    users = PortalUser.objects.filter(month=today.replace(day=1))
    assert {u.individual_id for u in users} == {
        individual("customer").pk,
        individual("colleague").pk,
    }
    period = queries.Period.last(30, today=today)
    service = queries.self_service(period)
    assert service.empty_share == pytest.approx(66.7)
    [(name, counts)] = queries.active_portal_users(period)
    assert name == individual("customer").organization.name  # type: ignore[union-attr]
    assert counts[-1] == 2

    html = client_for("supervisor").get("/console/reports/portal/").content.decode()
    assert "flux capacitor" in html
    assert name in html
    assert client_for("csr").get("/console/reports/portal/").status_code == 403
