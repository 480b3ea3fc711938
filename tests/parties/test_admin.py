from collections.abc import Callable
from typing import Any

from django.test import Client

from portico.audit.models import Event
from portico.parties.models import Organization
from tests.conftest import Persona


def test_administrator_deactivates_from_systems_admin(
    client_for: Callable[[str], Client], personas: dict[str, Persona]
) -> None:
    admin = client_for("administrator")
    leaver = client_for("technician")
    individual = personas["technician"].individual
    response = admin.post(
        "/admin/parties/individual/",
        {"action": "deactivate", "_selected_action": [individual.pk]},
    )
    assert response.status_code == 302
    individual.refresh_from_db()
    assert not individual.active
    assert leaver.get("/console/").status_code == 302
    assert Event.objects.get(action="individual.deactivated").channel == "admin"


def test_unticking_active_in_the_form_also_ends_sessions(
    client_for: Callable[[str], Client], personas: dict[str, Persona]
) -> None:
    admin = client_for("administrator")
    leaver = client_for("employee")
    individual = personas["employee"].individual
    page = admin.get(f"/admin/parties/individual/{individual.pk}/change/")
    form = page.context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields
    }
    data["active"] = ""
    response = admin.post(f"/admin/parties/individual/{individual.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    individual.refresh_from_db()
    assert not individual.active
    assert leaver.get("/employees/").status_code == 302


def test_staff_without_the_zone_get_403_not_the_admin_login(
    client_for: Callable[[str], Client],
) -> None:
    response = client_for("csr").get("/admin/", follow=True)
    assert response.status_code == 403


def _change(admin: Client, url: str, **changes: str) -> Any:
    """Post an admin change form as it stands, with some fields changed."""
    form = admin.get(url).context["adminform"].form
    data = {
        name: ("" if initial is None else initial.pk if hasattr(initial, "pk") else initial)
        for name, initial in form.initial.items()
        if name in form.fields
    }
    data.update(changes)
    return admin.post(url, data)


def test_a_persons_time_zone_is_a_real_one_and_their_news_consent_their_own(
    client_for: Callable[[str], Client], personas: dict[str, Persona]
) -> None:
    admin = client_for("administrator")
    ewan = personas["customer"].individual
    url = f"/admin/parties/individual/{ewan.pk}/change/"
    consent = ewan.news_opted_in_at  # the demo's Ewan reads our news
    assert consent is not None
    refused = _change(admin, url, active="on", time_zone="Europe/Glasgow")
    assert refused.status_code == 200
    assert "Give a time zone by its name, e.g. Europe/London" in refused.content.decode()
    ewan.refresh_from_db()
    assert ewan.time_zone == ""

    saved = _change(
        admin,
        url,
        active="on",
        time_zone=" America/New_York ",
        birthday="1980-02-29",
        customer_since="2016-03-14",
        news_opted_in_at="2026-01-01 10:00",
    )
    assert saved.status_code == 302
    ewan.refresh_from_db()
    assert ewan.time_zone == "America/New_York"
    assert (str(ewan.birthday), str(ewan.customer_since)) == ("1980-02-29", "2016-03-14")
    # The consent is shown, not taken from the form.
    assert ewan.news_opted_in_at == consent


def test_supervisors_and_account_owners_are_staff_of_the_right_organisations(
    client_for: Callable[[str], Client], personas: dict[str, Persona]
) -> None:
    admin = client_for("administrator")
    harbour = Organization.objects.get(name="Harbour Foods plc")
    desk = Organization.objects.get(name="Service Desk")
    ewan = personas["customer"].individual
    fiona = personas["csr"].individual
    url = f"/admin/parties/organization/{harbour.pk}/change/"
    page = _change(admin, url, supervisor=str(fiona.pk), account_owner=str(ewan.pk)).content
    assert "Only a team has a supervisor." in page.decode()
    assert "The account owner is a member of staff." in page.decode()
    team_page = _change(
        admin, f"/admin/parties/organization/{desk.pk}/change/", account_owner=str(fiona.pk)
    ).content.decode()
    assert "Only an outside organisation has an account owner." in team_page
    harbour.refresh_from_db()
    assert harbour.account_owner is not None
    assert harbour.account_owner.first_name == "Callum"  # the demo's, unchanged

    assert _change(admin, url, account_owner=str(fiona.pk)).status_code == 302
    harbour.refresh_from_db()
    assert harbour.account_owner == fiona
