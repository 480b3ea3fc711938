"""The portal's lists cost the same number of queries however many transactions there
are: every row's organisation and requester come with it, its status and priority in
one read for the page and its application with the person's rights
(selectors.fill_lookups), and each list is capped."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from portico.service import actions
from portico.service.models import Status, Transaction
from tests.portal.conftest import application, individual, permission, user
from tests.queries import tables_read

ISSUE = {"issue-type": "fault", "product": "clearflow-dosing-pump"}


def _issue(actor: str, title: str, requester: str | None = None) -> Transaction:
    return actions.create_transaction(
        actor=user(actor),
        application=application("service-issue"),
        title=title,
        requester=individual(requester) if requester else None,
        profile=ISSUE,
    )


def _resolve(transaction: Transaction) -> None:
    actions.change_status(
        actor=user("csr"),
        transaction=transaction,
        status=Status.objects.get(application=transaction.application, code="resolved"),
        resolution="Fixed.",
    )


def _share_with_tayside(transaction: Transaction) -> None:
    actions.grant(
        actor=user("csr"),
        transaction=transaction,
        permission=permission("read"),
        organization=individual("partner").organization,
    )


def _add_customer_rows(count: int) -> None:
    for n in range(count):
        _issue("customer", f"Mine {n}")
        _issue("colleague", f"Colleague's {n}")
        _resolve(_issue("customer", f"Resolved {n}"))


def _add_partner_rows(count: int) -> None:
    for n in range(count):
        _share_with_tayside(
            actions.create_transaction(
                actor=user("csr"),
                application=application("sales-opportunity"),
                title=f"Opportunity {n}",
                requester=individual("partner"),
            )
        )
        _share_with_tayside(_issue("csr", f"Shared {n}", requester="customer"))


def _add_employee_rows(count: int) -> None:
    for n in range(count):
        _issue("employee", f"Request {n}")
        _resolve(_issue("employee", f"Done {n}"))


def _queries(client: Client, path: str) -> int:
    client.get(path)  # warm: session, content types
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


HOMES = [
    ("customer", "/portal/", _add_customer_rows),
    ("customer", "/portal/transactions/?show=organisation", _add_customer_rows),
    ("partner", "/partners/", _add_partner_rows),
    ("employee", "/employees/", _add_employee_rows),
]


@pytest.mark.parametrize(("key", "path", "add_rows"), HOMES)
def test_home_queries_do_not_grow_with_rows(
    client_for: Callable[[str], Client],
    key: str,
    path: str,
    add_rows: Callable[[int], None],
) -> None:
    client = client_for(key)
    add_rows(3)
    few = _queries(client, path)
    add_rows(37)  # 40 of each now: more than a list shows
    many = _queries(client, path)
    assert few == many, f"{path}: {few} queries with 3 rows, {many} with 40"
    assert "See all" in client.get(path).content.decode() or "?show=" in path


@pytest.mark.parametrize(("key", "path", "add_rows"), HOMES)
def test_the_lists_take_applications_from_the_rights(
    client_for: Callable[[str], Client],
    key: str,
    path: str,
    add_rows: Callable[[int], None],
) -> None:
    # The person's rights hold the applications they may see: no list reads them again.
    client = client_for(key)
    add_rows(2)
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    assert '"service_application"' not in tables_read(captured)
    html = response.content.decode()
    assert re.search(r"<td>(Service issue|Sales opportunity)</td>", html), "rows name it"


def test_the_transaction_page_queries_do_not_grow_with_notes(
    client_for: Callable[[str], Client],
) -> None:
    client = client_for("customer")
    issue = Transaction.objects.get(number="SI-000001")

    def add_notes(count: int) -> None:
        for n in range(count):
            actions.add_note(
                actor=user("csr" if n % 2 else "customer"),
                transaction=issue,
                body=f"Note {n}",
                visibility="shared",
            )

    add_notes(2)
    few = _queries(client, "/portal/t/SI-000001/")
    add_notes(20)
    assert _queries(client, "/portal/t/SI-000001/") == few
