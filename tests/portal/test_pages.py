"""Who may open each portal page: a portal's people get 200, everyone else logged in
gets 403 (the zone decides), and nobody gets a page of another portal's people."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from portico.service import actions
from tests.conftest import PERSONAS
from tests.portal.conftest import individual, page, permission, transaction, user

PORTALS = {
    "/portal/": {"customer", "colleague", "other_customer"},
    "/partners/": {"partner"},
    "/employees/": {"employee"},
}
PAGES = ["", "transactions/", "new/", "profile/"]


@pytest.mark.parametrize("key", sorted(PERSONAS))
def test_each_portal_page_opens_for_its_people_only(
    client_for: Callable[[str], Client], key: str
) -> None:
    client = client_for(key)
    for prefix, allowed in PORTALS.items():
        for suffix in PAGES:
            response = client.get(prefix + suffix)
            expected = 200 if key in allowed else 403
            assert response.status_code == expected, f"{key} on {prefix}{suffix}"


@pytest.mark.parametrize("prefix", list(PORTALS))
def test_anonymous_people_are_sent_to_log_in(client: Client, db: None, prefix: str) -> None:
    for suffix in [*PAGES, "t/SI-000001/"]:
        response = client.get(prefix + suffix)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_each_home_keeps_its_welcome(client_for: Callable[[str], Client]) -> None:
    for key, prefix, first_name in [
        ("customer", "/portal/", "Ewan"),
        ("partner", "/partners/", "Niamh"),
        ("employee", "/employees/", "Lucy"),
    ]:
        html = page(client_for(key).get(prefix))
        assert f"Welcome, {first_name}" in html
        assert html.count("<h1") == 1


def test_the_transaction_page_in_each_portal(client_for: Callable[[str], Client]) -> None:
    # The partner sees what is shared with Tayside (a grant to the organisation).
    actions.grant(
        actor=user("csr"),
        transaction=transaction("SI-000001"),
        permission=permission("read"),
        organization=individual("partner").organization,
    )
    for key, path in [
        ("customer", "/portal/t/SI-000001/"),
        ("colleague", "/portal/t/SI-000001/"),
        ("partner", "/partners/t/SI-000001/"),
        ("employee", "/employees/t/SI-000005/"),
    ]:
        assert client_for(key).get(path).status_code == 200, f"{key} on {path}"
    # The page is the portal's: another portal's people are stopped by the zone first.
    assert client_for("customer").get("/partners/t/SI-000001/").status_code == 403
    assert client_for("partner").get("/portal/t/SI-000001/").status_code == 403
    assert client_for("csr").get("/portal/t/SI-000001/").status_code == 403


def test_a_customer_on_the_partner_portal_gets_the_not_allowed_page(
    client_for: Callable[[str], Client],
) -> None:
    response = client_for("customer").get("/partners/")
    assert response.status_code == 403
    assert "Not allowed" in page(response)


def test_the_homes_list_what_each_may_see(client_for: Callable[[str], Client]) -> None:
    customer = page(client_for("customer").get("/portal/"))
    mine, _, rest = customer.partition("My organisation")
    organisation, _, _resolved = rest.partition("Recently resolved")
    assert "SI-000001" in mine  # Ewan's own
    assert "SI-000002" in organisation  # Kirsty's, seen through the organisation's grant
    assert "CO-000001" in organisation
    assert "SI-000001" not in organisation
    assert "SI-000003" not in customer  # Kelvin Medical's
    assert "Log a new request" in customer

    other = page(client_for("other_customer").get("/portal/"))
    assert "SI-000003" in other.partition("Recently resolved")[2]  # Helen's, resolved
    assert "SI-000001" not in other

    employee = page(client_for("employee").get("/employees/"))
    assert "SI-000005" in employee
    assert "SI-000001" not in employee


def test_the_partner_home_splits_opportunities_from_what_is_shared(
    client_for: Callable[[str], Client],
) -> None:
    tayside = individual("partner").organization
    for number in ("SI-000002", "SO-000001"):
        actions.grant(
            actor=user("csr"),
            transaction=transaction(number),
            permission=permission("read"),
            organization=tayside,
        )
    html = page(client_for("partner").get("/partners/"))
    opportunities, _, shared = html.partition("Shared with us")
    assert "SO-000001" in opportunities
    assert "SI-000002" not in opportunities
    assert "SI-000002" in shared
    assert "SO-000001" not in shared
    assert "Register an opportunity" in html


def test_the_full_list_pages_and_searches(client_for: Callable[[str], Client]) -> None:
    client = client_for("customer")
    html = page(client.get("/portal/transactions/?show=organisation"))
    assert "SI-000002" in html
    assert "CO-000001" in html
    html = page(client.get("/portal/transactions/?show=organisation&q=clock"))
    assert "SI-000002" in html
    assert "CO-000001" not in html
    html = page(client.get("/portal/transactions/?show=organisation&q=co-000001"))
    assert "CO-000001" in html
    # No list, or an unknown one, is every transaction the person may see.
    assert "SI-000001" in page(client.get("/portal/transactions/?show=nonsense"))


def test_the_all_list_holds_open_and_resolved(client_for: Callable[[str], Client]) -> None:
    html = page(client_for("other_customer").get("/portal/transactions/"))
    assert "SI-000003" in html  # resolved
    assert "EN-000001" in html  # open, Priya's
    assert "SI-000001" not in html
