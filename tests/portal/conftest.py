"""Helpers for the portal pages' tests: the personas' log-ins and transactions."""

from __future__ import annotations

from portico.parties.models import Individual, User
from portico.service.models import Application, Permission, Transaction
from tests.conftest import PERSONAS


def user(key: str) -> User:
    person = PERSONAS[key].individual.user
    assert person is not None
    return person


def individual(key: str) -> Individual:
    return PERSONAS[key].individual


def application(code: str) -> Application:
    return Application.objects.get(code=code)


def permission(code: str) -> Permission:
    return Permission.objects.get(code=code)


def transaction(number: str) -> Transaction:
    return Transaction.objects.get(number=number)


def page(response: object) -> str:
    content = getattr(response, "content", b"")
    assert isinstance(content, bytes)
    return content.decode()
