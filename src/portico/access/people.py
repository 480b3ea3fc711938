"""Which organisations and people someone may see, and who may stand in a role on a
transaction (assignee, contact)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from portico.access.roles import individual_of, is_automation, is_staff, staff_individuals

if TYPE_CHECKING:
    from portico.access.roles import Person
    from portico.parties.models import Individual, Organization
    from portico.service.models import Transaction


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


def may_change_contact_details(user: Person | None, individual: Individual) -> bool:
    """A person changes their own name, job title and phone numbers; the staff change
    anyone's."""
    own = individual_of(user)
    return own is not None and (own.pk == individual.pk or is_staff(user))


# --- roles on a transaction --------------------------------------------------------------


def may_be_assigned(person: Individual) -> bool:
    """Only the staff work transactions: "Assigned to for action" (seed 001) puts one on
    a task list in the console, which nobody outside the staff has."""
    return person.user_group.is_staff_group and not is_automation(person)


def assignable_individuals() -> QuerySet[Individual]:
    """The people a dispatcher is offered: the active staff (`may_be_assigned`)."""
    return staff_individuals()


def may_be_contact(transaction: Transaction, person: Individual) -> bool:
    """Whom a note may say the contact was with: someone of the transaction's
    organisation, else its requester. Anyone else's name would reach the customer on a
    shared note."""
    if transaction.organization_id is not None:
        return person.organization_id == transaction.organization_id
    return person.pk == transaction.requester_id


def possible_contacts(transaction: Transaction) -> QuerySet[Individual]:
    """The people the console offers as a note's contact: the active ones who
    `may_be_contact`."""
    from portico.parties.models import Individual

    people = Individual.objects.filter(active=True)
    if transaction.organization_id is not None:
        return people.filter(organization_id=transaction.organization_id)
    if transaction.requester_id is not None:
        return people.filter(pk=transaction.requester_id)
    return people.none()


def may_look_up_contacts(user: Person | None, transaction: Transaction) -> bool:
    """Who is offered the transaction's possible contacts as they type: the staff who
    may add a note to it, whose note form names the contact."""
    from portico.access.transactions import can

    return is_staff(user) and (
        can(user, "add_internal_note", transaction) or can(user, "add_shared_note", transaction)
    )


def sees_who_works(user: Person | None) -> bool:
    """Who has access to a transaction and who is assigned to it are the staff's
    business: the portals never show grants, and only staff filter by assignee."""
    return is_staff(user)
