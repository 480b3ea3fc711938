"""The authorisation matrix of tests/test_access_matrix.py, run a second time through
the REST API: the same table, the same world, each action done with the subject's own
token as an API client would. Allowed means a 2xx answer (or, for what a list shows,
the thing in the list); refused means 403 or 404, and 404 whenever the transaction is
not the subject's to see."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction as db
from django.test import Client
from django.utils import timezone

import tests.test_access_matrix as matrix
from portico import access
from portico.parties.models import Individual, User
from portico.service.models import Status, Transaction
from tests.api.conftest import bearer, make_token

# The world and the table are the matrix's own; only the way of acting differs.
world = matrix.world
ACTIONS = matrix.ACTIONS
CASES = matrix.CASES


@dataclass(frozen=True)
class Outcome:
    allowed: bool
    status: int
    problem: str = ""


def _listed(response: Any, wanted: object, key: str) -> Outcome:
    """For what a list shows: allowed if the list holds it."""
    if response.status_code != 200:
        return Outcome(False, response.status_code)
    results = response.json()
    rows = results["results"] if isinstance(results, dict) else results
    return Outcome(any(row[key] == wanted for row in rows), 200)


def _done(response: Any) -> Outcome:
    code = response.status_code
    if 200 <= code < 300:
        if response.streaming:
            b"".join(response.streaming_content)
        return Outcome(True, code)
    if code in (403, 404):
        return Outcome(False, code)
    return Outcome(False, code, f"answered {code}: {response.content[:200]!r}")


def _attempt(action: str, w: matrix.World, client: Client) -> Outcome:
    t, other = w.transaction, w.other
    base = f"/api/v1/transactions/{t.number}/"
    tom = Individual.objects.get(first_name="Tom")
    priya = Individual.objects.get(first_name="Priya")
    json = "application/json"
    attempts: dict[str, Callable[[], Outcome]] = {
        "view": lambda: _done(client.get(base)),
        "edit_profile": lambda: _done(
            client.patch(base, {"profile": {"area": "west"}}, content_type=json)
        ),
        "change_status": lambda: _done(
            client.post(f"{base}status/", {"status": "in-progress"}, content_type=json)
        ),
        "relate": lambda: _done(
            client.post(
                f"{base}relations/", {"other": other.number, "kind": "related"}, content_type=json
            )
        ),
        "edit_text": lambda: _done(client.patch(base, {"title": "Renamed"}, content_type=json)),
        "add_shared_note": lambda: _done(
            client.post(f"{base}notes/", {"body": "Hi", "visibility": "shared"}, content_type=json)
        ),
        "add_internal_note": lambda: _done(
            client.post(
                f"{base}notes/", {"body": "Hm", "visibility": "internal"}, content_type=json
            )
        ),
        "read_internal_notes": lambda: _listed(
            client.get(f"{base}notes/"), w.internal_note.pk, "id"
        ),
        "attach_files": lambda: _done(client.post(f"{base}attachments/", {"file": _upload()})),
        "download_files": lambda: _done(
            client.get(f"{base}attachments/{w.attachment.pk}/content/")
        ),
        "delete_attachment": lambda: _done(client.delete(f"{base}attachments/{w.attachment.pk}/")),
        "manage_grants": lambda: _done(
            client.post(
                f"{base}grants/", {"permission": "read", "individual": priya.pk}, content_type=json
            )
        ),
        "assign": lambda: _done(
            client.post(f"{base}assign/", {"assignees": [tom.pk]}, content_type=json)
        ),
        "on_task_list": lambda: _listed(client.get("/api/v1/tasks/"), t.number, "number"),
        "withdraw": lambda: _done(
            client.post(f"{base}withdraw/", {"reason": "Not needed"}, content_type=json)
        ),
        "reopen": lambda: _reopen(
            t, lambda: client.post(f"{base}reopen/", {"reason": "Back"}, content_type=json)
        ),
    }
    outcome = Outcome(False, 0)
    try:
        with db.atomic():
            outcome = attempts[action]()
            raise _Undo
    except _Undo:
        pass
    return outcome


class _Undo(Exception):
    pass


def _reopen(t: Any, send: Callable[[], Any]) -> Outcome:
    # Resolved a moment ago (undone with the attempt), so only access can refuse it.
    Transaction.objects.filter(pk=t.pk).update(
        status=Status.objects.get(application=t.application, code="resolved"),
        resolved_at=timezone.now(),
    )
    return _done(send())


def _upload() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("more.txt", b"more\n", content_type="text/plain")


def _mismatches(
    w: matrix.World, subject: str, permission: str, kind: str, client: Client
) -> list[str]:
    matrix._give(w, permission, kind)
    expected = set() if kind == "none" else set(matrix.EXPECTED[permission])
    if permission == "assigned" and kind == "individual":
        expected.add("on_task_list")  # "appear on an individual's task list"
    if subject == "customer":
        expected -= matrix.STAFF_ONLY
    viewable = access.can(User.objects.get(individual=w.subject), "view", w.transaction)
    found = []
    for action in ACTIONS:
        allowed = action in expected
        outcome = _attempt(action, w, client)
        if outcome.problem:
            found.append(f"{action}: {outcome.problem}")
        elif outcome.allowed != allowed:
            verdict = "allowed" if allowed else "refused"
            found.append(f"{action} should be {verdict} (answered {outcome.status})")
        elif not viewable and action != "on_task_list" and outcome.status != 404:
            found.append(f"{action} on a transaction not theirs answered {outcome.status}")
    return [f"{permission}/{kind}: {m}" for m in found]


@pytest.mark.slow
@pytest.mark.parametrize("subject", list(matrix.SUBJECTS))
def test_matrix_through_the_api(world: Callable[[str], matrix.World], subject: str) -> None:
    """Each case of the table in its own savepoint, rolled back after: the demo world
    is loaded once per subject rather than once per case."""
    client = bearer(make_token(User.objects.get(individual__first_name=matrix.SUBJECTS[subject])))
    mismatches: list[str] = []
    cases = [case for case in CASES if case[0] == subject]
    for _, permission, kind in cases:
        try:
            with db.atomic():
                mismatches += _mismatches(world(subject), subject, permission, kind, client)
                raise _Undo
        except _Undo:
            pass
    print(f"\n{subject}: {len(cases)} cases × {len(ACTIONS)} actions, {len(mismatches)} mismatches")
    assert mismatches == []


def test_the_api_matrix_has_every_case() -> None:
    # 2 subjects × (6 permissions × 3 principal kinds + 1 "none") × 16 actions.
    assert len(CASES) * len(ACTIONS) == 608
