from collections.abc import Callable

from django.test import Client

from portico.audit.models import Event
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
