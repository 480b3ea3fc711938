"""Fixtures for the mail tests: the support mailbox (service issues) as the demo would
have it, messages from tests/mail/messages/ made to fit a test, a request of a persona's,
a real SMTP server (aiosmtpd on 127.0.0.1 and a free port, keeping every envelope it
accepts, parsed as a mail client would; while it runs Portico's mailer sends to it), and
Debian's Dovecot serving IMAP on 127.0.0.1 for the polling tests."""

from __future__ import annotations

import email
import email.policy
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.test.utils import override_settings

from portico.mail.models import Mailbox
from portico.parties.models import Individual, UserGroup
from portico.service import actions
from portico.service.models import Application, Transaction

MESSAGES = Path(__file__).parent / "messages"
SUPPORT = "support@portico.example"
DOVECOT = "/usr/sbin/dovecot"


def make_mailbox(**fields: object) -> Mailbox:
    values: dict[str, object] = {
        "name": "Support",
        "address": SUPPORT,
        "application": Application.objects.get(code="service-issue"),
        "unknown_senders": Mailbox.UnknownSenders.REFUSE,
        "new_people_group": UserGroup.objects.get(name="Customers"),
    }
    values.update(fields)
    # The demo people come with the demo's support mailbox: this makes it as the test says.
    box, _ = Mailbox.objects.update_or_create(address=values.pop("address"), defaults=values)
    return box


@pytest.fixture
def mailbox(demo_people: None) -> Mailbox:
    return make_mailbox()


def message(name: str, **replace: str) -> bytes:
    """A message from tests/mail/messages/, with placeholders (or any text) replaced."""
    raw = (MESSAGES / name).read_bytes()
    for old, new in replace.items():
        raw = raw.replace(old.encode(), new.encode())
    return raw


def plain(
    *,
    sender: str,
    subject: str = "The pump",
    body: str = "Hello",
    to: str = SUPPORT,
    headers: str = "",
    message_id: str | None = None,
) -> bytes:
    mid = message_id or f"<{time.monotonic_ns()}@{sender.partition('@')[2] or 'x.example'}>"
    return (
        f"From: {sender}\nTo: {to}\nSubject: {subject}\nMessage-ID: {mid}\n"
        f"Date: Tue, 1 Dec 2026 10:00:00 +0000\n{headers}"
        f"Content-Type: text/plain; charset=utf-8\n\n{body}\n"
    ).encode()


def person(email: str) -> Individual:
    return Individual.objects.select_related("user").get(email=email)


def issue_for(email: str, title: str = "Dosing pump alarm") -> Transaction:
    """A service issue the person logged themselves in the portal."""
    requester = person(email)
    assert requester.user is not None
    return actions.create_transaction(
        actor=requester.user,
        application=Application.objects.get(code="service-issue"),
        title=title,
        classify_later=True,
    )


# --- Dovecot ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Imap:
    host: str
    port: int
    user: str
    password: str


def _runner() -> pwd.struct_passwd:
    """The account Dovecot runs as: ourselves, or `nobody` when we are root (it refuses
    to run its login and mail processes as root)."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid())
    return pwd.getpwnam("nobody")


@pytest.fixture
def dovecot() -> Iterator[Imap]:
    if not os.path.exists(DOVECOT):
        pytest.fail(f"{DOVECOT} is missing: `make test-deps` installs dovecot-imapd.")
    runner = _runner()
    home = Path(tempfile.mkdtemp(prefix="portico-dovecot-"))
    port = free_port()
    user, password = "support", "imap-test-password"
    (home / "passwd").write_text(
        f"{user}:{{PLAIN}}{password}:{runner.pw_uid}:{runner.pw_gid}::{home}/home::\n"
    )
    (home / "home").mkdir()
    (home / "run").mkdir()
    config = home / "dovecot.conf"
    config.write_text(
        f"""
protocols = imap
listen = 127.0.0.1
base_dir = {home}/run
state_dir = {home}/state
instance_name = portico-test-{port}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{home}/home/Maildir
default_internal_user = {runner.pw_name}
default_internal_group = {_group(runner)}
default_login_user = {runner.pw_name}
first_valid_uid = {runner.pw_uid}
last_valid_uid = {runner.pw_uid}
first_valid_gid = 0
log_path = {home}/dovecot.log
passdb {{
  driver = passwd-file
  args = {home}/passwd
}}
userdb {{
  driver = passwd-file
  args = {home}/passwd
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  user = {runner.pw_name}
  chroot =
}}
service anvil {{
  chroot =
}}
service imap {{
  user = {runner.pw_name}
}}
service auth {{
  user = {runner.pw_name}
}}
service auth-worker {{
  user = {runner.pw_name}
}}
service stats {{
  user = {runner.pw_name}
}}
"""
    )
    for path in [home, *home.rglob("*")]:
        os.chown(path, runner.pw_uid, runner.pw_gid)
    process = subprocess.Popen(
        [DOVECOT, "-F", "-c", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        user=runner.pw_uid if os.geteuid() == 0 else None,
        group=runner.pw_gid if os.geteuid() == 0 else None,
    )
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if process.poll() is not None:
                log = (home / "dovecot.log").read_text() if (home / "dovecot.log").exists() else ""
                out = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"Dovecot did not start: {out}\n{log}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("Dovecot did not answer within 15 s.")
        yield Imap(host="127.0.0.1", port=port, user=user, password=password)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(home, ignore_errors=True)


def _group(runner: pwd.struct_passwd) -> str:
    import grp

    return grp.getgrgid(runner.pw_gid).gr_name


@pytest.fixture
def send_from() -> Callable[..., bytes]:
    return plain


# --- a real SMTP server receiving what Portico sends ------------------------------------------


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage


@dataclass
class SmtpServer:
    port: int
    received: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content
        assert isinstance(content, bytes)
        message = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.received.append(
                Received(
                    mail_from=str(envelope.mail_from),
                    rcpt_tos=tuple(str(a) for a in envelope.rcpt_tos),
                    message=message,
                )
            )
        return "250 2.0.0 Accepted"

    def to(self, address: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if address in r.rcpt_tos]


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(port=free_port())
    controller = Controller(server, hostname="127.0.0.1", port=server.port)
    controller.start()
    mailer = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 10},
    }
    try:
        with override_settings(MAILERS={"default": mailer}):
            yield server
    finally:
        controller.stop()
