"""Fixtures for the API tests: personal access tokens for the personas, and clients
that send them."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from portico.api import services as api_services
from portico.parties.models import User
from tests.conftest import PERSONAS


def make_token(user: User, *, days: int = 30, name: str = "tests") -> str:
    made = api_services.create_token(
        actor=user, name=name, expires_at=timezone.now() + datetime.timedelta(days=days)
    )
    return made.secret


def bearer(secret: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {secret}"})


def user_of(key: str) -> User:
    return User.objects.select_related("individual").get(email=PERSONAS[key].email)


@pytest.fixture
def token_for(demo_data: None) -> Callable[[str], str]:
    """A fresh token's secret for a persona."""

    def make(key: str) -> str:
        return make_token(user_of(key))

    return make


@pytest.fixture
def api_for(token_for: Callable[[str], str]) -> Callable[[str], Client]:
    """A client that calls the API with a persona's token."""

    def make(key: str) -> Client:
        return bearer(token_for(key))

    return make


def body(response: Any) -> Any:
    """The JSON body of a test response."""
    return response.json()
