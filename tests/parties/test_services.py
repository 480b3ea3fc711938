from collections.abc import Callable

from django.test import Client

from portico.audit.models import Event
from portico.login.models import LoginSession
from portico.parties.services import deactivate_individual, reactivate_individual
from tests.conftest import PASSWORD, Persona


def test_leaving_ends_every_session_at_once(
    client_for: Callable[[str], Client], personas: dict[str, Persona]
) -> None:
    desk, laptop = client_for("customer"), client_for("customer")
    other = client_for("colleague")
    individual = personas["customer"].individual
    assert LoginSession.objects.filter(user=individual.user).count() == 2

    deactivate_individual(individual=individual, actor=personas["administrator"].individual.user)

    assert LoginSession.objects.filter(user=individual.user).count() == 0
    for client in (desk, laptop):
        response = client.get("/portal/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert other.get("/portal/").status_code == 200  # a colleague is untouched
    event = Event.objects.get(action="individual.deactivated")
    assert event.data == {"sessions_ended": 2}
    assert event.actor_label == "Graham Stewart"


def test_a_person_who_left_cannot_log_in(personas: dict[str, Persona]) -> None:
    individual = personas["customer"].individual
    deactivate_individual(individual=individual, actor=None)
    response = Client().post("/accounts/login/", {"login": individual.email, "password": PASSWORD})
    assert response.status_code == 200
    assert Client().get("/portal/").status_code == 302


def test_coming_back_restores_access(personas: dict[str, Persona]) -> None:
    individual = personas["customer"].individual
    deactivate_individual(individual=individual, actor=None)
    reactivate_individual(individual=individual, actor=None)
    response = Client().post("/accounts/login/", {"login": individual.email, "password": PASSWORD})
    assert response.status_code == 302
    assert list(Event.objects.values_list("action", flat=True).order_by("id"))[-3:] == [
        "individual.deactivated",
        "individual.reactivated",
        "session.logged_in",
    ]
