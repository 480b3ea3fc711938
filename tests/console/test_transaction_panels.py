"""The console transaction page's rare forms (relate, dispatch, forward, grant): drawn
when their panel opens, from a GET that decides access as their POST does; the POST
and its errors unchanged."""

from collections.abc import Callable

import pytest
from django.test import Client

from portico.parties.models import Individual
from portico.service import actions
from portico.service.models import Grant, Permission, Transaction
from tests.service.actions.conftest import log_issue

HTMX = {"HTTP_HX_REQUEST": "true"}
PANELS = {"relate": "other", "assign": "assignees", "forward": "team", "grant": "permission"}


@pytest.fixture
def issue(demo_data: None) -> Transaction:
    return log_issue()  # Ewan's (Harbour Foods), logged in the portal


def _panel(issue: Transaction, name: str) -> str:
    return f"/console/transactions/{issue.number}/panels/{name}/"


def test_the_page_offers_each_panel_without_drawing_its_form(
    client_for: Callable[[str], Client], issue: Transaction
) -> None:
    html = client_for("csr").get(f"/console/transactions/{issue.number}/").content.decode()
    for name, field in PANELS.items():
        opener = f'<details class="lazy-panel" id="{name}-panel" hx-get="{_panel(issue, name)}"'
        assert opener in html
        assert f'name="{field}"' not in html
        # Without JavaScript the link inside asks for the page with the panel open.
        assert f'<a href="{_panel(issue, name)}#{name}-panel">' in html


@pytest.mark.parametrize(("name", "field"), PANELS.items())
def test_htmx_gets_the_form_alone_its_first_field_focused(
    client_for: Callable[[str], Client], issue: Transaction, name: str, field: str
) -> None:
    response = client_for("csr").get(_panel(issue, name), **HTMX)  # type: ignore[arg-type]
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert f'name="{field}"' in html
    assert html.count("autofocus") == 1
    assert 'name="csrfmiddlewaretoken"' in html


def test_without_javascript_the_page_comes_with_the_panel_open(
    client_for: Callable[[str], Client], issue: Transaction
) -> None:
    html = client_for("csr").get(_panel(issue, "assign")).content.decode()
    assert "<html" in html
    assert '<details class="lazy-panel" id="assign-panel" open>' in html
    assert 'name="assignees"' in html
    assert 'name="team"' not in html  # the other panels stay closed


def test_a_refused_post_answers_with_its_panel_open_and_the_error(
    client_for: Callable[[str], Client], issue: Transaction
) -> None:
    refused = client_for("csr").post(
        f"/console/transactions/{issue.number}/grants/",
        {"individual": "nobody@nowhere.example", "permission": 4},
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert '<details class="lazy-panel" id="grant-panel" open>' in html
    opened = html[html.index('id="grant-panel"') :]
    assert "No individual has that e-mail address." in opened[: opened.index("</details>")]
    assert 'value="nobody@nowhere.example"' in html  # what was typed, kept


def test_without_the_right_no_panel_and_its_form_is_refused(
    client_for: Callable[[str], Client], issue: Transaction
) -> None:
    # Tom is assigned: he may relate it, not dispatch it or change who has access.
    tom = Individual.objects.get(first_name="Tom")
    fiona = Individual.objects.get(first_name="Fiona").user
    assert fiona is not None
    actions.assign(actor=fiona, transaction=issue, assignees=[tom])
    Grant.objects.filter(transaction=issue, organization__isnull=False).delete()
    technician = client_for("technician")
    html = technician.get(f"/console/transactions/{issue.number}/").content.decode()
    assert 'id="relate-panel"' in html
    for name in ("assign", "forward", "grant"):
        assert f'id="{name}-panel"' not in html
        assert technician.get(_panel(issue, name), **HTMX).status_code == 403  # type: ignore[arg-type]
    assert technician.get(_panel(issue, "relate"), **HTMX).status_code == 200  # type: ignore[arg-type]


def test_who_may_not_see_it_or_is_not_staff_gets_nothing(
    client_for: Callable[[str], Client], issue: Transaction
) -> None:
    csr = client_for("csr")
    assert csr.get("/console/transactions/SI-999999/panels/assign/").status_code == 404
    assert csr.get(_panel(issue, "nothing")).status_code == 404
    assert csr.post(_panel(issue, "assign")).status_code == 405
    assert client_for("customer").get(_panel(issue, "relate")).status_code == 403
    assert Client().get(_panel(issue, "relate")).status_code == 302  # to log in


# --- a note's contact, typed with suggestions ----------------------------------------------


def _contacts(issue: Transaction, typed: str = "") -> str:
    return f"/console/transactions/{issue.number}/contacts/?contact={typed}"


def test_the_contact_is_a_box_that_starts_at_the_requester(
    client_for: Callable[[str], Client], issue: Transaction
) -> None:
    html = client_for("csr").get(f"/console/transactions/{issue.number}/").content.decode()
    ewan = Individual.objects.get(first_name="Ewan")
    assert '<select name="contact"' not in html
    assert f'value="Ewan Grant &lt;{ewan.email}&gt;"' in html
    assert f'hx-get="/console/transactions/{issue.number}/contacts/"' in html


def test_suggestions_are_the_transactions_organisation_only(
    client_for: Callable[[str], Client], issue: Transaction
) -> None:
    csr = client_for("csr")
    everyone = csr.get(_contacts(issue)).content.decode()
    assert "Ewan Grant" in everyone
    assert "Kirsty Muir" in everyone
    assert "Helen" not in everyone  # Kelvin Medical's
    assert everyone.count("<option") <= 20
    kirsty = csr.get(_contacts(issue, "kirs")).content.decode()
    assert kirsty.count("<option") == 1
    assert "Kirsty Muir &lt;" in kirsty
    assert "<option" not in csr.get(_contacts(issue, "Helen")).content.decode()


def test_a_suggestion_or_an_id_names_the_contact_and_anyone_else_is_refused(
    client_for: Callable[[str], Client], issue: Transaction
) -> None:
    csr = client_for("csr")
    kirsty = Individual.objects.get(first_name="Kirsty")
    helen = Individual.objects.get(first_name="Helen")
    url = f"/console/transactions/{issue.number}/notes/"
    note = {"channel": "phone", "direction": "in", "visibility": "shared", "body": "Called."}
    chosen = csr.post(url, {**note, "contact": f"Kirsty Muir <{kirsty.email}>"})
    assert chosen.status_code == 302
    by_id = csr.post(url, {**note, "contact": str(kirsty.pk)})
    assert by_id.status_code == 302
    assert [n.contact_id for n in issue.notes.all()] == [kirsty.pk, kirsty.pk]
    for typed in (f"Helen <{helen.email}>", str(helen.pk), "Kirsty"):
        refused = csr.post(url, {**note, "contact": typed})
        assert refused.status_code == 400
        assert "choose one from the suggestions" in refused.content.decode()
    assert issue.notes.count() == 2


def test_only_staff_who_may_add_notes_are_offered_contacts(
    client_for: Callable[[str], Client], issue: Transaction
) -> None:
    # Graham holds Read only on it: no note form, no contacts.
    Grant.objects.create(
        transaction=issue,
        individual=Individual.objects.get(first_name="Graham"),
        permission=Permission.objects.get(code="read"),
    )
    assert client_for("administrator").get(_contacts(issue)).status_code == 403
    assert client_for("customer").get(_contacts(issue)).status_code == 403
    assert client_for("csr").get("/console/transactions/SI-999999/contacts/").status_code == 404
