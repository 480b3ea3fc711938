from collections.abc import Callable

from django.test import Client

from portico.audit.models import Event
from tests.conftest import PASSWORD, Persona


def test_log_in_is_recorded_with_person_address_and_portal(personas: dict[str, Persona]) -> None:
    Client(REMOTE_ADDR="198.51.100.7").post(
        "/accounts/login/", {"login": personas["partner"].email, "password": PASSWORD}
    )
    event = Event.objects.get(action="session.logged_in")
    assert event.actor == personas["partner"].individual.user
    assert event.actor_label == personas["partner"].email
    assert event.ip_address == "198.51.100.7"
    assert event.portal == "partner"
    assert event.occurred_at is not None


def test_failed_log_in_records_the_name_tried(db: None, demo_data: None) -> None:
    Client(REMOTE_ADDR="203.0.113.9").post(
        "/accounts/login/?next=/console/",
        {"login": "Someone@Example.com", "password": "guess"},
    )
    event = Event.objects.get(action="session.login_failed")
    assert event.actor is None
    assert event.actor_label.lower() == "someone@example.com"
    assert event.ip_address == "203.0.113.9"
    assert event.portal == "console"


def test_throttled_attempts_are_recorded(personas: dict[str, Persona]) -> None:
    client = Client()
    for _ in range(7):
        client.post("/accounts/login/", {"login": personas["csr"].email, "password": "x"})
    assert Event.objects.filter(action="session.login_failed").count() == 5
    assert Event.objects.filter(action="session.login_throttled").count() == 2


def test_log_out_is_recorded(
    client_for: Callable[[str], Client], personas: dict[str, Persona]
) -> None:
    client = client_for("employee")
    client.post("/accounts/logout/")
    event = Event.objects.get(action="session.logged_out")
    assert event.actor == personas["employee"].individual.user
    assert event.portal == "employee"
