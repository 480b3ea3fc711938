"""A transaction's `satisfaction` in the API (issue 23): the answer is its person's and
the staff's to read. A colleague who may read the request itself, through their
organisation, still gets null; the customer who answered gets their own answer."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from portico.surveys import services as surveys
from tests.api.conftest import body
from tests.console.test_lists import individual
from tests.security.conftest import demo_transaction


def test_only_the_person_who_answered_and_the_staff_read_the_answer(
    api_for: Callable[[str], Client],
) -> None:
    harbour = demo_transaction("Dosing pump on line 3 stopped overnight")
    assert harbour.requester == individual("customer")
    surveys.answer(
        person=individual("customer"), transaction=harbour, rating=1, comment="Slow to come."
    )
    url = f"/api/v1/transactions/{harbour.number}/"

    def satisfaction(key: str) -> object:
        response = api_for(key).get(url)
        assert response.status_code == 200, key
        return body(response)["satisfaction"]

    own = satisfaction("customer")
    assert isinstance(own, dict)
    assert (own["rating"], own["comment"]) == (1, "Slow to come.")
    assert own["answered_at"]
    assert satisfaction("supervisor") == own
    # Kirsty reads Harbour's requests (her organisation's), not Ewan's answer about one.
    assert individual("colleague").organization == harbour.organization
    assert satisfaction("colleague") is None
