"""Talking to the served Portico: logging in for a session cookie, the one-connection
latency client, and wrk at sixteen connections."""

from __future__ import annotations

import http.client
import re
import shutil
import statistics
import subprocess
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

# The demo log-ins' password in the throwaway database (PORTICO_DEMO_PASSWORD for seed_demo).
PASSWORD = "bench-demo-password"  # noqa: S105


@dataclass
class Session:
    """A logged-in person's cookies (or none, for the floor)."""

    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    @property
    def csrf(self) -> str:
        return self.cookies.get("csrftoken", "")

    def take(self, response: http.client.HTTPResponse) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for key, morsel in jar.items():
                self.cookies[key] = morsel.value


@dataclass(frozen=True)
class Request:
    method: str
    paths: tuple[str, ...]
    body: str = ""
    expected: int = 200  # anything else is an error (GET pages 200, POSTs redirect 302)


def login(host: str, port: int, email: str, password: str) -> Session:
    """Log in through the real form: GET for the CSRF token, POST the credentials."""
    session = Session()
    conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.request("GET", "/accounts/login/")
    response = conn.getresponse()
    page = response.read().decode()
    session.take(response)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if response.status != 200 or match is None:
        raise RuntimeError(f"log-in page answered {response.status} without a CSRF token")
    body = urllib.parse.urlencode(
        {"login": email, "password": password, "csrfmiddlewaretoken": match.group(1)}
    )
    conn.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": session.cookie_header,
        },
    )
    response = conn.getresponse()
    response.read()
    session.take(response)
    conn.close()
    if response.status != 302 or "sessionid" not in session.cookies:
        raise RuntimeError(f"log-in as {email} failed: {response.status}")
    return session


def _headers(session: Session, request: Request) -> dict[str, str]:
    headers = {"Connection": "keep-alive"}
    if session.cookies:
        headers["Cookie"] = session.cookie_header
    if request.method == "POST":
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["X-CSRFToken"] = session.csrf
    return headers


@dataclass
class Latency:
    p50_ms: float
    p99_ms: float
    mean_ms: float
    requests: int
    errors: int


def latency(
    host: str,
    port: int,
    session: Session,
    request: Request,
    *,
    count: int,
    warmup: int,
    budget_s: float = 60.0,
) -> Latency:
    """`count` sequential requests on one keep-alive connection, after `warmup` more;
    a slow page stops early once `budget_s` is spent (never before 10 samples)."""
    conn = http.client.HTTPConnection(host, port, timeout=60)
    headers = _headers(session, request)
    body = request.body.encode() if request.method == "POST" else None
    sent = 0

    def one() -> tuple[float, int]:
        nonlocal conn, sent
        path = request.paths[sent % len(request.paths)]
        sent += 1
        started = time.perf_counter()
        try:
            conn.request(request.method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=60)
            status = 0
        return (time.perf_counter() - started) * 1000, status

    began = time.monotonic()
    for _ in range(warmup):
        one()
        if time.monotonic() - began > budget_s / 6:
            break  # a slow page: a shorter warm-up is warm enough
    samples: list[float] = []
    errors = 0
    began = time.monotonic()
    while len(samples) < count:
        if len(samples) >= 10 and time.monotonic() - began > budget_s:
            break
        elapsed, status = one()
        samples.append(elapsed)
        if status != request.expected:
            errors += 1
    conn.close()
    samples.sort()
    return Latency(
        p50_ms=statistics.median(samples),
        p99_ms=samples[min(len(samples) - 1, round(0.99 * (len(samples) - 1)))],
        mean_ms=statistics.fmean(samples),
        requests=len(samples),
        errors=errors,
    )


@dataclass
class Throughput:
    requests_per_s: float
    requests: int
    errors: int  # unexpected status (non-2xx/3xx included) + socket errors
    non_2xx_3xx: int
    socket_errors: int
    output: str


_LUA = """
local paths = {%(paths)s}
local expected = %(expected)d
local threads = {}
wrk.method = "%(method)s"
%(body)s
%(headers)s
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  unexpected = 0
  i = 0
end
function request()
  i = i + 1
  return wrk.format(nil, paths[(i %% #paths) + 1])
end
function response(status, headers, body)
  if status ~= expected then
    unexpected = unexpected + 1
  end
end
function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do
    n = n + t:get("unexpected")
  end
  io.write(string.format("UNEXPECTED %%d\\n", n))
end
"""


def _lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def throughput(
    host: str,
    port: int,
    session: Session,
    request: Request,
    *,
    connections: int,
    seconds: int,
    workdir: Path,
) -> Throughput:
    """wrk for `seconds` at `connections`, counting every unexpected status."""
    headers = _headers(session, request)
    headers.pop("Connection")
    script = _LUA % {
        "paths": ", ".join(_lua_string(p) for p in request.paths),
        "expected": request.expected,
        "method": request.method,
        "body": f"wrk.body = {_lua_string(request.body)}" if request.method == "POST" else "",
        "headers": "\n".join(
            f"wrk.headers[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items()
        ),
    }
    path = workdir / "workload.lua"
    path.write_text(script)
    threads = min(2, connections)
    result = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(path),
            f"http://{host}:{port}{request.paths[0]}",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=False,
    )
    out = result.stdout + result.stderr
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    non = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    unexpected = re.search(r"UNEXPECTED (\d+)", out)
    if rate is None or total is None:
        raise RuntimeError(f"wrk failed:\n{out}")
    socket_errors = sum(int(g) for g in sock.groups()) if sock else 0
    if int(total.group(1)) == 0:
        # Nothing came back within the run: every connection's request is a failure,
        # although wrk stops before its --timeout can count them.
        socket_errors += connections
    return Throughput(
        requests_per_s=float(rate.group(1)),
        requests=int(total.group(1)),
        errors=(int(unexpected.group(1)) if unexpected else 0) + socket_errors,
        non_2xx_3xx=int(non.group(1)) if non else 0,
        socket_errors=socket_errors,
        output=out,
    )
