"""What the security modules share: the demo people by first name, and clients acting
for them the way a person would (the real log-in form) or a script would (a personal
access token)."""

from __future__ import annotations

from django.test import Client

from portico.parties.models import Individual, User
from portico.service.models import Transaction
from tests.api.conftest import bearer, make_token


def person(first_name: str) -> Individual:
    return Individual.objects.select_related("user", "organization", "user_group").get(
        first_name=first_name
    )


def user(first_name: str) -> User:
    return User.objects.get(individual__first_name=first_name)


def web(first_name: str | None) -> Client:
    """A browser's session (None: a visitor). Logged in directly, not through the form:
    these modules are about what a session may do, and tests/login about getting one."""
    client = Client()
    if first_name is not None:
        client.force_login(user(first_name))
    return client


def api(first_name: str | None) -> Client:
    """A script with the person's own token (None: no token at all)."""
    return Client() if first_name is None else bearer(make_token(user(first_name)))


def demo_transaction(title: str) -> Transaction:
    return Transaction.objects.select_related("application", "status", "organization").get(
        title=title
    )
