"""A real HTTP receiver on 127.0.0.1 (allowed by the test settings'
PORTICO_WEBHOOK_ALLOWED_HOSTS), and the administrator's subscription to it."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from portico.parties.models import Individual, User
from portico.webhooks import delivery, services
from portico.webhooks.models import Subscription
from tests.conftest import PERSONAS


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.body)
        return loaded

    def signed_with(self, secret: str) -> bool:
        """What a receiver does: HMAC the raw body with its secret, compare in constant
        time with X-Portico-Signature."""
        expected = "sha256=" + hmac.new(secret.encode(), self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.headers.get("X-Portico-Signature", ""))


@dataclass
class Receiver:
    port: int
    received: list[Received] = field(default_factory=list)
    # Answers to give, in order (then 200): a status, or (status, Location) for a redirect.
    answers: list[int | tuple[int, str]] = field(default_factory=list)
    # Seconds to take over each answer: a slow receiver, for a sender killed mid-send.
    delay: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def events(self) -> list[str]:
        return [r.headers["X-Portico-Event"] for r in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with serving() as state:
        yield state


@contextmanager
def serving() -> Iterator[Receiver]:
    """A receiver listening on 127.0.0.1 for as long as the block runs."""
    state = Receiver(port=0)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            if state.delay:
                time.sleep(state.delay)
            with lock:
                state.received.append(Received(self.path, dict(self.headers.items()), body))
                answer = state.answers.pop(0) if state.answers else 200
            status, location = answer if isinstance(answer, tuple) else (answer, "")
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if status < 300 else b"no thank you")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def admin_user() -> User:
    return User.objects.select_related("individual__user_group").get(
        email=PERSONAS["administrator"].email
    )


def admin() -> Individual:
    return Individual.objects.get(email=PERSONAS["administrator"].email)


@pytest.fixture
def subscription(demo_data: None, receiver: Receiver) -> Subscription:
    return services.create_subscription(owner=admin(), url=receiver.url, events=["*"])


def send_due() -> delivery.Pass:
    """The worker's delivery pass, now."""
    return delivery.deliver_all()
