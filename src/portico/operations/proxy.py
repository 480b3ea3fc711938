"""The client's address behind a reverse proxy.

Portico is served by gunicorn's WSGI workers, which set REMOTE_ADDR to the peer: behind
nginx that is nginx. The proxy says who it talked to in X-Forwarded-For; a client can
write that header too, so it is believed only from a peer listed in
PORTICO_TRUSTED_PROXIES, and then only its right-most address that is not itself a
trusted proxy (what the last trusted hop saw). The log-in limits and the audit trail read
REMOTE_ADDR after this, so a forged header moves neither.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

type Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: list[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def within(address: str, networks: tuple[Network, ...]) -> bool:
    """Whether `address` is in one of `networks`; an unparsable address is in none."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(peer: str, forwarded_for: str, networks: tuple[Network, ...]) -> str:
    """The address to believe: the peer, unless it is a trusted proxy that forwarded."""
    if not forwarded_for or not within(peer, networks):
        return peer
    for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
        if not within(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # garbage from the client's side of the proxy: keep the peer
    return peer


class ForwardedForMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.networks = parse_networks(settings.PORTICO_TRUSTED_PROXIES)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        peer = request.META.get("REMOTE_ADDR", "")
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            request.META["REMOTE_ADDR"] = client_address(peer, forwarded, self.networks)
        return self.get_response(request)
