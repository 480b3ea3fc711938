"""Withdraw and reopen in the portal (issue 19, item 8): the buttons only for whoever
may use them now, a post that works, and a refused post that changes nothing; and no
staff-only classification (Root cause) on a portal page or form (item 10)."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from portico.service import actions
from portico.service.models import Note, Transaction
from tests.portal.conftest import page, user
from tests.service.actions.conftest import new_issue
from tests.service.actions.test_status import DAY, fresh, resolved, state

WITHDRAW = "Withdraw the request"
REOPEN = "Reopen the request"


def _url(t: Transaction, action: str = "") -> str:
    return f"/portal/t/{t.number}/{action}"


def test_the_requester_is_offered_withdraw_on_an_open_request(
    client_for: Callable[[str], Client],
) -> None:
    t = new_issue()
    html = page(client_for("customer").get(_url(t)))
    assert f'action="{_url(t, "withdraw/")}"' in html
    assert WITHDRAW in html
    assert REOPEN not in html
    # Kirsty reads it through Harbour Foods' Read only grant: no control at all.
    html = page(client_for("colleague").get(_url(t)))
    assert WITHDRAW not in html
    assert "/withdraw/" not in html


def test_withdrawing_through_the_portal(client_for: Callable[[str], Client]) -> None:
    t = new_issue()
    client = client_for("customer")
    response = client.post(_url(t, "withdraw/"), {"reason": "Restarted it; all fine now."})
    assert response.status_code == 302
    assert response["Location"] == _url(t)
    assert fresh(t).status.code == "withdrawn"
    html = page(client.get(_url(t)))
    assert f"{t.number} is withdrawn." in html
    assert '<span class="pill">Withdrawn</span>' in html
    assert "Restarted it; all fine now." in html  # the reason, as a note
    assert WITHDRAW not in html


def test_a_withdrawal_without_a_reason_is_refused_and_changes_nothing(
    client_for: Callable[[str], Client],
) -> None:
    t = new_issue()
    before = state(t)
    response = client_for("customer").post(_url(t, "withdraw/"), {"reason": "  "})
    assert response.status_code == 400
    html = page(response)
    assert "Say why you are withdrawing it." in html
    assert WITHDRAW in html  # the form again, to try once more
    assert state(t) == before


def test_read_only_posting_withdraw_is_refused_and_changes_nothing(
    client_for: Callable[[str], Client],
) -> None:
    t = new_issue()
    before = state(t)
    response = client_for("colleague").post(_url(t, "withdraw/"), {"reason": "Not needed"})
    assert response.status_code == 403
    response = client_for("other_customer").post(_url(t, "withdraw/"), {"reason": "Not needed"})
    assert response.status_code == 404  # not theirs: as if it did not exist
    assert state(t) == before


def test_reopen_is_offered_within_the_period_with_its_end(
    client_for: Callable[[str], Client],
) -> None:
    r = resolved(new_issue(), ago=13 * DAY)
    html = page(client_for("customer").get(_url(r)))
    assert REOPEN in html
    assert WITHDRAW not in html
    assert "You can reopen it until" in html
    assert "(14 days after it was resolved)" in html
    assert REOPEN not in page(client_for("colleague").get(_url(r)))


def test_reopening_through_the_portal(client_for: Callable[[str], Client]) -> None:
    r = resolved(new_issue(), ago=2 * DAY)
    client = client_for("customer")
    response = client.post(_url(r, "reopen/"), {"reason": "The alarm came back."})
    assert response.status_code == 302
    assert fresh(r).status.code == "in-progress"
    assert Note.objects.filter(transaction=r, body="The alarm came back.").exists()
    html = page(client.get(_url(r)))
    assert f"{r.number} is reopened." in html
    assert WITHDRAW in html  # open again: it may be withdrawn


def test_after_the_period_reopen_is_not_offered_and_a_post_is_refused(
    client_for: Callable[[str], Client],
) -> None:
    r = resolved(new_issue(), ago=15 * DAY)
    client = client_for("customer")
    html = page(client.get(_url(r)))
    assert REOPEN not in html
    assert "It can no longer be reopened: it could be for 14 days after it was resolved." in html
    before = state(r)
    response = client.post(_url(r, "reopen/"), {"reason": "The alarm came back."})
    assert response.status_code == 400
    html = page(response)
    assert "can be reopened for 14 days after it is resolved" in html
    assert REOPEN not in html  # said, not offered again
    assert state(r) == before


# --- staff-only classifications ------------------------------------------------------------


def test_root_cause_is_never_on_a_portal_page_or_form(
    client_for: Callable[[str], Client],
) -> None:
    t = new_issue()
    actions.update_profile(
        actor=user("csr"), transaction=t, values={"root-cause": "configuration-error"}
    )
    html = page(client_for("customer").get(_url(t)))
    assert "Clearflow dosing pump".lower() in html.lower()  # the profile is shown
    assert "Root cause" not in html
    assert "Configuration error" not in html
    form = page(client_for("customer").get("/portal/new/?application=service-issue"))
    assert 'name="profile_product"' in form
    assert "root-cause" not in form
    assert "Root cause" not in form


def test_a_root_cause_posted_to_the_portal_form_is_not_stored(
    client_for: Callable[[str], Client],
) -> None:
    response = client_for("customer").post(
        "/portal/new/",
        {
            "application": "service-issue",
            "title": "Pump stopped",
            "profile_issue-type": "fault",
            "profile_product": "clearflow-dosing-pump",
            "profile_root-cause": "user-error",
        },
    )
    assert response.status_code == 302
    made = Transaction.objects.latest("id")
    assert made.title == "Pump stopped"
    assert "root-cause" not in actions.profile_of(made)


def test_staff_set_root_cause_in_the_console(client_for: Callable[[str], Client]) -> None:
    t = new_issue()
    html = page(client_for("csr").get(f"/console/transactions/{t.number}/"))
    assert "Root cause" in html  # the console keeps every classification
