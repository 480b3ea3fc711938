"""Loading the demo data. Used by `portico seed_demo` (and so `make run`) and the tests."""

import os

from allauth.account.models import EmailAddress
from django.db import transaction

from portico.demo.people import ORGANIZATIONS, PEOPLE, DemoPerson
from portico.parties.models import Individual, Organization, User, UserGroup, Zone
from portico.parties.standard import create_standard

# Demo data only: printed by `make run`, overridable by PORTICO_DEMO_PASSWORD.
DEFAULT_PASSWORD = "portico-demo"  # noqa: S105


def demo_password() -> str:
    return os.environ.get("PORTICO_DEMO_PASSWORD", DEFAULT_PASSWORD)


def has_data() -> bool:
    return Individual.objects.exists()


@transaction.atomic
def load(*, password: str | None = None) -> list[DemoPerson]:
    """Create the demo company, customers, partner and people with log-ins."""
    password = password or demo_password()
    create_standard(Zone, UserGroup)
    organizations = {}
    for org in ORGANIZATIONS:
        organizations[org.key], _ = Organization.objects.get_or_create(
            account_number=org.account_number,
            defaults={
                "name": org.name,
                "kind": org.kind,
                "territory": org.territory,
                "area": org.area,
                "address": org.address,
                "city": org.city,
                "postcode": org.postcode,
                "country": "United Kingdom",
                "phone": org.phone,
                "website": org.website,
            },
        )
    groups = {group.name: group for group in UserGroup.objects.all()}
    for person in PEOPLE:
        if User.objects.filter(email=person.email).exists():
            continue
        user = User.objects.create_user(person.email, password)
        EmailAddress.objects.create(user=user, email=person.email, verified=True, primary=True)
        Individual.objects.create(
            user=user,
            organization=organizations[person.organization],
            user_group=groups[person.group],
            first_name=person.first_name,
            last_name=person.last_name,
            job_title=person.job_title,
            email=person.email,
            phone=person.phone,
        )
    return PEOPLE
