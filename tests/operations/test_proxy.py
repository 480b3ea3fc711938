"""The client's address behind the reverse proxy: X-Forwarded-For is believed from a
trusted proxy only, and only as far as the last hop the proxy itself saw."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from portico.audit.models import Event
from portico.operations.proxy import client_address, parse_networks

TRUSTED = parse_networks(["127.0.0.1", "10.0.0.0/8", "::1"])


@pytest.mark.parametrize(
    ("peer", "forwarded", "believed"),
    [
        # From the proxy: the address it saw.
        ("127.0.0.1", "203.0.113.9", "203.0.113.9"),
        # A client's own header arrives first in the list; the proxy appends what it saw.
        ("127.0.0.1", "198.51.100.1, 203.0.113.9", "203.0.113.9"),
        # Two proxies of ours in a row: the first address neither of them is.
        ("127.0.0.1", "203.0.113.9, 10.1.2.3", "203.0.113.9"),
        # Straight from a client, not a proxy: the header is the client's word, ignored.
        ("203.0.113.50", "198.51.100.1", "203.0.113.50"),
        # Nonsense after the proxy keeps the proxy's own address.
        ("127.0.0.1", "not-an-address", "127.0.0.1"),
        ("::1", "2001:db8::7", "2001:db8::7"),
        ("127.0.0.1", "", "127.0.0.1"),
    ],
)
def test_which_address_is_believed(peer: str, forwarded: str, believed: str) -> None:
    assert client_address(peer, forwarded, TRUSTED) == believed


def _failed_login_address(client: Client, forwarded_for: str) -> str | None:
    client.post(
        "/accounts/login/",
        {"login": "nobody@example.com", "password": "x"},
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )
    event = Event.objects.filter(action="session.login_failed").latest("id")
    return event.ip_address


def test_the_audit_trail_records_the_forwarded_client_only_through_a_trusted_proxy(
    db: None,
) -> None:
    client = Client(REMOTE_ADDR="127.0.0.1")
    assert _failed_login_address(client, "203.0.113.9") == "203.0.113.9"
    with override_settings(PORTICO_TRUSTED_PROXIES=["10.9.9.9"]):
        # The middleware reads the list when it is made: a fresh client makes a fresh one.
        forged = Client(REMOTE_ADDR="127.0.0.1")
        assert _failed_login_address(forged, "203.0.113.9") == "127.0.0.1"
