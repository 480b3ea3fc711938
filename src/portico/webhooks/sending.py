"""One HTTP POST of a webhook body, with the standard library's http.client.

The connection goes to an address `targets.resolve` checked (for HTTPS the
certificate is still verified against the host name, sent as SNI), so nothing resolves
the name a second time. Redirects are not followed: a 3xx is a failed attempt, and its
Location is reported, so a delivery cannot be steered to an address the checks refused.
Timeouts bound the connection and each read, and no more than a few KB of the answer is
read.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import socket
import ssl
from dataclasses import dataclass

from portico.webhooks.targets import Target

TIMEOUT = 10.0  # seconds, to connect and for each read
READ_LIMIT = 4096
USER_AGENT = "Portico-Webhooks/1"


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    location: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def signature(secret: str, body: bytes) -> str:
    """The X-Portico-Signature value: sha256=<hex HMAC-SHA256 of the raw body>."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _connect(addresses: tuple[str, ...], port: int) -> socket.socket:
    """A connection to the first of the checked addresses that answers ("localhost" may
    resolve to ::1 first for a receiver listening on 127.0.0.1 only)."""
    error: OSError = OSError("no address to connect to")
    for address in addresses:
        try:
            return socket.create_connection((address, port), TIMEOUT)
        except OSError as failed:
            error = failed
    raise error


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target) -> None:
        super().__init__(target.host, target.port, timeout=TIMEOUT)
        self._addresses = target.addresses

    def connect(self) -> None:
        self.sock = _connect(self._addresses, self.port)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target) -> None:
        self._tls = ssl.create_default_context()
        super().__init__(target.host, target.port, timeout=TIMEOUT, context=self._tls)
        self._addresses = target.addresses

    def connect(self) -> None:
        raw = _connect(self._addresses, self.port)
        # The certificate is checked against the host name (SNI too), not the address.
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)


def post(target: Target, body: bytes, headers: dict[str, str]) -> Answer:
    """POST `body` to the target; raises OSError (refused, reset, timed out, TLS) or
    http.client.HTTPException (a malformed answer)."""
    connection: http.client.HTTPConnection = (
        _PinnedHTTPSConnection(target)
        if target.scheme == "https"
        else _PinnedHTTPConnection(target)
    )
    try:
        connection.putrequest("POST", target.path, skip_host=True, skip_accept_encoding=True)
        connection.putheader("Host", target.host_header)
        for name, value in {
            **headers,
            "User-Agent": USER_AGENT,
            "Content-Length": str(len(body)),
            "Connection": "close",
        }.items():
            connection.putheader(name, value)
        connection.endheaders(body)
        response = connection.getresponse()
        text = response.read(READ_LIMIT).decode("utf-8", "replace")
        return Answer(
            status=response.status, body=text, location=response.getheader("Location", "")
        )
    finally:
        connection.close()
