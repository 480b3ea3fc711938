"""What access keeps per process (portico.access.setup): a user group's zones and
application rights are read once per process for a few seconds, and a change saved
through Django takes effect on the next request all the same."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from portico.access import setup
from portico.parties.models import Zone
from portico.parties.zones import CUSTOMER_PORTAL
from portico.service.models import ApplicationRight
from tests.conftest import Persona


def _set_up_reads(client: Client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return [
        q["sql"]
        for q in queries.captured_queries
        if "parties_usergroup_zones" in q["sql"] or "service_applicationright" in q["sql"]
    ]


def test_the_second_request_reads_no_set_up(client_for: Callable[[str], Client]) -> None:
    customer = client_for("customer")
    setup.forget()
    assert len(_set_up_reads(customer, "/portal/")) == 2  # zones, then rights
    assert _set_up_reads(customer, "/portal/") == []
    with override_settings(PORTICO_SETUP_CACHE_SECONDS=0):
        setup.forget()
        customer.get("/portal/")
        assert len(_set_up_reads(customer, "/portal/")) == 2  # kept for no time: read again


def test_a_zone_taken_from_the_group_closes_it_on_the_next_request(
    client_for: Callable[[str], Client], personas: dict[str, Persona]
) -> None:
    customer = client_for("customer")
    assert customer.get("/portal/").status_code == 200
    group = personas["customer"].individual.user_group
    group.zones.remove(Zone.objects.get(code=CUSTOMER_PORTAL))  # as the admin saves it
    assert customer.get("/portal/").status_code == 403


def test_a_right_taken_away_is_refused_on_the_next_request(
    demo_data: None, personas: dict[str, Persona]
) -> None:
    from portico.access import creatable_applications
    from portico.parties.models import User

    def next_request() -> User:  # each request loads its own user
        return User.objects.select_related("individual__user_group").get(
            email=personas["customer"].email
        )

    assert creatable_applications(next_request())
    group = personas["customer"].individual.user_group
    for right in ApplicationRight.objects.filter(user_group=group):
        right.may_create = False
        right.save()  # as the admin saves it
    assert creatable_applications(next_request()) == []


def test_a_read_that_overlaps_a_change_is_not_kept(db: None) -> None:
    setup.forget()
    reads = []

    def read_while_an_admin_saves() -> str:
        reads.append(1)
        setup.forget()  # the change lands while this read runs
        return "before the change"

    assert setup.remembered("test", 1, read_while_an_admin_saves) == "before the change"
    assert setup.remembered("test", 1, lambda: "after") == "after"
    assert setup.remembered("test", 1, lambda: "kept?") == "after"
    assert reads == [1]


def test_each_request_gets_its_own_copy_of_a_kept_row(
    client_for: Callable[[str], Client], personas: dict[str, Persona]
) -> None:
    from portico.access import application_rights

    user = personas["customer"].individual.user
    assert user is not None
    first = application_rights(user)
    right = next(iter(first.values()))
    right.application.name = "changed by one request"
    del user._portico_application_rights  # type: ignore[attr-defined]
    again = application_rights(user)
    assert again[right.application_id].application.name != "changed by one request"


def test_a_status_flow_changed_in_the_admin_is_offered_on_the_next_request(
    demo_data: None, personas: dict[str, Persona]
) -> None:
    from portico.service.actions import status_moves
    from portico.service.models import Status, Transaction

    csr = personas["csr"].individual.user
    assert csr is not None
    transaction = Transaction.objects.filter(status__code="new").first()
    assert transaction is not None
    before = status_moves(actor=csr, transaction=transaction)
    assert before
    transaction.status.next_statuses.remove(before[0])  # as the admin saves the flow
    after = status_moves(actor=csr, transaction=transaction)
    assert [s.pk for s in after] == [s.pk for s in before[1:]]
    assert Status.objects.filter(previous_statuses=transaction.status).count() == len(after)
