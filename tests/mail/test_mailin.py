"""`portico mailin` over real sockets: an MTA's SMTP or LMTP delivery becomes a note,
only our own addresses are taken (no open relay), an oversized message is refused at
the door, and IMAP polling against Debian's Dovecot."""

from __future__ import annotations

import io
import signal
import smtplib
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bench.server import BIN, portico_env
from django.core.management import call_command
from imapclient import IMAPClient  # type: ignore[import-untyped]

from portico.mail import addresses, imap, inbound
from portico.mail.management.commands.mailin import Command
from portico.mail.models import Address, Inbound, Mailbox
from portico.notify.models import Delivery
from portico.service import actions
from portico.service.models import Note
from tests.mail.conftest import SUPPORT, Imap, free_port, issue_for, message, plain

EWAN = "ewan.grant@harbourfoods.example"


def wire(raw: bytes) -> bytes:
    """The message as it goes over SMTP: CRLF line ends (smtplib sends bytes as given)."""
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


class Running:
    def __init__(self, *args: str) -> None:
        self.port = free_port()
        self.command = Command()
        self.out = io.StringIO()
        self.thread = threading.Thread(
            target=call_command,
            args=(self.command, "--host", "127.0.0.1", "--port", str(self.port), *args),
            kwargs={"stdout": self.out},
            daemon=True,
        )

    def __enter__(self) -> Running:
        self.thread.start()
        deadline = time.monotonic() + 10
        while "Mail-in" not in self.out.getvalue():
            assert time.monotonic() < deadline, "mailin did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.command.stop.set()
        self.thread.join(timeout=10)
        assert not self.thread.is_alive(), "mailin did not stop"


@pytest.fixture
def served(transactional_db: None, mailbox: Mailbox) -> Iterator[Running]:
    with Running() as running:
        yield running


def test_an_smtp_delivery_becomes_a_note_and_only_our_addresses_are_taken(
    served: Running,
) -> None:
    assert served.out.getvalue().strip() == f"Mail-in (SMTP) on 127.0.0.1:{served.port}"
    issue = issue_for(EWAN)
    reply = addresses.reply_address(issue.number, Mailbox.objects.get(address=SUPPORT))
    raw = message("gmail_reply.eml", **{"<REFERENCE-ID>": "<none@elsewhere.example>"})
    with smtplib.SMTP("127.0.0.1", served.port, timeout=10) as smtp:
        refused = smtp.sendmail(EWAN, [reply], wire(raw))
        assert refused == {}
        # Not an open relay: an address that is not ours is refused at RCPT.
        with pytest.raises(smtplib.SMTPRecipientsRefused) as error:
            smtp.sendmail(EWAN, ["someone@elsewhere.example"], wire(plain(sender=EWAN)))
        assert error.value.recipients["someone@elsewhere.example"][0] == 550
    # Answered 250 only after the note was committed: it is there now.
    note = Note.objects.get(transaction=issue)
    assert note.body.startswith("Thanks — the sensor reads 7.2 pH now.")
    assert Inbound.objects.get(note=note).via == Inbound.Via.SMTP


def test_a_bounce_comes_back_to_the_verp_address_with_a_null_sender(served: Running) -> None:
    delivery = Delivery.objects.create(address=EWAN, subject="x")
    dsn = message("dsn.eml", **{"DELIVERY-KEY": delivery.key})
    with smtplib.SMTP("127.0.0.1", served.port, timeout=10) as smtp:
        assert smtp.sendmail("", [addresses.bounce_address(delivery.key)], wire(dsn)) == {}
    received = Inbound.objects.get()
    assert received.envelope_from == "<>"
    assert received.outcome == Inbound.Outcome.BOUNCE, received.reason
    assert Address.objects.get(address=EWAN).hard_bounces == 1


def test_an_oversized_message_is_refused_at_the_door(
    transactional_db: None, mailbox: Mailbox, settings: Any
) -> None:
    settings.PORTICO_ATTACHMENT_MAX_BYTES = 10_000
    big = plain(sender=EWAN, body=("x" * 70 + "\n") * 200)
    with Running() as running, smtplib.SMTP("127.0.0.1", running.port, timeout=30) as smtp:
        # smtplib declares the size (SIZE=) and the server refuses it before the data.
        with pytest.raises(smtplib.SMTPSenderRefused) as declared:
            smtp.sendmail(EWAN, [SUPPORT], wire(big))
        assert declared.value.smtp_code == 552
        # A client that does not say the size is refused after the data.
        smtp.rset()
        smtp.mail(EWAN)
        smtp.rcpt(SUPPORT)
        code, _ = smtp.data(wire(big))
        assert code == 552
    assert not Inbound.objects.exists()


def _lmtp_session(sock: socket.socket, recipients: list[str]) -> list[bytes]:
    """One LMTP transaction by hand; the replies to its data, one per recipient."""
    reader = sock.makefile("rb")

    def reply() -> bytes:
        line = reader.readline()
        while line[3:4] == b"-":
            line = reader.readline()
        return line

    reply()  # the greeting
    for command in ["LHLO test", f"MAIL FROM:<{EWAN}>", *(f"RCPT TO:<{r}>" for r in recipients)]:
        sock.sendall(command.encode() + b"\r\n")
        assert reply()[:1] == b"2", command
    sock.sendall(b"DATA\r\n")
    assert reply()[:3] == b"354"
    sock.sendall(wire(plain(sender=EWAN, subject="Two recipients")) + b".\r\n")
    replies = [reply() for _ in recipients]
    sock.sendall(b"QUIT\r\n")
    return replies


def test_an_lmtp_delivery_opens_a_request(transactional_db: None, mailbox: Mailbox) -> None:
    with Running("--lmtp") as running:
        assert running.out.getvalue().startswith("Mail-in (LMTP) on 127.0.0.1:")
        with smtplib.LMTP("127.0.0.1", running.port, timeout=10) as lmtp:
            assert lmtp.sendmail(EWAN, [SUPPORT], wire(message("calendar_invite.eml"))) == {}
        # LMTP answers the data once for each recipient (RFC 2033): two here.
        with socket.create_connection(("127.0.0.1", running.port), timeout=10) as sock:
            replies = _lmtp_session(sock, [SUPPORT, "support+x@portico.example"])
        assert [line[:3] for line in replies] == [b"250", b"250"]
    received = Inbound.objects.order_by("pk").first()
    assert received is not None
    assert received.via == Inbound.Via.LMTP
    assert received.outcome == Inbound.Outcome.CREATED, received.reason
    assert received.transaction is not None
    assert received.transaction.title.startswith("Invitation: Site visit")


def test_imap_polling_against_dovecot(
    dovecot: Imap, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTICO_TEST_IMAP_PASSWORD", dovecot.password)
    Mailbox.objects.filter(pk=mailbox.pk).update(
        imap_host=dovecot.host,
        imap_port=dovecot.port,
        imap_security=Mailbox.Security.NONE,
        imap_username=dovecot.user,
        imap_password_variable="PORTICO_TEST_IMAP_PASSWORD",
    )
    issue = issue_for(EWAN)
    raw = message("outlook_reply.eml", **{"SI-REPLACE": issue.number}).replace(
        b'To: "Brightwater Support" <support@portico.example>',
        f"To: {addresses.reply_address(issue.number, mailbox)}".encode(),
    )
    with IMAPClient(dovecot.host, port=dovecot.port, ssl=False, timeout=10) as client:
        client.login(dovecot.user, dovecot.password)
        client.append("INBOX", raw)
    out = io.StringIO()
    call_command("mailin", "--imap", "--once", stdout=out)
    assert "Added as a note" in out.getvalue()
    note = Note.objects.get(transaction=issue)
    assert note.body.endswith("Regards,\nEwan")
    assert Inbound.objects.get(note=note).via == Inbound.Via.IMAP
    with IMAPClient(dovecot.host, port=dovecot.port, ssl=False, timeout=10) as client:
        client.login(dovecot.user, dovecot.password)
        client.select_folder("INBOX")
        assert client.search(["UNSEEN"]) == []
        assert len(client.search(["SEEN"])) == 1
    mailbox.refresh_from_db()
    assert mailbox.last_polled_at is not None
    assert mailbox.last_poll_error == ""
    # A second pass finds nothing new; a poll that cannot log in says why on the mailbox.
    monkeypatch.setenv("PORTICO_TEST_IMAP_PASSWORD", "wrong")
    call_command("mailin", "--imap", "--once", stdout=io.StringIO())
    mailbox.refresh_from_db()
    assert "LoginError" in mailbox.last_poll_error or "authentication" in (
        mailbox.last_poll_error.lower()
    )
    assert Note.objects.filter(transaction=issue).count() == 1


def test_the_command_prints_where_it_serves_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [BIN / "portico", "mailin", "--port", str(port)],
        env=portico_env(PORTICO_VAR_DIR=str(tmp_path)),
        stdout=subprocess.PIPE,
        stderr=(tmp_path / "stderr").open("w"),
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().decode().strip()
        assert line == f"Mail-in (SMTP) on 127.0.0.1:{port}"
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            assert sock.recv(100).startswith(b"220 ")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_imap_leaves_a_message_that_failed_unseen_and_gives_up_in_the_end(
    dovecot: Imap, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PORTICO_TEST_IMAP_PASSWORD", dovecot.password)
    Mailbox.objects.filter(pk=mailbox.pk).update(
        imap_host=dovecot.host,
        imap_port=dovecot.port,
        imap_security=Mailbox.Security.NONE,
        imap_username=dovecot.user,
        imap_password_variable="PORTICO_TEST_IMAP_PASSWORD",
    )
    mailbox.refresh_from_db()
    with IMAPClient(dovecot.host, port=dovecot.port, ssl=False, timeout=10) as client:
        client.login(dovecot.user, dovecot.password)
        client.append("INBOX", plain(sender=EWAN, subject="New fault"))

    def broken(**kwargs: object) -> None:
        raise RuntimeError("database gone")

    monkeypatch.setattr(actions, "create_transaction", broken)

    def unseen() -> int:
        with IMAPClient(dovecot.host, port=dovecot.port, ssl=False, timeout=10) as client:
            client.login(dovecot.user, dovecot.password)
            client.select_folder("INBOX", readonly=True)
            return len(client.search(["UNSEEN"]))

    for attempt in range(1, imap.GIVE_UP_AFTER + 1):
        [failed] = imap.poll(mailbox)
        assert inbound.failed(failed)
        # Left for the next poll, until it has failed GIVE_UP_AFTER times.
        assert unseen() == (0 if attempt == imap.GIVE_UP_AFTER else 1)
    assert imap.poll(mailbox) == []
