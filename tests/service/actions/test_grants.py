"""Grants: nothing is granted to a person who left, and a grant is given once."""

from __future__ import annotations

from portico.parties.models import Individual
from portico.parties.services import deactivate_individual
from portico.service import actions
from tests.service.actions.conftest import individual, log_issue, permission, refused, user


def test_nothing_is_granted_to_a_person_who_left(people: None) -> None:
    logged = log_issue()
    deactivate_individual(individual=individual("colleague"), actor=user("administrator"))
    with refused("individual", "Kirsty Muir", "left", transaction=logged):
        actions.grant(
            actor=user("csr"),
            transaction=logged,
            permission=permission("read"),
            individual=Individual.objects.get(pk=individual("colleague").pk),
        )


def test_a_grant_is_given_once(people: None) -> None:
    logged = log_issue()
    actions.grant(
        actor=user("csr"),
        transaction=logged,
        permission=permission("read"),
        individual=individual("other_customer"),
    )
    with refused("permission", "Helen Baird", "Read only", transaction=logged):
        actions.grant(
            actor=user("csr"),
            transaction=logged,
            permission=permission("read"),
            individual=individual("other_customer"),
        )
    # The requester's default grant counts too.
    with refused("permission", "Ewan Grant", "Update worknotes", transaction=logged):
        actions.grant(
            actor=user("csr"),
            transaction=logged,
            permission=permission("worknotes"),
            individual=individual("customer"),
        )
