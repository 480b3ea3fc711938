"""Idempotency keys on creates: a retry gets the first answer and makes nothing new."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from portico.api.models import IdempotencyKey
from portico.service.models import Note, Transaction
from tests.api.conftest import bearer, make_token, user_of

JSON = "application/json"
NEW = {
    "application": "service-issue",
    "title": "Chlorine dosing alarm",
    "profile": {"issue-type": "fault", "product": "clearflow-dosing-pump"},
}


def _post(
    client: Client, key: str, data: dict[str, Any], url: str = "/api/v1/transactions/"
) -> Any:
    return client.post(url, data, content_type=JSON, headers={"Idempotency-Key": key})


def test_a_retried_create_returns_the_first_answer(api_for: Callable[[str], Client]) -> None:
    client = api_for("customer")
    before = Transaction.objects.count()
    first = _post(client, "retry-1", NEW)
    assert first.status_code == 201
    again = _post(client, "retry-1", NEW)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Transaction.objects.count() == before + 1
    assert IdempotencyKey.objects.filter(key="retry-1").count() == 1


def test_the_same_key_with_another_body_is_422(api_for: Callable[[str], Client]) -> None:
    client = api_for("customer")
    assert _post(client, "k", NEW).status_code == 201
    before = Transaction.objects.count()
    answer = _post(client, "k", {**NEW, "title": "Something else"})
    assert answer.status_code == 422
    assert answer.json()["type"] == "idempotency_key_reused"
    assert Transaction.objects.count() == before


def test_keys_are_each_persons_own(api_for: Callable[[str], Client]) -> None:
    before = Transaction.objects.count()
    assert _post(api_for("customer"), "shared-key", NEW).status_code == 201
    assert _post(api_for("colleague"), "shared-key", NEW).status_code == 201
    assert Transaction.objects.count() == before + 2


def test_a_failed_create_keeps_no_key(api_for: Callable[[str], Client]) -> None:
    client = api_for("customer")
    assert _post(client, "k2", {**NEW, "title": ""}).status_code == 400
    assert not IdempotencyKey.objects.filter(key="k2").exists()
    assert _post(client, "k2", NEW).status_code == 201


def test_a_bad_key_is_400(api_for: Callable[[str], Client]) -> None:
    answer = _post(api_for("customer"), "x" * 201, NEW)
    assert answer.status_code == 400
    assert answer.json()["type"] == "invalid"


def test_notes_take_keys_too(api_for: Callable[[str], Client]) -> None:
    client = api_for("csr")
    url = "/api/v1/transactions/SI-000001/notes/"
    note = {"body": "Called back.", "visibility": "shared", "channel": "phone"}
    before = Note.objects.count()
    first = _post(client, "note-1", note, url)
    assert first.status_code == 201
    assert _post(client, "note-1", note, url).json() == first.json()
    assert Note.objects.count() == before + 1


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's shared in-memory test database locks whole tables between "
    "connections instead of waiting; the race runs on PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_retries_make_one_transaction(demo_data: None) -> None:
    """Two requests with one key at the same moment, each on its own connection."""
    secret = make_token(user_of("customer"))
    before = Transaction.objects.count()
    start = threading.Barrier(2)
    answers: list[Any] = []

    def send() -> None:
        try:
            start.wait()
            answers.append(_post(bearer(secret), "same-moment", NEW))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()
    assert Transaction.objects.count() == before + 1


def test_old_keys_are_purged(api_for: Callable[[str], Client]) -> None:
    import datetime

    from django.utils import timezone

    from portico.api.services import purge_idempotency_keys

    assert _post(api_for("customer"), "old", NEW).status_code == 201
    assert purge_idempotency_keys() == 0
    later = timezone.now() + datetime.timedelta(hours=25)
    assert purge_idempotency_keys(now=later) == 1
