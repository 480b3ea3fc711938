"""The reports read a real streaming replica (DATABASE_REPLICA_URL): a primary cluster
with the demo, a hot standby made from it with pg_basebackup, and Portico served by
gunicorn against the two. Each server logs every statement, so the test reads in their
logs which one answered what."""

from __future__ import annotations

import http.client
import http.cookiejar
import re
import secrets
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from bench.server import BIN, ROOT, Server, portico_env

from tests.conftest import PERSONAS
from tests.postgres_cluster import Cluster, sqlite_pass_only

pytestmark = [
    sqlite_pass_only("it brings its own primary and standby PostgreSQL clusters"),
    pytest.mark.slow,
]

ROLL_UP = "reports_dayfigure"  # the table every report page adds up
SESSION = "login_loginsession"  # who is asking
PASSWORD = secrets.token_urlsafe(12)


@dataclass
class Pair:
    primary: Cluster
    standby: Cluster
    server: Server
    server_log: Path
    env: dict[str, str]  # a Portico process's, with the replica

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.port}{path}"


class Logs:
    """What each server logged from now on."""

    def __init__(self, pair: Pair) -> None:
        self.clusters = {"primary": pair.primary, "standby": pair.standby}
        self.start = {name: c.log.stat().st_size for name, c in self.clusters.items()}

    def __getitem__(self, name: str) -> str:
        with self.clusters[name].log.open("rb") as log:
            log.seek(self.start[name])
            return log.read().decode(errors="replace")


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[Pair]:
    primary = Cluster()
    standby = Cluster()
    server = None
    try:
        primary.start()
        primary.create_database()
        env = portico_env(
            PORTICO_VAR_DIR=str(tmp_path / "var"),
            SECRET_KEY=secrets.token_urlsafe(40),
            DJANGO_SETTINGS_MODULE="portico.settings",
            PORTICO_LOG_LEVEL="WARNING",
            DATABASE_URL=primary.url,
            PORTICO_DEMO_PASSWORD=PASSWORD,
        )
        subprocess.run(
            [str(BIN / "portico"), "prepare", "--demo"], env=env, cwd=ROOT, check=True,
            capture_output=True, timeout=300,
        )  # fmt: skip
        # Every statement from now on, on both: the base backup copies the setting.
        with psycopg.connect(primary.url, autocommit=True) as connection:
            connection.execute("ALTER SYSTEM SET log_statement = 'all'")
            connection.execute("SELECT pg_reload_conf()")
        standby.start_standby_of(primary)
        _wait_replayed(primary, standby)
        env["DATABASE_REPLICA_URL"] = standby.url
        server = Server(env, workers=1, log=tmp_path / "server.log")
        server.start()
        yield Pair(primary, standby, server, tmp_path / "server.log", env)
    finally:
        if server is not None:
            server.stop()
        standby.stop()
        primary.stop()


def _wait_replayed(primary: Cluster, standby: Cluster) -> None:
    with psycopg.connect(primary.url, autocommit=True) as connection:
        row = connection.execute("SELECT pg_current_wal_lsn()::text").fetchone()
        assert row is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with psycopg.connect(standby.url, autocommit=True) as connection:
            replayed = connection.execute(
                "SELECT pg_is_in_recovery() AND pg_last_wal_replay_lsn() >= %s::pg_lsn",
                [row[0]],
            ).fetchone()
        if replayed is not None and replayed[0]:
            return
        time.sleep(0.2)
    raise AssertionError("the standby did not replay the primary's WAL within 30 s")


def _scheduled(cluster: Cluster) -> int:
    """The supervisor's report schedules, as this server has them."""
    with psycopg.connect(cluster.url) as connection:
        row = connection.execute(
            "SELECT count(*) FROM reports_schedule s JOIN parties_individual i"
            " ON i.id = s.individual_id WHERE i.email = %s",
            [PERSONAS["supervisor"].email],
        ).fetchone()
    assert row is not None
    return int(row[0])


def _log_in(pair: Pair, email: str) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    url = pair.url("/accounts/login/")
    page = opener.open(url, timeout=10).read().decode()
    fields = {"csrfmiddlewaretoken": _csrf(page), "login": email, "password": PASSWORD}
    landed = _post(opener, url, fields)
    assert urllib.parse.urlparse(landed.url).path == "/console/"
    return opener


def _csrf(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found is not None
    return found[1]


def _post(
    opener: urllib.request.OpenerDirector, url: str, fields: dict[str, str]
) -> http.client.HTTPResponse:
    data = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(url, data=data, headers={"Referer": url})  # noqa: S310
    response: http.client.HTTPResponse = opener.open(request, timeout=10)
    assert response.status == 200
    return response


def _get(opener: urllib.request.OpenerDirector, url: str) -> str:
    with opener.open(url, timeout=30) as response:
        assert response.status == 200
        return str(response.read().decode())


def _writes(log: str) -> list[str]:
    return re.findall(r"statement: ((?:INSERT|UPDATE|DELETE)\b.{0,80})", log)


# One test, so that the demo is loaded and served once (about 35 s on an idle machine).
def test_reports_read_the_standby_write_the_primary_and_survive_its_loss(pair: Pair) -> None:
    supervisor = _log_in(pair, PERSONAS["supervisor"].email)

    # (a) The report page and its export add up the roll-ups on the standby; who is
    # asking (the session, the person) is read from the primary.
    logs = Logs(pair)
    page = _get(supervisor, pair.url("/console/reports/"))
    assert "Opened" in page
    csv = _get(supervisor, pair.url("/console/reports/export.csv"))
    assert csv.count("\n") > 1
    assert logs["standby"].count(ROLL_UP) >= 2
    assert ROLL_UP not in logs["primary"]
    assert SESSION in logs["primary"]
    assert SESSION not in logs["standby"]

    # (b) A write made on the report page (e-mail me this report) lands on the primary,
    # and reaches the standby by streaming.
    logs = Logs(pair)
    page = _get(supervisor, pair.url("/console/reports/"))
    _post(
        supervisor,
        pair.url("/console/reports/schedules/"),
        {"csrfmiddlewaretoken": _csrf(page), "report": "service", "by": "team", "every": "week"},
    )
    assert any("reports_schedule" in write for write in _writes(logs["primary"]))
    assert _scheduled(pair.primary) == 1
    # Streaming is asynchronous: the row reaches the standby soon after, not at once (once
    # it had not yet, although the replay position had passed the primary's).
    _wait_replayed(pair.primary, pair.standby)
    deadline = time.monotonic() + 30
    while _scheduled(pair.standby) != 1:
        assert time.monotonic() < deadline, "the schedule never reached the standby"
        time.sleep(0.2)

    # The worker's scheduled e-mail of that report: the schedule claimed and the message
    # written on the primary, the figures read from the standby.
    with psycopg.connect(pair.primary.url) as primary:
        primary.execute("UPDATE reports_schedule SET next_at = now() - interval '1 minute'")
    logs = Logs(pair)
    sent = subprocess.run(
        [str(BIN / "portico"), "shell", "--verbosity", "0", "-c",
         "from portico.reports import mailing; print(mailing.send_due())"],
        env=pair.env, cwd=ROOT, check=True, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert sent.stdout.split() == ["1"]
    assert ROLL_UP in logs["standby"]
    assert ROLL_UP not in logs["primary"]
    assert any("notify_delivery" in write for write in _writes(logs["primary"]))

    # (d) Portico never sent the standby a write, and the standby would have refused one.
    whole = pair.standby.log.read_text(errors="replace")
    assert _writes(whole) == []
    assert "read-only transaction" not in whole
    with (
        psycopg.connect(pair.standby.url) as standby,
        pytest.raises(psycopg.errors.ReadOnlySqlTransaction),
    ):
        standby.execute("UPDATE reports_schedule SET active = false")

    # (c) With the standby gone, the reports answer from the primary, and say so in the log.
    pair.standby.crash()
    logs = Logs(pair)
    started = time.monotonic()
    page = _get(supervisor, pair.url("/console/reports/"))
    again = _get(supervisor, pair.url("/console/reports/people/"))
    assert "Opened" in page
    assert "Closes per day" in again
    assert time.monotonic() - started < 10
    assert logs["primary"].count(ROLL_UP) >= 1
    assert "read-only replica is unreachable" in pair.server_log.read_text()
