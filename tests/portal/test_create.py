"""Logging a new transaction from a portal: the kinds the group may create, the
application's profile fields, the service's errors on the form with the input kept, and
nothing created when anything is wrong."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from portico.service.models import Priority, Transaction
from tests.portal.conftest import page

ISSUE = {
    "application": "service-issue",
    "title": "Filter alarm on line 2",
    "description": "Alarm **F07** since 09:00.",
    "profile_issue-type": "fault",
    "profile_product": "clearflow-filter-unit",
    "profile_units": "3",
}


def test_the_choice_lists_only_what_the_group_may_create(
    client_for: Callable[[str], Client],
) -> None:
    html = page(client_for("customer").get("/portal/new/"))
    for code in ("service-issue", "complaint", "compliment", "enquiry", "call-back"):
        assert f'value="{code}"' in html
    assert "sales-opportunity" not in html
    assert 'method="post"' not in html.split('id="request-area"')[1]  # no form until chosen


def test_the_profile_fields_follow_the_application_without_javascript(
    client_for: Callable[[str], Client],
) -> None:
    client = client_for("customer")
    issue = page(client.get("/portal/new/?application=service-issue"))
    assert '<select name="profile_issue-type" required' in issue
    assert 'name="profile_product"' in issue
    assert 'name="priority"' in issue
    call_back = page(client.get("/portal/new/?application=call-back"))
    assert 'name="profile_preferred-time"' in call_back
    assert "profile_issue-type" not in call_back
    compliment = page(client.get("/portal/new/?application=compliment"))
    assert 'name="priority"' not in compliment  # a compliment has no priority


def test_a_new_request_end_to_end(client_for: Callable[[str], Client]) -> None:
    client = client_for("customer")
    response = client.post("/portal/new/", {**ISSUE, "priority": _priority("P2")})
    assert response.status_code == 302
    created = Transaction.objects.get(title="Filter alarm on line 2")
    assert response["Location"] == f"/portal/t/{created.number}/"
    assert created.requester is not None
    assert created.requester.first_name == "Ewan"
    assert created.organization is not None
    assert created.organization.name == "Harbour Foods plc"
    assert created.priority is not None
    assert created.priority.code == "P2"
    assert created.channel == "web"
    html = page(client.get(response["Location"]))
    assert f"Thank you: {created.number} is logged. We will respond by" in html
    assert "Alarm <strong>F07</strong> since 09:00." in html
    assert "ClearFlow filter unit" in html
    assert "Units affected" in html


def test_a_customer_cannot_set_the_requester_or_organisation(
    client_for: Callable[[str], Client],
) -> None:
    # Fields that are not on the form are not read, and the service sets them anyway.
    client_for("customer").post("/portal/new/", {**ISSUE, "requester": "1", "organization": "1"})
    created = Transaction.objects.get(title="Filter alarm on line 2")
    assert created.requester is not None
    assert created.requester.first_name == "Ewan"


def test_a_bad_profile_value_is_a_clear_error_and_nothing_is_created(
    client_for: Callable[[str], Client],
) -> None:
    before = Transaction.objects.count()
    response = client_for("customer").post(
        "/portal/new/",
        {**ISSUE, "profile_product": "teleporter", "profile_units": "lots", "title": ""},
    )
    assert response.status_code == 400
    html = page(response)
    assert "“teleporter” is not one of the choices for Product." in html
    assert "Units affected must be a number." in html
    assert "Give the transaction a title." in html
    assert 'aria-describedby="id_profile_product_error"' in html
    # What was typed is kept.
    assert "Alarm **F07** since 09:00." in html
    assert 'name="profile_units" value="lots"' in html
    assert Transaction.objects.count() == before


def test_a_missing_mandatory_value_names_the_field(client_for: Callable[[str], Client]) -> None:
    before = Transaction.objects.count()
    data = {k: v for k, v in ISSUE.items() if k != "profile_issue-type"}
    response = client_for("customer").post("/portal/new/", data)
    assert response.status_code == 400
    assert "Issue type is required." in page(response)
    assert Transaction.objects.count() == before


def test_a_customer_cannot_create_a_sales_opportunity(client_for: Callable[[str], Client]) -> None:
    client = client_for("customer")
    assert "Sales opportunity" not in page(client.get("/portal/new/?application=sales-opportunity"))
    before = Transaction.objects.count()
    response = client.post(
        "/portal/new/", {"application": "sales-opportunity", "title": "We want to buy"}
    )
    assert response.status_code == 400
    assert "Choose one of the kinds of request offered here." in page(response)
    assert Transaction.objects.count() == before


def test_a_partner_cannot_forge_another_kind(client_for: Callable[[str], Client]) -> None:
    # The partner portal offers one kind only; naming another is refused, never
    # quietly turned into the one offered.
    before = Transaction.objects.count()
    response = client_for("partner").post(
        "/partners/new/", {"application": "complaint", "title": "Forged", "profile_category": "x"}
    )
    assert response.status_code == 400
    assert "Choose one of the kinds of request offered here." in page(response)
    assert Transaction.objects.count() == before


def test_a_forged_priority_is_refused(client_for: Callable[[str], Client]) -> None:
    before = Transaction.objects.count()
    response = client_for("customer").post("/portal/new/", {**ISSUE, "priority": "999"})
    assert response.status_code == 400
    assert "Select a valid choice." in page(response)
    assert Transaction.objects.count() == before


def test_a_partner_registers_an_opportunity(client_for: Callable[[str], Client]) -> None:
    client = client_for("partner")
    html = page(client.get("/partners/new/"))
    # Only one kind to choose from: its form is there at once.
    assert 'name="profile_deal-value"' in html
    assert 'name="priority"' not in html
    response = client.post(
        "/partners/new/",
        {
            "application": "sales-opportunity",
            "title": "Fife council pumping stations",
            "profile_deal-value": "52000.00",
            "profile_close-date": "2027-06-30",
        },
    )
    assert response.status_code == 302
    created = Transaction.objects.get(title="Fife council pumping stations")
    assert created.application.code == "sales-opportunity"
    assert created.requester is not None
    assert created.requester.first_name == "Niamh"
    assert created.number in page(client.get(response["Location"]))


def test_a_bad_deal_value_keeps_the_partners_input(client_for: Callable[[str], Client]) -> None:
    response = client_for("partner").post(
        "/partners/new/",
        {
            "application": "sales-opportunity",
            "title": "Fife",
            "profile_deal-value": "12.345",
            "profile_close-date": "30/06/2027",
        },
    )
    assert response.status_code == 400
    html = page(response)
    assert "Deal value has at most two decimal places." in html
    assert "Expected close date must be a date (YYYY-MM-DD)." in html
    assert not Transaction.objects.filter(title="Fife").exists()


def test_an_employee_raises_a_request(client_for: Callable[[str], Client]) -> None:
    client = client_for("employee")
    html = page(client.get("/employees/new/"))
    assert 'value="service-issue"' in html
    assert 'value="enquiry"' in html
    assert 'value="complaint"' not in html
    response = client.post(
        "/employees/new/",
        {"application": "enquiry", "title": "Licence renewal date", "profile_product": ""},
    )
    assert response.status_code == 302
    created = Transaction.objects.get(title="Licence renewal date")
    assert response["Location"] == f"/employees/t/{created.number}/"


def _priority(code: str) -> str:
    return str(Priority.objects.get(code=code).pk)
