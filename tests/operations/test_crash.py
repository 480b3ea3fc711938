"""Crash safety (issue "Reliability proof"): Portico in its production configuration
(gunicorn, threaded WSGI workers) takes 1,000 concurrent creates and notes over the API while
its workers are killed with SIGKILL — and, on PostgreSQL, while the postmaster is
stopped as by a power cut and started again. Afterwards every request that was answered
2xx is in the database, nothing is there twice, and the database checks clean
(pg_amcheck; SQLite's integrity_check). Loopback only, bounded in count and time."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from bench.server import Server, portico, portico_env

from tests.postgres_cluster import Cluster, wanted

OPERATIONS = 1_000
THREADS = 16
NEW = {
    "application": "service-issue",
    "profile": {"issue-type": "fault", "product": "clearflow-dosing-pump"},
}


@dataclass
class Deployment:
    env: dict[str, str]
    server: Server
    token: str
    cluster: Cluster | None = None


@dataclass
class Outcome:
    created: dict[str, str] = field(default_factory=dict)  # number -> title, answered 201
    noted: dict[int, str] = field(default_factory=dict)  # note id -> number, answered 201
    failed: int = 0  # refused, reset or timed out: never acknowledged
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def deploy(tmp_path: Path) -> Iterator[Callable[[bool], Deployment]]:
    made: list[Deployment] = []

    def make(postgres: bool) -> Deployment:
        env = portico_env(
            PORTICO_VAR_DIR=str(tmp_path / "var"),
            SECRET_KEY=secrets.token_urlsafe(40),
            DJANGO_SETTINGS_MODULE="portico.settings",
            PORTICO_LOG_LEVEL="ERROR",
            PORTICO_API_RATE="100000/minute",
        )
        cluster = None
        if postgres:
            cluster = Cluster(durable=True)
            cluster.start()
            cluster.create_database()
            env["DATABASE_URL"] = cluster.url
        portico(env, "prepare", "--demo")  # what `make run` does: migrate, cache table, demo
        token = portico(
            env, "shell", "-c",
            "import datetime; from django.utils import timezone;"
            " from portico.api.services import create_token;"
            " from portico.parties.models import Individual;"
            " user = Individual.objects.get(email__startswith='ewan.grant').user;"
            " print(create_token(actor=user, name='crash test',"
            " expires_at=timezone.now() + datetime.timedelta(days=1)).secret)",
        ).strip().splitlines()[-1]  # fmt: skip
        server = Server(env, workers=2, log=tmp_path / "server.log")
        server.start()
        deployment = Deployment(env, server, token, cluster)
        made.append(deployment)
        return deployment

    yield make
    for deployment in made:
        deployment.server.stop()
        if deployment.cluster is not None:
            deployment.cluster.stop()


def _request(
    deployment: Deployment, path: str, body: dict[str, object], key: str
) -> tuple[int, dict[str, object]]:
    connection = http.client.HTTPConnection("127.0.0.1", deployment.server.port, timeout=15)
    try:
        connection.request(
            "POST", path, json.dumps(body),
            {"Authorization": f"Bearer {deployment.token}", "Content-Type": "application/json",
             "Idempotency-Key": key},
        )  # fmt: skip
        response = connection.getresponse()
        payload = response.read()
        if response.status != 201 and os.environ.get("PORTICO_CRASH_DEBUG"):
            print(response.status, payload[:300])
        return response.status, (json.loads(payload) if response.status == 201 else {})
    except (OSError, http.client.HTTPException, json.JSONDecodeError):
        return 0, {}
    finally:
        connection.close()


def _load(deployment: Deployment, run: str, outcome: Outcome, *, at: Callable[[int], None]) -> None:
    """OPERATIONS requests from THREADS threads: a create, or a note on a transaction
    already acknowledged. `at(i)` runs before operation i (to crash things mid-run)."""

    def operation(i: int) -> None:
        at(i)
        with outcome.lock:
            numbers = list(outcome.created)
        if i % 3 == 2 and numbers:
            number = numbers[i % len(numbers)]
            status, body = _request(
                deployment, f"/api/v1/transactions/{number}/notes/",
                {"body": f"{run} note {i}", "visibility": "shared", "channel": "api"},
                f"{run}-note-{i}",
            )  # fmt: skip
            with outcome.lock:
                if status == 201:
                    outcome.noted[int(str(body["id"]))] = number
                else:
                    outcome.failed += 1
            return
        title = f"{run} crash test {i}"
        status, body = _request(
            deployment, "/api/v1/transactions/",
            {**NEW, "title": title, "description": f"Logged as operation {i} of {run}."},
            f"{run}-create-{i}",
        )  # fmt: skip
        with outcome.lock:
            if status == 201:
                outcome.created[str(body["number"])] = title
            else:
                outcome.failed += 1

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(operation, range(OPERATIONS)))


def _kill_workers(server: Server) -> int:
    """SIGKILL every worker of the gunicorn master; the master starts new ones."""
    assert server.process is not None
    children = subprocess.run(
        ["pgrep", "-P", str(server.process.pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    for pid in children:
        os.kill(int(pid), signal.SIGKILL)
    return len(children)


def _once(at: int, action: Callable[[], object]) -> Callable[[int], None]:
    fired = threading.Event()
    lock = threading.Lock()

    def maybe(i: int) -> None:
        if i >= at and not fired.is_set():
            with lock:
                if not fired.is_set():
                    fired.set()
                    action()

    return maybe


def _rows(query: Callable[[str], list[tuple[object, ...]]], outcome: Outcome) -> None:
    numbers = {str(n): str(t) for n, t in query("SELECT number, title FROM service_transaction")}
    missing = {n: t for n, t in outcome.created.items() if numbers.get(n) != t}
    assert missing == {}, f"acknowledged creates not found: {list(missing)[:5]}"
    notes = {int(str(i)): str(n) for i, n in query(
        "SELECT note.id, t.number FROM service_note note"
        " JOIN service_transaction t ON t.id = note.transaction_id"
    )}  # fmt: skip
    lost = {i: n for i, n in outcome.noted.items() if notes.get(i) != n}
    assert lost == {}, f"acknowledged notes not found: {list(lost)[:5]}"
    assert query("SELECT number FROM service_transaction GROUP BY number HAVING count(*) > 1") == []
    # Every transaction the test created has the description it was created with.
    bare = query(
        "SELECT number FROM service_transaction WHERE title LIKE '%crash test%'"
        " AND description NOT LIKE 'Logged as operation %'"
    )
    assert bare == []


@pytest.mark.slow
@pytest.mark.skipif(
    not wanted(), reason="runs in the PostgreSQL pass (PORTICO_TEST_DATABASE=postgres)"
)
def test_postgres_loses_no_acknowledged_write_when_workers_and_postmaster_crash(
    deploy: Callable[[bool], Deployment],
) -> None:
    deployment = deploy(True)
    cluster = deployment.cluster
    assert cluster is not None
    workers = _once(OPERATIONS // 3, lambda: _kill_workers(deployment.server))
    first = Outcome()
    _load(deployment, "workers", first, at=workers)

    def power_cut() -> None:
        cluster.crash()
        time.sleep(1)
        cluster.restart()

    second = Outcome()
    _load(deployment, "postmaster", second, at=_once(OPERATIONS // 3, power_cut))

    import psycopg

    with psycopg.connect(cluster.url.replace("postgres://", "postgresql://")) as db:

        def query(sql: str) -> list[tuple[object, ...]]:
            return db.execute(sql).fetchall()

        for outcome in (first, second):
            _rows(query, outcome)
    checked = subprocess.run(
        [str(cluster.bindir / "pg_amcheck"), "--install-missing", "--heapallindexed",
         "--parent-check", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "portico",
         "portico"],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    for name, outcome in (("workers killed", first), ("postmaster crashed", second)):
        print(
            f"{name}: {len(outcome.created)} creates and {len(outcome.noted)} notes"
            f" acknowledged, all found; {outcome.failed} refused or cut off"
        )
    assert first.created
    assert second.created
    assert first.failed + second.failed < 2 * OPERATIONS


@pytest.mark.slow
@pytest.mark.skipif(wanted(), reason="the SQLite run is in the SQLite pass")
def test_sqlite_loses_no_acknowledged_write_when_workers_are_killed(
    deploy: Callable[[bool], Deployment],
) -> None:
    deployment = deploy(False)
    outcome = Outcome()
    _load(
        deployment, "workers", outcome,
        at=_once(OPERATIONS // 3, lambda: _kill_workers(deployment.server)),
    )  # fmt: skip
    database = Path(deployment.env["PORTICO_VAR_DIR"]) / "portico.sqlite3"
    with sqlite3.connect(database) as db:

        def query(sql: str) -> list[tuple[object, ...]]:
            return db.execute(sql).fetchall()

        _rows(query, outcome)
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    print(
        f"workers killed: {len(outcome.created)} creates and {len(outcome.noted)} notes"
        f" acknowledged, all found; {outcome.failed} refused or cut off"
    )
    assert outcome.created
