"""The production stack on 127.0.0.1: Debian's nginx (TLS with a throwaway certificate,
HTTP/2) in front of two app servers and two workers started with the commands of
deploy/'s systemd units, against PostgreSQL and Redis, mailing an SMTP sink and
delivering webhooks to a receiver. A customer's day is walked through nginx; then one
app server and one worker are killed mid-burst, and nothing that was acknowledged is
lost: the other app server takes the requests, the other worker sends the mail and
the webhooks."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import http.server
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from email import message_from_bytes
from pathlib import Path
from typing import Any

import psycopg
import pytest
from aiosmtpd.controller import Controller
from bench.server import BIN, free_port, portico_env

from tests.deploy.rendering import (
    DEPLOY,
    NGINX,
    Place,
    Site,
    exec_start,
    render_nginx,
    render_units,
    throwaway_certificate,
    unit_environment,
)
from tests.deploy.test_units import read_env_file
from tests.postgres_cluster import Cluster, sqlite_pass_only
from tests.redis_server import RedisServer

pytestmark = [
    sqlite_pass_only("it brings its own PostgreSQL, Redis and nginx"),
    pytest.mark.slow,
]

BURST = 100
THREADS = 4
NEW = {
    "application": "service-issue",
    "profile": {"issue-type": "fault", "product": "clearflow-dosing-pump"},
}
SAFE_HEADERS = {
    "x-content-type-options": "nosniff",
    "content-security-policy": "default-src 'none'; sandbox",
    "cache-control": "private, no-store",
}


# --- the outside world: an SMTP sink and a webhook receiver ------------------------------


class Sink:
    """Collects every message handed to it over SMTP."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append(bytes(envelope.content))
        return "250 OK"

    def subjects(self) -> list[str]:
        with self.lock:
            return [str(message_from_bytes(m)["Subject"]) for m in self.messages]


@dataclass
class Hooks:
    secret: str = ""
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def created_numbers(self) -> set[str]:
        """Numbers of the transactions whose creation arrived signed with the secret."""
        numbers = set()
        with self.lock:
            received = list(self.received)
        for headers, body in received:
            expected = hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(
                headers.get("x-portico-signature", ""), f"sha256={expected}"
            ):
                continue
            payload = json.loads(body)
            if payload["event"] == "transaction.created":
                numbers.add(str(payload["data"]["number"]))
        return numbers


def _receiver(hooks: Hooks) -> http.server.ThreadingHTTPServer:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with hooks.lock:
                hooks.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --- the stack -------------------------------------------------------------------------------


@dataclass
class Stack:
    place: Place
    env: dict[str, str]
    database: str
    https: int
    http: int
    context: ssl.SSLContext
    sink: Sink
    hooks: Hooks
    hook_url: str
    app_ports: tuple[int, ...]
    apps: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)
    workers: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def portico(self, *args: str) -> str:
        done = subprocess.run(
            [str(BIN / "portico"), *args], env=self.env, cwd=self.place.var,
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def token_for(self, email_start: str) -> str:
        made = self.portico(
            "shell", "-c",
            "import datetime; from django.utils import timezone;"
            " from portico.api.services import create_token;"
            " from portico.parties.models import Individual;"
            f" user = Individual.objects.get(email__startswith={email_start!r}).user;"
            " print(create_token(actor=user, name='stack test',"
            " expires_at=timezone.now() + datetime.timedelta(days=1)).secret)",
        )  # fmt: skip
        return made.strip().splitlines()[-1]

    def email_of(self, email_start: str) -> str:
        with psycopg.connect(self.database) as db:
            row = db.execute(
                "SELECT email FROM parties_individual WHERE email LIKE %s", (email_start + "%",)
            ).fetchone()
        assert row is not None
        return str(row[0])

    def api(
        self, method: str, path: str, token: str, body: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, Any]]:
        connection = http.client.HTTPSConnection(
            "127.0.0.1", self.https, context=self.context, timeout=30
        )
        try:
            connection.request(
                method, path, json.dumps(body) if body is not None else None,
                {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )  # fmt: skip
            response = connection.getresponse()
            payload = response.read()
            return response.status, json.loads(payload) if payload.startswith(b"{") else {}
        except (OSError, http.client.HTTPException):
            return 0, {}
        finally:
            connection.close()


def _run_as_nobody() -> dict[str, Any]:
    nobody = pwd.getpwnam("nobody")
    if os.geteuid() != 0:
        return {"process_group": 0}
    return {
        "user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": [], "process_group": 0,
    }  # fmt: skip


def _wait_for(url_port: int, path: str = "/healthz", timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", url_port, timeout=2)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
        finally:
            connection.close()
    raise RuntimeError(f"nothing answered on 127.0.0.1:{url_port}{path}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture
def stack() -> Iterator[Stack]:
    # Not pytest's tmp_path: nginx runs as nobody and must walk down to the files.
    base = Path(tempfile.mkdtemp(prefix="portico-stack-"))
    base.chmod(0o755)
    place = Place(base)
    place.etc.mkdir()
    place.var.mkdir()
    shutil.copy(DEPLOY / "portico.env.example", place.env_file)
    started: list[subprocess.Popen[bytes]] = []
    cluster = Cluster(durable=True)
    redis = RedisServer()
    sink = Sink()
    smtp = Controller(sink, hostname="127.0.0.1", port=free_port())
    hooks = Hooks()
    receiver = _receiver(hooks)
    try:
        cluster.start()
        cluster.create_database()
        redis.start()
        smtp.start()
        https, http_port = free_port(), free_port()
        app_ports = (free_port(), free_port())
        # The operator's file, as shipped, with this machine's addresses and secrets.
        env = read_env_file(place.env_file)
        env.update(
            SECRET_KEY=secrets.token_urlsafe(50),
            DATABASE_URL=cluster.url,
            REDIS_URL=redis.url,
            PORTICO_VAR_DIR=str(place.var),
            CSRF_TRUSTED_ORIGINS=f"https://127.0.0.1:{https}",
            PORTICO_SITE_URL=f"https://127.0.0.1:{https}",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp.port),
            PORTICO_WEBHOOK_ALLOWED_HOSTS="127.0.0.1",
            # Two cores shared with everything else: two processes of four threads each.
            PORTICO_WEB_WORKERS="2",
            PORTICO_API_RATE="100000/minute",
            PORTICO_LOG_LEVEL="WARNING",
            # What the killed worker had claimed is taken up after this, not 5 minutes.
            PORTICO_OUTBOX_LEASE_SECONDS="15",
            PORTICO_WEBHOOK_LEASE_SECONDS="15",
        )
        env = portico_env(**env)
        env.pop("DJANGO_SETTINGS_MODULE", None)
        cert, key = throwaway_certificate(place.etc / "tls")
        context = ssl.create_default_context(cafile=str(cert))
        stack = Stack(
            place, env, cluster.url, https, http_port, context, sink, hooks,
            f"http://127.0.0.1:{receiver.server_address[1]}/portico", app_ports,
        )  # fmt: skip
        # The install's steps (docs/operations.md): migrate, collect static files; and
        # the demo data, to have people to log in as.
        prepared = time.monotonic()
        stack.portico("prepare", "--demo")
        print(f"prepare --demo: {time.monotonic() - prepared:.0f} s")
        units = render_units(place)
        logs = place.base / "logs"
        logs.mkdir()
        for port in app_ports:
            unit = units["portico-web@.service"]
            command = exec_start(unit, str(port))
            # What systemd adds: the unit's Environment= (under the file's) and its
            # RuntimeDirectory= (the metrics' tmpfs).
            own = unit_environment(unit, str(port))
            for value in own.values():
                if value.startswith(str(place.run)):
                    Path(value).mkdir(parents=True)
            stack.apps[port] = _start(command, own | env, place, logs / f"web-{port}.log")
            started.append(stack.apps[port])
        for number in ("1", "2"):
            command = exec_start(units["portico-worker@.service"], number)
            stack.workers[number] = _start(command, env, place, logs / f"worker-{number}.log")
            started.append(stack.workers[number])
        for port in app_ports:
            _wait_for(port)
        # nginx, unprivileged: it needs to read the files and write its own directory.
        nobody = pwd.getpwnam("nobody")
        conf = render_nginx(place, Site(https, http_port, app_ports, cert, key))
        for owned in [conf.parent, *conf.parent.iterdir(), key]:
            os.chown(owned, nobody.pw_uid, nobody.pw_gid)
        with (conf.parent / "stderr.log").open("ab") as log:
            nginx = subprocess.Popen(
                [NGINX, "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, **_run_as_nobody(),
            )  # fmt: skip
        started.append(nginx)
        _wait_https(stack)
        yield stack
    finally:
        for process in reversed(started):
            _stop(process)
        receiver.shutdown()
        smtp.stop()
        redis.stop()
        cluster.stop()
        if os.environ.get("PORTICO_STACK_KEEP"):
            print(f"stack files kept in {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)


def _start(
    command: list[str], env: dict[str, str], place: Place, log: Path
) -> subprocess.Popen[bytes]:
    # As root, not as the units' portico user: this machine's Python lives under /root,
    # which no other user may read. Each in its own process group, as systemd's cgroup.
    with log.open("ab") as out:
        return subprocess.Popen(
            command, env=env, cwd=place.var, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, process_group=0,
        )  # fmt: skip


def _wait_https(stack: Stack) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if Browser(stack).get("/healthz").status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("nginx did not answer over HTTPS")


# --- a browser over HTTPS --------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")


class Browser:
    """Enough of a browser for Portico's forms: cookies, the CSRF token, redirects."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.cookies: dict[str, str] = {}
        self.origin = f"https://127.0.0.1:{stack.https}"

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        connection = http.client.HTTPSConnection(
            "127.0.0.1", self.stack.https, context=self.stack.context, timeout=30
        )
        sent = {"Referer": self.origin + path, **(headers or {})}
        if method == "POST":
            sent["Origin"] = self.origin
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body, sent)
            response = connection.getresponse()
            answer = Answer(response.status, response.headers, response.read())
        finally:
            connection.close()
        for cookie in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return answer

    def get(self, path: str) -> Answer:
        answer = self.request("GET", path)
        for _ in range(5):
            if answer.status not in (301, 302, 303):
                break
            answer = self.request("GET", _local(answer.headers["Location"]))
        return answer

    def csrf(self, path: str) -> str:
        page = self.get(path)
        assert page.status == 200, (path, page.status)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def post(
        self, path: str, fields: dict[str, str], files: dict[str, tuple[str, bytes]]
    ) -> Answer:
        boundary = secrets.token_hex(16)
        parts = []
        for name, value in fields.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        for name, (filename, content) in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request(
            "POST", path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )

    def log_in(self, email: str) -> None:
        token = self.csrf("/accounts/login/")
        answer = self.post(
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "login": email, "password": "portico-demo"},
            {},
        )
        assert answer.status == 302, answer.text[:500]


def _local(location: str) -> str:
    parts = urllib.parse.urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# --- the test ---------------------------------------------------------------------------------


def test_the_production_stack_serves_and_survives_losing_a_server_and_a_worker(
    stack: Stack,
) -> None:
    started = time.monotonic()
    admin_token = stack.token_for("graham.stewart")
    customer_token = stack.token_for("ewan.grant")

    # A webhook subscribed by Systems Admin, through the API.
    status, subscription = stack.api(
        "POST", "/api/v1/webhooks/", admin_token,
        {"url": stack.hook_url, "events": ["transaction.created"]},
    )  # fmt: skip
    assert status == 201, subscription
    stack.hooks.secret = str(subscription["secret"])

    # Plain HTTP only points at HTTPS; HTTPS speaks HTTP/2.
    redirect = http.client.HTTPConnection("127.0.0.1", stack.http, timeout=10)
    redirect.request("GET", "/portal/")
    answer = redirect.getresponse()
    assert answer.status == 301
    assert answer.headers["Location"].startswith("https://127.0.0.1")
    redirect.close()
    # A name other than the site's is refused by nginx before it reaches Portico.
    stranger = http.client.HTTPSConnection(
        "127.0.0.1", stack.https, context=stack.context, timeout=10
    )
    stranger.request("GET", "/accounts/login/", headers={"Host": "evil.example"})
    with pytest.raises(http.client.RemoteDisconnected):
        stranger.getresponse()
    stranger.close()
    if shutil.which("curl"):
        version = subprocess.run(
            ["curl", "--http2", "-s", "--cacert", str(stack.place.etc / "tls/fullchain.pem"),
             "-o", "/dev/null", "-w", "%{http_version}", f"https://127.0.0.1:{stack.https}/healthz"],
            capture_output=True, text=True, timeout=30, check=True,
        ).stdout  # fmt: skip
        assert version == "2"

    # The customer logs in, logs a request and attaches a file, through the portal's forms.
    customer = Browser(stack)
    customer.log_in(stack.email_of("ewan.grant"))
    token = customer.csrf("/portal/new/?application=service-issue")
    created = customer.post(
        "/portal/new/",
        {"csrfmiddlewaretoken": token, **_portal_issue("Pump seal leaking at the stack test")},
        {},
    )
    assert created.status == 302, created.text[:1000]
    page = customer.get(_local(created.headers["Location"]))
    number = re.search(r"/portal/t/([A-Z]+-\d+)/", page.text or "")
    assert number, page.text[:500]
    number_text = number.group(1)
    content = b"pressure log\n" + secrets.token_bytes(2000)
    token = customer.csrf(f"/portal/t/{number_text}/")
    uploaded = customer.post(
        f"/portal/t/{number_text}/files/",
        {"csrfmiddlewaretoken": token},
        {"file": ("pressure log.bin", content)},
    )
    assert uploaded.status == 302, uploaded.text[:500]
    link = re.search(rf'href="(/transactions/{number_text}/files/\d+/)"', customer.get(
        f"/portal/t/{number_text}/").text)  # fmt: skip
    assert link, "no download link on the request's page"

    # The download: the bytes, with the safe headers, sent by nginx after Portico said yes.
    download = customer.get(link.group(1))
    assert download.status == 200
    assert download.body == content
    for name, value in SAFE_HEADERS.items():
        assert download.headers[name] == value, name
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert "X-Accel-Redirect" not in download.headers
    # nginx's access log: the app server's answer had no body, nginx sent the file.
    access_log = stack.place.base / "nginx/access.log"

    def served() -> list[str]:
        lines = access_log.read_text().splitlines()
        return [line for line in lines if f"GET {link.group(1)} " in line]

    # nginx writes the line once the request is finished, a moment after the client has it.
    _until(lambda: bool(served()), "the download in nginx's access log", timeout=10)
    assert f" 200 {len(content)} " in served()[-1], served()[-1]
    assert "upstream_bytes=0" in served()[-1], served()[-1]
    # Another organisation's customer is refused, as if the file did not exist.
    other = Browser(stack)
    other.log_in(stack.email_of("helen.baird"))
    refused = other.get(link.group(1))
    assert refused.status == 404
    assert content not in refused.body
    # Nor can anyone ask nginx for the stored file directly.
    assert Browser(stack).get("/_protected/").status == 404

    # Static files: hashed names, cached for good.
    css = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', page.text)
    assert css, "no hashed stylesheet on the page"
    static = Browser(stack).get(css.group(1))
    assert static.status == 200
    assert "immutable" in static.headers["Cache-Control"]

    # The acknowledgement e-mail and the webhook, by the workers.
    _until(lambda: any(number_text in s for s in stack.sink.subjects()), "acknowledgement mail")
    _until(lambda: number_text in stack.hooks.created_numbers(), "signed webhook delivery")

    # From an address that is neither this machine nor the monitoring network (127.0.0.2
    # stands in: loopback, but not 127.0.0.1), /metrics is refused by nginx, and Portico
    # answers it as a page that does not exist.
    for port, expected in ((stack.https, 403), (stack.app_ports[0], 404)):
        outsider = (
            http.client.HTTPSConnection(
                "127.0.0.1", port, context=stack.context, source_address=("127.0.0.2", 0)
            )
            if port == stack.https
            else http.client.HTTPConnection("127.0.0.1", port, source_address=("127.0.0.2", 0))
        )
        outsider.request("GET", "/metrics")
        assert outsider.getresponse().status == expected, port
        outsider.close()

    # The burst: creates over the API while one app server and one worker are killed.
    survivor = stack.app_ports[1]
    before = _metrics(stack, survivor).get("POST api:transactions 2xx", 0.0)
    outcome = _burst(stack, customer_token)
    answered = outcome["answered"]
    assert len(answered) >= BURST - THREADS, f"{outcome['failed']} creates failed"
    with psycopg.connect(stack.database) as db:
        rows = db.execute(
            "SELECT number, count(*) OVER (PARTITION BY title) FROM service_transaction"
            " WHERE title LIKE 'Burst %%'"
        ).fetchall()
    stored = {str(number): int(count) for number, count in rows}
    assert set(answered) <= set(stored), "a create answered 201 is not in the database"
    assert all(count == 1 for count in stored.values()), "a create is there twice"
    # The survivor's metrics count the creates it answered (all but those the killed
    # server answered before it died).
    after = _metrics(stack, survivor).get("POST api:transactions 2xx", 0.0)
    assert after - before >= len(answered) - BURST // 3, (before, after)
    # After the kill, the survivors did the rest: every acknowledgement, every webhook.
    _until(
        lambda: set(answered) <= {n for n in answered for s in stack.sink.subjects() if n in s},
        "an acknowledgement for every create",
        timeout=90,
    )
    _until(
        lambda: set(answered) <= stack.hooks.created_numbers(),
        "a webhook for every create",
        timeout=90,
    )
    # And nothing is left behind: the outbox and the webhook queue are empty, whatever
    # the killed worker had claimed (its leases lapsed and the survivor took them).
    _until(
        lambda: (
            _metrics(stack, survivor).get("portico_outbox_unsent") == 0
            and _metrics(stack, survivor).get("portico_webhook_deliveries_waiting") == 0
        ),
        "the outbox and the webhook queue drained",
        timeout=90,
    )
    elapsed = time.monotonic() - started
    print(f"stack scenario: {elapsed:.0f} s, {len(answered)}/{BURST} creates answered")


def _portal_issue(title: str) -> dict[str, str]:
    return {
        "application": "service-issue",
        "title": title,
        "description": "Logged through nginx by the stack test.",
        "profile_issue-type": "fault",
        "profile_product": "clearflow-dosing-pump",
    }


def _metrics(stack: Stack, port: int) -> dict[str, float]:
    """One app server's /metrics, asked directly from 127.0.0.1 (as Prometheus on this
    machine does): portico_requests_total by "method route status", and two gauges."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/metrics")
    answer = connection.getresponse()
    text = answer.read().decode()
    connection.close()
    assert answer.status == 200, text[:300]
    counts: dict[str, float] = {}
    for gauge in ("portico_outbox_unsent", "portico_webhook_deliveries_waiting"):
        found = re.search(rf"^{gauge} ([0-9.e+]+)$", text, re.MULTILINE)
        if found:
            counts[gauge] = float(found.group(1))
    for line in text.splitlines():
        found = re.match(r"portico_requests_total\{(.*)\} ([0-9.e+]+)$", line)
        if found:
            labels = dict(re.findall(r'(\w+)="([^"]*)"', found.group(1)))
            key = f"{labels['method']} {labels['route']} {labels['status']}"
            counts[key] = counts.get(key, 0.0) + float(found.group(2))
    assert "portico_outbox_oldest_unsent_age_seconds" in text
    return counts


def _burst(stack: Stack, token: str) -> dict[str, Any]:
    answered: list[str] = []
    failed = 0
    lock = threading.Lock()
    killed = threading.Event()

    def create(i: int) -> None:
        nonlocal failed
        if i == BURST // 3 and not killed.is_set():
            killed.set()
            # As a crash would: no goodbye, the whole process group (master and workers).
            os.killpg(stack.apps[stack.app_ports[0]].pid, signal.SIGKILL)
            os.killpg(stack.workers["1"].pid, signal.SIGKILL)
        status, body = stack.api(
            "POST", "/api/v1/transactions/", token,
            {**NEW, "title": f"Burst {i}", "description": f"Create {i} of the burst."},
        )  # fmt: skip
        with lock:
            if status == 201:
                answered.append(str(body["number"]))
            else:
                failed += 1

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(create, range(BURST)))
    assert stack.apps[stack.app_ports[0]].wait(timeout=10) == -signal.SIGKILL
    return {"answered": answered, "failed": failed}


def _until(check: Any, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:.0f} s for {what}")
        time.sleep(0.5)
