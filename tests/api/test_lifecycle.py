"""Withdraw and reopen over the API (issue 19, item 8), with the pages' rules; and no
staff-only classification (Root cause) read by or taken from anyone outside the staff
(item 10)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client
from django.utils import timezone

from portico.service import actions, selectors
from portico.service.models import Note, Transaction
from tests.api.conftest import body
from tests.portal.conftest import user
from tests.service.actions.conftest import new_issue
from tests.service.actions.test_status import DAY, fresh, resolved, state


def _url(t: Transaction, action: str = "") -> str:
    return f"/api/v1/transactions/{t.number}/{action}"


def _post(client: Client, url: str, data: object) -> Any:
    return client.post(url, data, content_type="application/json")


def test_actions_list_withdraw_or_reopen_only_while_possible(
    api_for: Callable[[str], Client],
) -> None:
    t = new_issue()
    customer = api_for("customer")
    listed = body(customer.get(_url(t)))["actions"]
    assert "withdraw" in listed
    assert "reopen" not in listed
    assert "withdraw" not in body(api_for("colleague").get(_url(t)))["actions"]
    r = resolved(new_issue(), ago=DAY)
    listed = body(customer.get(_url(r)))["actions"]
    assert "reopen" in listed
    assert "withdraw" not in listed


def test_withdraw_over_the_api(api_for: Callable[[str], Client]) -> None:
    t = new_issue()
    response = _post(api_for("customer"), _url(t, "withdraw/"), {"reason": "Fixed itself."})
    assert response.status_code == 200
    data = body(response)
    assert data["status"] == {"code": "withdrawn", "name": "Withdrawn", "category": "closed"}
    assert data["closed_at"] is not None
    note = Note.objects.get(transaction=t, body="Fixed itself.")
    assert note.channel == "web"  # anyone outside the staff writes through the web


def test_a_refused_withdrawal_changes_nothing(api_for: Callable[[str], Client]) -> None:
    t = new_issue()
    before = state(t)
    blank = _post(api_for("customer"), _url(t, "withdraw/"), {"reason": " "})
    assert blank.status_code == 400
    assert body(blank)["errors"] == {"reason": ["Say why you are withdrawing it."]}
    missing = _post(api_for("customer"), _url(t, "withdraw/"), {})
    assert body(missing)["errors"] == {"reason": ["Say why you are withdrawing it."]}
    read_only = _post(api_for("colleague"), _url(t, "withdraw/"), {"reason": "No"})
    assert read_only.status_code == 403
    assert body(read_only)["detail"] == "You may not withdraw this transaction."
    stranger = _post(api_for("other_customer"), _url(t, "withdraw/"), {"reason": "No"})
    assert stranger.status_code == 404
    assert state(t) == before


def test_reopen_over_the_api_within_the_period(api_for: Callable[[str], Client]) -> None:
    r = resolved(new_issue(), ago=13 * DAY)
    response = _post(api_for("customer"), _url(r, "reopen/"), {"reason": "Alarm is back."})
    assert response.status_code == 200
    assert body(response)["status"]["code"] == "in-progress"
    assert body(response)["resolved_at"] is None
    assert fresh(r).status.code == "in-progress"


def test_reopen_after_the_period_is_refused_naming_it(api_for: Callable[[str], Client]) -> None:
    r = resolved(new_issue(), ago=15 * DAY)
    before = state(r)
    response = _post(api_for("customer"), _url(r, "reopen/"), {"reason": "Alarm is back."})
    assert response.status_code == 400
    (message,) = body(response)["errors"]["status"]
    assert message.startswith("A Service issue can be reopened for 14 days after it is resolved")
    assert state(r) == before


def _logged_nine_days_ago_resolved_eight(t: Transaction) -> Transaction:
    Transaction.objects.filter(pk=t.pk).update(created_at=timezone.now() - 9 * DAY)
    return resolved(t, ago=8 * DAY)


def test_staff_reopening_with_the_status_control_stops_the_clock_as_the_customers_does(
    api_for: Callable[[str], Client],
) -> None:
    # Two P3s logged nine days ago and resolved eight days ago: the CSR moves one back to
    # In progress over /status/, the customer reopens the other. Neither may be late the
    # moment it is back: the days it spent resolved are not ours to answer for.
    by_staff, by_customer = (
        _logged_nine_days_ago_resolved_eight(new_issue(priority="P3")) for _ in "ab"
    )
    moved = _post(api_for("csr"), _url(by_staff, "status/"), {"status": "in-progress"})
    assert moved.status_code == 200
    assert body(moved)["resolved_at"] is None
    reopened = _post(api_for("customer"), _url(by_customer, "reopen/"), {"reason": "Back."})
    assert reopened.status_code == 200
    now = timezone.now()
    for t in (fresh(by_staff), fresh(by_customer)):
        assert t.status.code == "in-progress"
        assert t.resolved_at is None
        assert t.closed_at is None
        assert t.sla_paused_minutes > 0
        assert t.resolution_due_at is not None
        # Its 24 business hours from being logged, pushed on by the days it was resolved:
        # without that push it was due days ago.
        assert t.resolution_due_at > now
    assert abs(fresh(by_staff).sla_paused_minutes - fresh(by_customer).sla_paused_minutes) <= 1
    late = selectors.breached(user("supervisor"), now=now)
    assert not late.filter(pk__in=[by_staff.pk, by_customer.pk]).exists()


# --- staff-only classifications ------------------------------------------------------------


def test_customers_never_read_root_cause(api_for: Callable[[str], Client]) -> None:
    t = new_issue()
    actions.update_profile(actor=user("csr"), transaction=t, values={"root-cause": "user-error"})
    assert body(api_for("csr").get(_url(t)))["profile"]["root-cause"] == "User error"
    customer = api_for("customer")
    assert "root-cause" not in body(customer.get(_url(t)))["profile"]
    application = body(customer.get("/api/v1/applications/service-issue/"))
    assert [f["classification"] for f in application["profile"]] == [
        "issue-type",
        "product",
        "area",
        "units",
    ]
    codes = [c["code"] for c in body(customer.get("/api/v1/classifications/"))]
    assert "root-cause" not in codes
    assert customer.get("/api/v1/classifications/root-cause/").status_code == 404
    staff = api_for("csr")
    assert "root-cause" in [c["code"] for c in body(staff.get("/api/v1/classifications/"))]
    assert staff.get("/api/v1/classifications/root-cause/").status_code == 200


def test_customers_never_set_root_cause(api_for: Callable[[str], Client]) -> None:
    before = Transaction.objects.count()
    response = _post(
        api_for("customer"),
        "/api/v1/transactions/",
        {
            "application": "service-issue",
            "title": "Pump stopped",
            "profile": {
                "issue-type": "fault",
                "product": "clearflow-dosing-pump",
                "root-cause": "user-error",
            },
        },
    )
    assert response.status_code == 400
    assert body(response)["errors"] == {
        "profile.root-cause": ["Root cause is set by our service team."]
    }
    assert Transaction.objects.count() == before
    staff = _post(
        api_for("csr"),
        "/api/v1/transactions/",
        {
            "application": "service-issue",
            "title": "Pump stopped",
            "profile": {
                "issue-type": "fault",
                "product": "clearflow-dosing-pump",
                "root-cause": "user-error",
            },
        },
    )
    assert staff.status_code == 201
    assert body(staff)["profile"]["root-cause"] == "User error"
