"""Who sent a message: the active people with its From address (never its display
name), and the log-in mail-in acts for them with (made, with an unusable password, for
a person without one, only when the action is allowed)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import transaction as db

from portico.parties.models import Individual, User


def people(address: str) -> list[Individual]:
    """The active people with this address, those with a log-in first."""
    people = Individual.objects.filter(email__iexact=address, active=True).select_related(
        "user", "user_group", "organization"
    )
    return sorted(people, key=lambda p: (p.user_id is None, p.pk))


def user_of(person: Individual) -> User | None:
    """The person's log-in; one is made for a person without (an unusable password:
    mail-in acts for them, and they can set a password later by the reset link)."""
    if person.user is not None:
        return person.user
    if not person.email or User.objects.filter(email__iexact=person.email).exists():
        return None  # someone else's log-in has that address: never take it over
    user = User.objects.create_user(person.email, None)
    person.user = user
    person.save(update_fields=["user"])
    return user


class _NotAllowed(Exception):
    pass


def first_allowed(
    people: Sequence[Individual], allowed: Callable[[User], bool]
) -> tuple[Individual, User] | None:
    """The first of the people whose log-in passes `allowed`. A log-in made only to ask
    is rolled back with its savepoint when the answer is no."""
    for person in people:
        try:
            with db.atomic():
                user = user_of(person)
                if user is None or not allowed(user):
                    raise _NotAllowed
                return person, user
        except _NotAllowed:
            person.refresh_from_db(fields=["user"])
            continue
    return None
