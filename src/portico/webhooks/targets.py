"""Where a webhook may be sent: the rules against server-side request forgery.

A subscription's URL must be HTTPS, and a delivery goes only to a public address: the
host name is resolved once, every address it resolves to is checked, and the
connection is made to a checked address (no second look-up a DNS rebinding could
answer differently). Hosts listed in PORTICO_WEBHOOK_ALLOWED_HOSTS are exempt, and may
be plain HTTP: the local integrations of a development machine. Redirects are not
followed (portico.webhooks.sending), so they cannot lead anywhere else.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

type Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(Exception):
    """A delivery that may not be made to this URL or address."""


@dataclass(frozen=True)
class Target:
    """A URL checked for sending: connect to one of `addresses` (each checked, tried in
    the resolver's order), speak to `host`."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]

    @property
    def host_header(self) -> str:
        name = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return name if self.port == default else f"{name}:{self.port}"


def _allowed_hosts() -> set[str]:
    # "[::1]" as ALLOWED_HOSTS spells it; urlsplit gives the host without brackets.
    return {h.strip().lower().strip("[]") for h in settings.PORTICO_WEBHOOK_ALLOWED_HOSTS}


def is_listed(host: str) -> bool:
    return host.lower() in _allowed_hosts()


def forbidden(address: Address) -> bool:
    """Loopback, private, link-local, multicast, reserved, unspecified, or otherwise
    not a public address (100.64.0.0/10, documentation ranges...)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return forbidden(address.ipv4_mapped)
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def check_url(url: str) -> None:
    """What can be said of a URL without resolving it: HTTPS (or a listed host), a
    host, no credentials, and no forbidden address written as a number. Raises
    ValidationError in words an administrator can act on."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValidationError({"url": ["That is not a valid URL."]}) from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in {"https", "http"} or not host:
        raise ValidationError({"url": ["Give an https:// URL."]})
    if parts.username is not None or parts.password is not None:
        raise ValidationError({"url": ["Leave the user name and password out of the URL."]})
    if is_listed(host):
        return
    if parts.scheme != "https":
        raise ValidationError({"url": ["Webhooks are sent over HTTPS only: give an https:// URL."]})
    literal = _literal(host)
    if literal is not None and forbidden(literal):
        raise ValidationError(
            {"url": ["Webhooks are not sent to loopback, private or link-local addresses."]}
        )
    if port == 0:
        raise ValidationError({"url": ["That is not a valid port."]})


def resolve(url: str) -> Target:
    """The address to connect to for `url`, after checking the URL and every address
    its host resolves to. Raises Refused."""
    try:
        check_url(url)
    except ValidationError as error:
        raise Refused("; ".join(error.messages)) from None
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    listed = is_listed(host)
    if not listed and settings.PORTICO_WEBHOOK_ALLOWED_HOSTS_ONLY:
        raise Refused(f"{host} is not in PORTICO_WEBHOOK_ALLOWED_HOSTS (test settings).")
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise Refused(f"{host} could not be resolved: {error}") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]
    if not addresses:
        raise Refused(f"{host} resolves to no address.")
    if not listed:
        # Any forbidden answer refuses the host: a name that resolves to a public and a
        # private address is not sent to either.
        bad = [a for a in addresses if forbidden(a)]
        if bad:
            raise Refused(f"{host} resolves to {bad[0]}, which is not a public address.")
    return Target(
        scheme=parts.scheme,
        host=host,
        port=port,
        path=path,
        addresses=tuple(dict.fromkeys(str(a) for a in addresses)),
    )
