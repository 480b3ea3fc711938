"""The server's PostgreSQL connections (issue "Reliability proof", the load run): many
concurrent requests share a few connections. Served through WSGI (issue 25), each of a
worker's threads keeps one; under ASGI every request ran on a thread of its own, and
before the pool that portico.asgi now uses, at 32 clients PostgreSQL refused new
connections ("too many clients"). Both ways are run here."""

from __future__ import annotations

import http.client
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
from bench.server import Server, portico_env

from tests.postgres_cluster import scratch_database, wanted

WORKERS = 2
POOL_SIZE = 4  # and threads per WSGI worker
REQUESTS = 400
CLIENTS = 32


@pytest.mark.parametrize("asgi", [False, True], ids=["wsgi-threads", "asgi-pool"])
def test_concurrent_requests_share_each_workers_connections(tmp_path: Path, asgi: bool) -> None:
    if not wanted():
        pytest.skip("PostgreSQL only: runs in the PostgreSQL pass (PORTICO_TEST_DATABASE)")
    url, drop = scratch_database("portico_pool")
    env = portico_env(
        PORTICO_VAR_DIR=str(tmp_path / "var"),
        SECRET_KEY=secrets.token_urlsafe(40),
        DATABASE_URL=url,
        PORTICO_LOG_LEVEL="ERROR",
        PORTICO_PG_POOL_SIZE=str(POOL_SIZE),
    )
    server = Server(env, workers=WORKERS, threads=POOL_SIZE, asgi=asgi, log=tmp_path / "server.log")
    backends: set[int] = set()
    peak = 0
    done = threading.Event()
    name = url.rsplit("/", 1)[1]

    def watch() -> None:
        # Every server connection to the database, sampled while the requests run.
        nonlocal peak
        with psycopg.connect(url, autocommit=True) as monitor:
            me = monitor.info.backend_pid
            while not done.is_set():
                rows = monitor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> %s",
                    (name, me),
                ).fetchall()
                backends.update(pid for (pid,) in rows)
                peak = max(peak, len(rows))
                time.sleep(0.01)

    def ready(_: int) -> int:
        connection = http.client.HTTPConnection(server.host, server.port, timeout=30)
        try:
            connection.request("GET", "/readyz")  # one query on the database per request
            return connection.getresponse().status
        finally:
            connection.close()

    try:
        server.start()
        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            with ThreadPoolExecutor(max_workers=CLIENTS) as clients:
                statuses = list(clients.map(ready, range(REQUESTS)))
        finally:
            done.set()
            watcher.join(timeout=10)
    finally:
        server.stop()
        drop()

    assert statuses.count(200) == REQUESTS, {s: statuses.count(s) for s in set(statuses)}
    # A connection per request would be 400 backends; threads or pools hold at most 8.
    assert 0 < peak <= WORKERS * POOL_SIZE
    assert len(backends) <= WORKERS * POOL_SIZE, f"{len(backends)} connections opened"
