"""What access keeps per process (portico.access.setup): a user group's zones and
application rights are read once per process for a few seconds, and a change saved
through Django takes effect on the next request all the same."""

from __future__ import annotations

import os
import pickle
import signal
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis as redis_client
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from portico.access import setup
from portico.operations import cache as shared
from portico.parties.models import Zone
from portico.parties.zones import CUSTOMER_PORTAL
from portico.service.models import ApplicationRight
from tests.conftest import Persona
from tests.redis_server import RedisServer, production_caches


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


@pytest.fixture
def redis(monkeypatch: pytest.MonkeyPatch) -> Iterator[RedisServer]:
    """The cache in Redis, as in production."""
    monkeypatch.setattr(setup, "_seen", None)
    monkeypatch.setattr(setup, "_owed", False)
    with RedisServer() as server, override_settings(CACHES=production_caches(server.url)):
        try:
            yield server
        finally:
            shared._away_until.clear()
            shared._failing.clear()


def _version(redis: RedisServer) -> bytes | None:
    """The set-up version in Redis, as another process reads it."""
    token = redis_client.Redis.from_url(redis.url).get(f"portico:1:{setup.VERSION_KEY}")
    assert not isinstance(token, str)
    return token


def test_a_change_in_another_process_empties_this_ones_copy_on_its_next_request(
    client_for: Callable[[str], Client], redis: RedisServer
) -> None:
    customer = client_for("customer")
    customer.get("/portal/")
    assert _set_up_reads(customer, "/portal/") == []  # kept, and the version agrees
    raw = redis_client.Redis.from_url(redis.url)
    raw.set(f"portico:1:{setup.VERSION_KEY}", pickle.dumps("another process changed set-up"))
    assert len(_set_up_reads(customer, "/portal/")) == 2
    assert _set_up_reads(customer, "/portal/") == []
    raw.flushdb()  # Redis restarted, empty: what changed meanwhile is unknown
    assert len(_set_up_reads(customer, "/portal/")) == 2


def test_a_change_here_is_announced_once_committed(
    client_for: Callable[[str], Client],
    personas: dict[str, Persona],
    redis: RedisServer,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client_for("customer").get("/portal/")
    before = _version(redis)
    assert before is not None
    group = personas["customer"].individual.user_group
    with django_capture_on_commit_callbacks(execute=True) as announced:
        group.zones.remove(Zone.objects.get(code=CUSTOMER_PORTAL))  # as the admin saves it
        assert _version(redis) == before  # others must not read it uncommitted
    assert announced
    assert _version(redis) not in {before, None}


def test_a_change_made_while_redis_hangs_is_announced_when_it_answers(
    client_for: Callable[[str], Client],
    personas: dict[str, Persona],
    redis: RedisServer,
    django_capture_on_commit_callbacks: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shared, "PAUSE", 0.2)
    customer = client_for("customer")
    customer.get("/portal/")
    before = _version(redis)
    assert redis.process is not None
    os.kill(redis.process.pid, signal.SIGSTOP)
    try:
        group = personas["customer"].individual.user_group
        with django_capture_on_commit_callbacks(execute=True):
            group.zones.remove(Zone.objects.get(code=CUSTOMER_PORTAL))
    finally:
        os.kill(redis.process.pid, signal.SIGCONT)
    time.sleep(shared.PAUSE)
    assert customer.get("/portal/").status_code == 403  # this process knew at once
    assert _version(redis) not in {before, None}  # and the others are told now
