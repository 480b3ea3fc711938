"""Log-in (issue 8, item 7): wrong passwords fired at once from many addresses at one
account never get more than the limit evaluated, whichever worker takes them; the same
limit on the portal, the console, the Systems Admin and API tokens; known and unknown
addresses get the same answer in the same time; reset links are single-use and expire;
two-factor authentication (TOTP with recovery codes) can be required per user group
and is required for staff in production."""

from __future__ import annotations

import datetime
import http.client
import os
import re
import secrets
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from bench.server import BIN, ROOT, free_port, portico_env
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from portico.api.services import create_token
from portico.audit.models import Event
from portico.login import limits
from portico.parties.models import User, UserGroup
from tests.conftest import PASSWORD, Persona
from tests.postgres_cluster import scratch_database, wanted

ACCOUNT_LIMIT = 5  # settings.PORTICO_LOGIN_FAILED_LIMIT: 5/5m/key
ADDRESS_LIMIT = 20  # and 20/m/ip
WRONG = "The email address and/or password you specified are not correct."
THROTTLED = "Too many failed login attempts"


def _log_in(client: Client, email: str, password: str, next_url: str = "") -> str:
    """Post the log-in form; the answer as a word: in, wrong or throttled."""
    query = f"?next={next_url}" if next_url else ""
    response = client.post(f"/accounts/login/{query}", {"login": email, "password": password})
    if response.status_code == 302:
        return "in"
    body = response.content.decode()
    if THROTTLED in body:
        return "throttled"
    assert WRONG in body, body[:500]
    return "wrong"


# --- 50 at once, through real workers --------------------------------------------------


@dataclass
class Served:
    port: int
    email: str
    events: Callable[[], dict[str, int]]


SETUP = """
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("createcachetable", verbosity=0)
from allauth.account.models import EmailAddress
from portico.parties.models import Individual, Organization, User, UserGroup
group = UserGroup.objects.filter(portal="customer").first()
org = Organization.objects.create(name="Racing Ltd")
user = User.objects.create_user("{email}", "{password}")
EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
Individual.objects.create(user=user, organization=org, user_group=group, first_name="Rae",
                          last_name="Singh", email=user.email)
"""


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """Portico as deployed: gunicorn with two threaded WSGI workers on 127.0.0.1, on its own
    database (a SQLite file, or a database in the suite's PostgreSQL cluster). The
    server is killed by `timeout` after two minutes even if this test is."""
    env = portico_env(
        PORTICO_VAR_DIR=str(tmp_path / "var"),
        SECRET_KEY=secrets.token_urlsafe(40),
        DJANGO_SETTINGS_MODULE="portico.settings",
        PORTICO_LOG_LEVEL="ERROR",
        # Only so that pages render without collectstatic (12 s for the API docs' files);
        # the log-in path is the same with DEBUG off.
        PORTICO_DEBUG="1",
    )
    drop: Callable[[], None] | None = None
    if wanted():
        env["DATABASE_URL"], drop = scratch_database("portico_race")
    email = "rae.singh@racing.example"
    subprocess.run(
        [str(BIN / "portico"), "shell", "-c", SETUP.format(email=email, password=PASSWORD)],
        env=env, cwd=ROOT, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    port = free_port()
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        ["timeout", "120", str(BIN / "gunicorn"), "portico.wsgi:application",
         "--worker-class", "gthread", "--threads", "4", "--workers", "2",
         "--bind", f"127.0.0.1:{port}", "--timeout", "60", "--log-level", "error"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log,
    )  # fmt: skip

    def events() -> dict[str, int]:
        query = "SELECT action, COUNT(*) FROM audit_event GROUP BY action"
        if wanted():
            with psycopg.connect(env["DATABASE_URL"]) as connection:
                return {a: int(n) for a, n in connection.execute(query).fetchall()}
        with sqlite3.connect(tmp_path / "var" / "portico.sqlite3") as connection:
            return {a: int(n) for a, n in connection.execute(query).fetchall()}

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, "gunicorn exited"
            assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
            time.sleep(0.2)
        yield Served(port=port, email=email, events=events)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()
        if drop is not None:
            drop()


def test_fifty_wrong_passwords_at_once_get_at_most_the_limit_evaluated(served: Served) -> None:
    # One CSRF cookie and token serve every request (the token is tied to the cookie).
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
    connection.request("GET", "/accounts/login/")
    page = connection.getresponse()
    cookie = page.getheader("Set-Cookie") or ""
    assert page.status == 200
    csrf_cookie = re.search(r"csrftoken=([^;]+)", cookie)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())
    assert csrf_cookie is not None
    assert token is not None
    addresses = [f"198.51.100.{n}" for n in range(1, 6)]
    start = threading.Barrier(50)

    def attempt(i: int) -> tuple[int, str]:
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.group(1), "login": served.email, "password": f"x{i}"}
        )
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf_cookie.group(1)}",
            "Referer": f"http://127.0.0.1:{served.port}/accounts/login/",
            # Portico takes the client address from X-Forwarded-For sent by 127.0.0.1
            # (PORTICO_TRUSTED_PROXIES' default), as from a proxy in front of it.
            "X-Forwarded-For": addresses[i % len(addresses)],
        }
        client = http.client.HTTPConnection("127.0.0.1", served.port, timeout=60)
        start.wait(timeout=30)
        client.request("POST", "/accounts/login/", body, headers)
        response = client.getresponse()
        return response.status, response.read().decode()

    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(attempt, range(50)))

    assert {status for status, _ in answers} == {200}
    wrong = sum(WRONG in body for _, body in answers)
    throttled = sum(THROTTLED in body for _, body in answers)
    assert wrong + throttled == 50
    assert 1 <= wrong <= ACCOUNT_LIMIT
    # The audit trail tells evaluated passwords from refusals: at most the limit were
    # hashed and compared, across both workers, and every request is accounted for.
    events = served.events()
    assert events.get("session.login_failed", 0) == wrong
    assert events.get("session.login_throttled", 0) == throttled
    # Ten from each address: under the address limit, so the account limit is what held.
    assert 50 // len(addresses) < ADDRESS_LIMIT


# --- the same limit everywhere -----------------------------------------------------------


@pytest.mark.parametrize("next_url", ["/portal/", "/console/", "/admin/"])
def test_the_same_account_limit_on_portal_console_and_admin_log_in(
    personas: dict[str, Persona], next_url: str
) -> None:
    email = personas["administrator"].email
    answers = [
        _log_in(Client(REMOTE_ADDR=f"203.0.113.{i}"), email, "wrong", next_url) for i in range(7)
    ]
    assert answers == ["wrong"] * ACCOUNT_LIMIT + ["throttled"] * 2
    # The right password no longer helps, from any address, on any way in.
    for way_in in ("/portal/", "/console/", "/admin/"):
        assert _log_in(Client(REMOTE_ADDR="192.0.2.1"), email, PASSWORD, way_in) == "throttled"
    assert Event.objects.filter(action="session.login_failed").count() == ACCOUNT_LIMIT


def test_the_admins_own_log_in_form_checks_no_password(personas: dict[str, Persona]) -> None:
    response = Client().post(
        "/admin/login/?next=/admin/",
        {"username": personas["administrator"].email, "password": "wrong"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not Event.objects.filter(action__startswith="session.").exists()


def test_a_success_gives_its_place_back(personas: dict[str, Persona]) -> None:
    email = personas["customer"].email
    client = Client()
    for _ in range(ACCOUNT_LIMIT - 1):
        assert _log_in(client, email, "wrong") == "wrong"
    for _ in range(3):
        assert _log_in(Client(), email, PASSWORD) == "in"
    assert _log_in(client, email, "wrong") == "wrong"
    assert _log_in(client, email, PASSWORD) == "throttled"


def test_one_address_is_limited_whatever_the_accounts(demo_data: None) -> None:
    client = Client(REMOTE_ADDR="203.0.113.50")
    answers = [_log_in(client, f"nobody{i}@nowhere.example", "x") for i in range(ADDRESS_LIMIT + 2)]
    assert answers == ["wrong"] * ADDRESS_LIMIT + ["throttled"] * 2


def test_a_password_reset_lifts_the_account_limit(personas: dict[str, Persona]) -> None:
    email = personas["colleague"].email
    for _ in range(ACCOUNT_LIMIT):
        _log_in(Client(), email, "wrong")
    assert _log_in(Client(), email, PASSWORD) == "throttled"
    link = _reset_link(Client(), email)
    client = Client()
    form = client.get(link, follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"password1": "a-new-long-passphrase", "password2": "a-new-long-passphrase"},
    )
    assert _log_in(Client(), email, "a-new-long-passphrase") == "in"


def test_the_same_limit_on_api_tokens(personas: dict[str, Persona]) -> None:
    user = personas["customer"].individual.user
    assert user is not None
    made = create_token(
        actor=user, name="script", expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    prefix = made.secret[: len("portico_") + 8]

    def call(secret: str, address: str) -> int:
        client = Client(REMOTE_ADDR=address)
        return client.get(
            "/api/v1/transactions/", HTTP_AUTHORIZATION=f"Bearer {secret}"
        ).status_code

    # Wrong tokens aimed at this token's prefix, from many addresses: the account limit.
    statuses = [call(prefix + secrets.token_urlsafe(32), f"203.0.113.{i}") for i in range(7)]
    assert statuses == [401] * ACCOUNT_LIMIT + [429] * 2
    # A right token cannot be guessed, so it is never refused by the limit.
    assert call(made.secret, "203.0.113.99") == 200
    # Wrong tokens from one address, whatever their prefix: the address limit.
    statuses = [
        call("portico_" + secrets.token_urlsafe(32), "198.51.100.77")
        for _ in range(ADDRESS_LIMIT + 2)
    ]
    assert statuses == [401] * ADDRESS_LIMIT + [429] * 2


def test_the_counter_is_one_atomic_statement(db: None) -> None:
    limit = limits.Limit(attempts=3, seconds=60)
    numbers = [limits.reserve(scope="key", identifier="a@b.example", limit=limit) for _ in range(4)]
    assert numbers == [1, 2, 3, 4]
    expired = limits.Limit(attempts=3, seconds=-1)
    assert limits.reserve(scope="key", identifier="c@d.example", limit=expired) == 1
    # A window that has passed starts again at 1.
    assert limits.reserve(scope="key", identifier="c@d.example", limit=expired) == 1
    assert limits.parse_limits("20/m/ip, 5/5m/key") == {
        "ip": limits.Limit(20, 60),
        "key": limits.Limit(5, 300),
    }
    with pytest.raises(ValueError, match="Not a log-in limit"):
        limits.parse_limits("5 per minute")


# --- no answer tells whether an address has an account -----------------------------------


class TimingHasher(PBKDF2PasswordHasher):
    """A real key-stretching hasher, slow enough (a few ms) to show in timings."""

    iterations = 30_000


def _shape(html: str) -> str:
    """The page less what legitimately differs: CSRF tokens and the address typed."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'"X-CSRFToken": "[^"]+"', "", html)
    html = re.sub(r'value="[^"]*@[^"]*"', 'value=""', html)
    return re.sub(r"csp-nonce|nonce=\"[^\"]+\"", "", html)


@override_settings(
    PASSWORD_HASHERS=["tests.security.test_login.TimingHasher"],
    PORTICO_LOGIN_FAILED_LIMIT="1000/m/ip,1000/5m/key",
)
def test_known_and_unknown_addresses_get_the_same_log_in_answer_and_time(
    personas: dict[str, Persona],
) -> None:
    known = [p.email for p in personas.values()]
    for user in User.objects.filter(email__in=known):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    timings: dict[str, list[float]] = {"known": [], "unknown": []}
    pages: dict[str, set[str]] = {"known": set(), "unknown": set()}
    for i in range(9):
        for kind, email in (("known", known[i]), ("unknown", f"ghost{i}@nowhere.example")):
            client = Client()
            began = time.perf_counter()
            response = client.post("/accounts/login/", {"login": email, "password": "wrong"})
            timings[kind].append(time.perf_counter() - began)
            assert response.status_code == 200
            pages[kind].add(_shape(response.content.decode()))
    assert pages["known"] == pages["unknown"]
    assert len(pages["known"]) == 1
    known_median = statistics.median(timings["known"])
    unknown_median = statistics.median(timings["unknown"])
    # The hasher dominates both (a few ms each); a loose factor survives a busy machine.
    assert unknown_median < 3 * known_median
    assert known_median < 3 * unknown_median


def _reset_link(client: Client, email: str) -> str:
    mail.outbox.clear()
    client.post("/accounts/password/reset/", {"email": email})
    assert len(mail.outbox) == 1
    found = re.search(
        r"http://testserver(/accounts/password/reset/key/\S+)", str(mail.outbox[0].body)
    )
    assert found is not None
    return found.group(1)


def test_known_and_unknown_addresses_get_the_same_reset_answer_and_time(
    personas: dict[str, Persona],
) -> None:
    known = [p.email for p in personas.values()]
    timings: dict[str, list[float]] = {"known": [], "unknown": []}
    answers: dict[str, set[tuple[int, str]]] = {"known": set(), "unknown": set()}
    for i in range(9):
        for kind, email in (("known", known[i]), ("unknown", f"ghost{i}@nowhere.example")):
            client = Client(REMOTE_ADDR=f"198.51.100.{i * 2 + (kind == 'known')}")
            began = time.perf_counter()
            response = client.post("/accounts/password/reset/", {"email": email})
            timings[kind].append(time.perf_counter() - began)
            answers[kind].add((response.status_code, response["Location"]))
    assert answers["known"] == answers["unknown"] == {(302, "/accounts/password/reset/done/")}
    # Both send one e-mail (the unknown address is told it has no account), so both
    # take the same path through the mailer.
    assert len(mail.outbox) == 18
    known_median = statistics.median(timings["known"])
    unknown_median = statistics.median(timings["unknown"])
    assert unknown_median < 4 * known_median
    assert known_median < 4 * unknown_median


def test_reset_links_are_single_use(personas: dict[str, Persona]) -> None:
    email = personas["partner"].email
    link = _reset_link(Client(), email)
    client = Client()
    form = client.get(link, follow=True)
    done = client.post(
        form.redirect_chain[-1][0],
        {"password1": "another-long-passphrase", "password2": "another-long-passphrase"},
    )
    assert done.status_code == 302
    for again in (client, Client()):
        page = again.get(link, follow=True)
        assert "Bad Token" in page.content.decode()


def test_reset_links_expire(personas: dict[str, Persona], monkeypatch: pytest.MonkeyPatch) -> None:
    from django.conf import settings

    email = personas["employee"].email
    link = _reset_link(Client(), email)
    assert settings.PASSWORD_RESET_TIMEOUT == 60 * 60
    # Django's token clock is naive local time.
    now = datetime.datetime.now()  # noqa: DTZ005
    later = now + datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 5)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: later)
    client = Client()
    page = client.get(link, follow=True)
    assert "Bad Token" in page.content.decode()
    response = client.post(
        page.redirect_chain[-1][0] if page.redirect_chain else link,
        {"password1": "expired-long-passphrase", "password2": "expired-long-passphrase"},
    )
    assert response.status_code == 200
    monkeypatch.undo()
    assert _log_in(Client(), email, "expired-long-passphrase") == "wrong"


# --- two-factor authentication ----------------------------------------------------------


def _code(secret: str, *, step: int = 0) -> str:
    """The authenticator app's code now (RFC 6238, with allauth's own HOTP)."""
    return str(format_hotp_value(hotp_value(secret, int(time.time()) // 30 + step)))


def test_a_group_can_require_mfa_and_members_are_sent_to_set_it_up(
    personas: dict[str, Persona],
) -> None:
    individual = personas["customer"].individual
    UserGroup.objects.filter(pk=individual.user_group_id).update(mfa_required=True)
    client = Client()
    assert _log_in(client, personas["customer"].email, PASSWORD) == "in"
    for path in ("/portal/", "/portal/transactions/", "/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == "/accounts/2fa/totp/activate/"
    assert client.get("/api/v1/transactions/").status_code == 403
    # Set it up as a person does: read the secret the page shows, type the app's code.
    page = client.get("/accounts/2fa/totp/activate/")
    # Setting up a second factor asks for the password again first (allauth's rule).
    assert page["Location"].startswith("/accounts/reauthenticate/")
    again = client.post(page["Location"], {"password": PASSWORD})
    assert again["Location"] == "/accounts/2fa/totp/activate/"
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    assert secret in page.content.decode()
    wrong = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert not Authenticator.objects.filter(user=individual.user).exists()
    done = client.post("/accounts/2fa/totp/activate/", {"code": _code(secret)})
    assert done.status_code == 302
    types = set(Authenticator.objects.filter(user=individual.user).values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    assert client.get("/portal/").status_code == 200
    # Required means it cannot be switched off again.
    client.post("/accounts/2fa/totp/deactivate/")
    assert Authenticator.objects.filter(user=individual.user, type="totp").exists()
    # A colleague in another group is not asked.
    other = Client()
    assert _log_in(other, personas["partner"].email, PASSWORD) == "in"
    assert other.get("/partners/").status_code == 200


def test_log_in_with_a_totp_code_and_with_a_recovery_code_once(
    personas: dict[str, Persona],
) -> None:
    user = personas["technician"].individual.user
    assert user is not None
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    TOTP.activate(user, secret)
    codes = RecoveryCodes.activate(user).get_unused_codes()

    def password_step() -> Client:
        client = Client()
        response = client.post(
            "/accounts/login/", {"login": personas["technician"].email, "password": PASSWORD}
        )
        assert response["Location"] == "/accounts/2fa/authenticate/"
        # Half logged in is not logged in.
        assert client.get("/console/").status_code == 302
        assert client.get("/console/")["Location"].startswith("/accounts/login/")
        return client

    client = password_step()
    refused = client.post("/accounts/2fa/authenticate/", {"code": format_hotp_value(
        (hotp_value(secret, int(time.time()) // 30) + 1) % 1_000_000)})  # fmt: skip
    assert refused.status_code == 200
    assert "Incorrect code" in refused.content.decode()
    passed = client.post("/accounts/2fa/authenticate/", {"code": _code(secret)})
    assert passed.status_code == 302
    assert client.get("/console/").status_code == 200

    client = password_step()
    assert client.post("/accounts/2fa/authenticate/", {"code": codes[0]}).status_code == 302
    assert client.get("/console/").status_code == 200
    client = password_step()
    again = client.post("/accounts/2fa/authenticate/", {"code": codes[0]})
    assert again.status_code == 200
    assert client.get("/console/").status_code == 302


def test_staff_must_use_mfa_in_production(personas: dict[str, Persona], tmp_path: Path) -> None:
    show = "import portico.settings as s; print(s.PORTICO_MFA_REQUIRED_FOR_STAFF)"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}

    def required(**extra: str) -> str:
        return subprocess.run(
            [sys.executable, "-c", show], env={**env, "PORTICO_VAR_DIR": str(tmp_path), **extra},
            check=True, capture_output=True, text=True, timeout=60,
        ).stdout.strip()  # fmt: skip

    assert required(PORTICO_PRODUCTION="1") == "True"
    assert required(PORTICO_PRODUCTION="0") == "False"
    with override_settings(PORTICO_MFA_REQUIRED_FOR_STAFF=True):
        staff = Client()
        assert _log_in(staff, personas["csr"].email, PASSWORD) == "in"
        assert staff.get("/console/")["Location"] == "/accounts/2fa/totp/activate/"
        customer = Client()
        assert _log_in(customer, personas["customer"].email, PASSWORD) == "in"
        assert customer.get("/portal/").status_code == 200
