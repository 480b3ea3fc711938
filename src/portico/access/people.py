"""Which organisations and people someone may see, and who may stand in a role on a
transaction (assignee, contact)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from portico.access.roles import individual_of, is_staff

if TYPE_CHECKING:
    from portico.access.roles import Person
    from portico.parties.models import Individual, Organization


# --- parties ---------------------------------------------------------------------------


def visible_organizations(user: Person | None) -> QuerySet[Organization]:
    """Staff see every organisation; anyone else only their own."""
    from portico.parties.models import Organization

    if is_staff(user):
        return Organization.objects.all()
    individual = individual_of(user)
    if individual is None or individual.organization_id is None:
        return Organization.objects.none()
    return Organization.objects.filter(pk=individual.organization_id)


def visible_individuals(user: Person | None) -> QuerySet[Individual]:
    """Staff see everyone; anyone else themself and the active people of their own
    organisation."""
    from portico.parties.models import Individual

    if is_staff(user):
        return Individual.objects.all()
    individual = individual_of(user)
    if individual is None:
        return Individual.objects.none()
    if individual.organization_id is None:
        return Individual.objects.filter(pk=individual.pk)
    return Individual.objects.filter(
        Q(organization_id=individual.organization_id, active=True) | Q(pk=individual.pk)
    )
