import pytest
from django.core.management import call_command
from django.test import Client

from portico.access import AUTOMATION_EMAIL
from portico.demo.people import ORGANIZATIONS, PEOPLE
from portico.parties.models import Individual, Organization, UserGroup


def test_seed_demo_loads_once_and_prints_working_log_ins(
    db: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTICO_DEMO_PASSWORD", "demo-pass-for-tests")
    call_command("seed_demo")
    call_command("seed_demo")  # twice is safe
    # Everyone but the automation rules' own person (a migration makes it).
    assert Individual.objects.exclude(user__email=AUTOMATION_EMAIL).count() == len(PEOPLE)
    assert Organization.objects.count() == len(ORGANIZATIONS)
    out = capsys.readouterr().out
    assert "already has people" in out
    for person in PEOPLE:
        assert person.email in out
        client = Client()
        response = client.post(
            "/accounts/login/", {"login": person.email, "password": "demo-pass-for-tests"}
        )
        assert response.status_code == 302, person.email


def test_demo_has_the_roles_the_issue_asks_for(db: None) -> None:
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    by_group = {g.name: g.members.count() for g in UserGroup.objects.all()}
    assert by_group["Staff"] >= 4  # CSRs and two technicians
    assert by_group["Supervisors"] >= 1
    assert by_group["Systems administrators"] >= 1
    assert by_group["Employees"] >= 2
    customers = Organization.objects.filter(kind="customer")
    assert customers.count() == 3
    assert all(org.people.count() >= 2 for org in customers)
    assert Organization.objects.filter(kind="partner").count() == 1
