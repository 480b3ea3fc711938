"""Sessions and headers (issue 8, item 8): the session id is rotated at log-in; cookies
are `__Host-`, Secure, HttpOnly and SameSite in production; staff sessions end when
idle; log-out and deactivation delete the session on the server; `check --deploy`
passes with production settings; every route carries CSP (with frame-ancestors), HSTS,
nosniff and Referrer-Policy; no off-site `next=` is ever followed."""

from __future__ import annotations

import datetime
import json
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from bench.server import BIN, ROOT, portico_env
from django.conf import settings
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone

from portico.api.services import create_token
from portico.login.middleware import LAST_SEEN
from portico.login.models import LoginSession
from portico.login.sessions import SessionStore
from portico.parties.services import deactivate_individual
from tests.conftest import PASSWORD, PERSONAS, Persona

# What `PORTICO_PRODUCTION=1` sets, read from a fresh interpreter as a server would.
PRODUCTION_SETTINGS = (
    "SESSION_COOKIE_NAME", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE", "SESSION_COOKIE_DOMAIN", "SESSION_COOKIE_PATH",
    "CSRF_COOKIE_NAME", "CSRF_COOKIE_SECURE", "CSRF_COOKIE_SAMESITE", "CSRF_COOKIE_DOMAIN",
    "CSRF_COOKIE_PATH", "SECURE_PROXY_SSL_HEADER", "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY", "X_FRAME_OPTIONS", "SECURE_CSP",
    "PORTICO_MFA_REQUIRED_FOR_STAFF",
)  # fmt: skip


def _production_env(var_dir: Path) -> dict[str, str]:
    return portico_env(
        PORTICO_VAR_DIR=str(var_dir),
        PORTICO_PRODUCTION="1",
        DJANGO_SETTINGS_MODULE="portico.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="portico.example",
        EMAIL_HOST="smtp.portico.example",
    )


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    show = (
        "import json, portico.settings as s; "
        f"print(json.dumps({{k: getattr(s, k) for k in {PRODUCTION_SETTINGS!r} if hasattr(s, k)}}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", show], env=_production_env(tmp_path_factory.mktemp("var")),
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout  # fmt: skip
    # Only what portico.settings sets; the rest are Django's defaults, as in production.
    values: dict[str, Any] = json.loads(out)
    assert values["SESSION_COOKIE_SECURE"] is True
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


def _https_client(**extra: str) -> Client:
    # As behind the production proxy, which says the request came over HTTPS.
    return Client(HTTP_X_FORWARDED_PROTO="https", **extra)  # type: ignore[arg-type]


# --- sessions ----------------------------------------------------------------------------


def test_the_session_id_is_rotated_at_log_in(personas: dict[str, Persona]) -> None:
    before = SessionStore()
    before["planted"] = "by someone else"
    before.create()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = before.session_key or ""
    response = client.post(
        "/accounts/login/", {"login": personas["customer"].email, "password": PASSWORD}
    )
    assert response.status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before.session_key
    # The planted id is gone from the server: it cannot be used to ride the log-in.
    assert not LoginSession.objects.filter(session_key=before.session_key).exists()
    assert LoginSession.objects.get(session_key=after).user_id == (
        personas["customer"].individual.user_id
    )


def test_production_cookies_are_host_prefixed_secure_httponly_and_samesite(
    personas: dict[str, Persona], production: dict[str, Any]
) -> None:
    with override_settings(**production):
        client = _https_client()
        page = client.get("/accounts/login/")
        assert page.status_code == 200
        response = client.post(
            "/accounts/login/", {"login": personas["customer"].email, "password": PASSWORD}
        )
        assert response.status_code == 302
    cookies: SimpleCookie = SimpleCookie()
    for header in (page, response):
        for morsel in header.cookies.values():
            cookies[morsel.key] = morsel
    assert set(cookies) >= {"__Host-sessionid", "__Host-csrftoken"}
    for name in ("__Host-sessionid", "__Host-csrftoken"):
        morsel = cookies[name]
        assert morsel["secure"] is True, name
        assert morsel["path"] == "/", name  # __Host- requires Path=/ ...
        assert not morsel["domain"], name  # ... and no Domain
        assert morsel["samesite"] in {"Lax", "Strict"}, name
    assert cookies["__Host-sessionid"]["httponly"] is True


@pytest.mark.parametrize("key", ["csr", "administrator"])
def test_staff_sessions_end_when_idle(client_for: Callable[[str], Client], key: str) -> None:
    client = client_for(key)
    home = PERSONAS[key].expected_home
    assert client.get(home).status_code == 200
    idle = settings.PORTICO_STAFF_IDLE_MINUTES * 60

    def last_seen(seconds_ago: int) -> str:
        session = client.session
        session[LAST_SEEN] = int(time.time()) - seconds_ago
        session.save()
        return str(session.session_key)

    last_seen(idle - 30)
    assert client.get(home).status_code == 200  # still within the limit
    key_before = last_seen(idle + 1)
    response = client.get(home)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not LoginSession.objects.filter(session_key=key_before).exists()
    assert client.get(home).status_code == 302


def test_customer_sessions_have_no_idle_timeout(client_for: Callable[[str], Client]) -> None:
    client = client_for("customer")
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 24 * 3600
    session.save()
    assert client.get("/portal/").status_code == 200


def test_log_out_deletes_the_session_on_the_server(client_for: Callable[[str], Client]) -> None:
    client = client_for("technician")
    key = client.session.session_key
    assert LoginSession.objects.filter(session_key=key).exists()
    client.post("/accounts/logout/")
    assert not LoginSession.objects.filter(session_key=key).exists()
    # A copy of the old cookie is worth nothing.
    stolen = Client()
    stolen.cookies[settings.SESSION_COOKIE_NAME] = key or ""
    assert stolen.get("/console/").status_code == 302


def test_deactivation_ends_every_session_and_token(
    client_for: Callable[[str], Client], personas: dict[str, Persona]
) -> None:
    individual = personas["colleague"].individual
    assert individual.user is not None
    browsers = [client_for("colleague"), client_for("colleague")]
    token = create_token(
        actor=individual.user, name="sync", expires_at=timezone.now() + datetime.timedelta(days=1)
    ).secret
    assert LoginSession.objects.filter(user=individual.user).count() == 2
    admin = personas["administrator"].individual.user
    deactivate_individual(individual=individual, actor=admin)
    assert not LoginSession.objects.filter(user=individual.user).exists()
    for browser in browsers:
        assert browser.get("/portal/").status_code == 302
    api = Client().get("/api/v1/transactions/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 401


# --- deployment check --------------------------------------------------------------------


def test_check_deploy_passes_with_production_settings(tmp_path: Path) -> None:
    done = subprocess.run(
        [str(BIN / "portico"), "check", "--deploy", "--fail-level", "WARNING"],
        env=_production_env(tmp_path), cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


# --- headers on every route --------------------------------------------------------------

SAMPLES = {"int": "1", "slug": "sample", "str": "sample", "path": "sample/file", "uuid": ""}
_ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>[^()]*(?:\([^()]*\)[^()]*)*)\)")


def _sample_route(route: str) -> str:
    def fill(match: re.Match[str]) -> str:
        converter = match.group("converter") or "str"
        return SAMPLES.get(converter) or "00000000-0000-0000-0000-000000000001"

    return _ROUTE_PARAM.sub(fill, route)


def _sample_regex(regex: str) -> str:
    def fill(match: re.Match[str]) -> str:
        body = match.group("body")
        if re.fullmatch(r"[\w|-]+", body):  # a choice of words: take the first
            return body.split("|")[0]
        return "1"

    text = _REGEX_GROUP.sub(fill, regex)
    text = re.sub(r"\(\?:[^)]*\)\??", "", text)  # optional non-capturing parts
    return text.lstrip("^").rstrip("$").replace("\\", "").replace("\\Z", "")


def _walk(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    for entry in patterns:
        pattern = entry.pattern
        text = str(pattern)
        piece = _sample_regex(text) if hasattr(pattern, "regex") and "(?P<" in text else text
        piece = _sample_route(piece).lstrip("^").rstrip("$").replace("\\Z", "")
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + piece)
        else:
            yield "/" + prefix + piece


def route_samples() -> list[str]:
    paths: list[str] = []
    for path in _walk(get_resolver().url_patterns):
        if path not in paths:
            paths.append(path)
    return paths


def test_the_walk_reaches_every_route(db: None) -> None:
    paths = route_samples()
    unresolved = []
    for path in paths:
        try:
            resolve(path)
        except Resolver404:
            unresolved.append(path)
    assert not unresolved
    assert len(paths) > 100
    assert {"/console/", "/api/v1/transactions/", "/admin/", "/accounts/login/"} <= set(paths)


# The one page made to be framed: a mail template's preview, shown in a frame on its
# admin page. It may be framed by our own pages only, runs nothing and loads nothing
# (a sandbox with no permissions, default-src 'none').
FRAMED = re.compile(r"^/admin/mail/template/[^/]+/preview/$")
FRAMED_POLICY = ("default-src 'none'", "frame-ancestors 'self'", "sandbox")


def _header_problems(path: str, response: Any, *, hsts: bool) -> list[str]:
    problems = []
    csp = response.get("Content-Security-Policy", "")
    if FRAMED.match(path) and all(part in csp for part in FRAMED_POLICY):
        pass
    elif "frame-ancestors 'none'" not in csp:
        problems.append(f"{path}: CSP {csp!r}")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"{path}: no nosniff")
    if response.get("Referrer-Policy") != "same-origin":
        problems.append(f"{path}: Referrer-Policy {response.get('Referrer-Policy')!r}")
    if hsts and "max-age=31536000" not in response.get("Strict-Transport-Security", ""):
        problems.append(f"{path}: HSTS {response.get('Strict-Transport-Security')!r}")
    return problems


def test_every_route_carries_the_security_headers(
    client_for: Callable[[str], Client], production: dict[str, Any]
) -> None:
    paths = route_samples()
    problems: list[str] = []
    statuses: dict[int, int] = {}
    with override_settings(**{**production, "PORTICO_MFA_REQUIRED_FOR_STAFF": False}):
        visitor = _https_client()
        administrator = _https_client()
        user = PERSONAS["administrator"].individual.user
        assert user is not None
        administrator.force_login(user)
        for path in paths:
            for client in (visitor, administrator):
                response = client.get(path)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                problems += _header_problems(path, response, hsts=True)
    assert not problems, "\n".join(problems[:40])
    # The walk reached real pages, not only redirects to log in.
    assert statuses.get(200, 0) > 40, statuses


# --- no off-site redirect -------------------------------------------------------------------

EVIL = [
    "https://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "https:evil.example",
    "http://evil.example@testserver/",
    "\thttps://evil.example",
]


def _is_local(location: str) -> bool:
    if not location:
        return True
    parts = urlsplit(location)
    return (
        not parts.scheme
        and not parts.netloc
        and location.startswith("/")
        and not location.startswith(("//", "/\\"))
        and "evil" not in location.split("?")[0]
    )


@pytest.mark.parametrize("target", EVIL)
def test_no_off_site_next_is_followed(
    personas: dict[str, Persona], client_for: Callable[[str], Client], target: str
) -> None:
    email = personas["customer"].email
    answers: dict[str, str] = {}
    # Log in with a next= pointing away.
    client = Client()
    answers["log-in"] = client.post(
        "/accounts/login/", {"login": email, "password": PASSWORD, "next": target}
    ).get("Location", "")
    # Already logged in, the log-in page sends one on to next=.
    answers["logged-in log-in page"] = client.get("/accounts/login/", {"next": target}).get(
        "Location", ""
    )
    answers["log-out"] = client.post("/accounts/logout/", {"next": target}).get("Location", "")
    # The admin's log-in hands next= to the log-in page, which must not follow it.
    admin = Client().get("/admin/login/", {"next": target})
    answers["admin log-in"] = admin.get("Location", "")
    answers["admin log-in, then log-in"] = (
        Client()
        .post(
            admin.get("Location", "/accounts/login/"),
            {"login": personas["administrator"].email, "password": PASSWORD},
        )
        .get("Location", "")
    )
    staff = client_for("csr")
    answers["password change"] = staff.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "a-new-long-passphrase",
            "password2": "a-new-long-passphrase",
            "next": target,
        },
    ).get("Location", "")
    followed = {
        name: location
        for name, location in answers.items()
        if not _is_local(location) and not location.startswith("/accounts/login/?next=")
    }
    assert not followed
    # Where next= is carried along (to the log-in page) it is carried, not followed.
    assert urlsplit(answers["admin log-in"]).path == "/accounts/login/"


def test_a_local_next_is_followed(personas: dict[str, Persona]) -> None:
    # The control for the test above: next= is honoured when it stays on the site.
    client = Client()
    response = client.post(
        "/accounts/login/",
        {"login": personas["customer"].email, "password": PASSWORD, "next": "/portal/profile/"},
    )
    assert response["Location"] == "/portal/profile/"
    response = client.post("/accounts/logout/", {"next": "/accounts/password/reset/"})
    assert response["Location"] == "/accounts/password/reset/"
