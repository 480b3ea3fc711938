"""The Prometheus metrics at /metrics: what they count, who may read them, the waiting
work they read from the database, and the counts of several worker processes added up."""

from __future__ import annotations

import datetime
import logging
import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest
from bench.server import BIN, free_port, portico_env
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from portico.audit.models import Event
from portico.events.tasks import dispatch_events
from portico.notify.models import Delivery
from portico.operations import gunicorn_conf
from portico.webhooks.models import Delivery as WebhookDelivery
from portico.webhooks.models import Subscription
from tests.plans import explain, index_used, scans_of, without_seqscan
from tests.postgres_cluster import sqlite_pass_only, wanted
from tests.webhooks.conftest import admin

type Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
OUTSIDE = "198.51.100.7"


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(client: Client, **headers: str) -> Samples:
    response = client.get("/metrics", **headers)  # type: ignore[arg-type]
    assert response.status_code == 200, response.status_code
    return parse(response.content.decode())


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


# --- what is counted ----------------------------------------------------------------------


def test_requests_are_counted_by_route_method_and_status_class(client: Client, db: None) -> None:
    before = scrape(client)
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    assert client.get("/console/").status_code == 302  # to the log-in page
    assert client.get("/no/such/page/4711").status_code == 404
    assert client.generic("BREW", "/healthz").status_code == 405
    after = scrape(client)

    def counted(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    requests = "portico_requests_total"
    assert counted(requests, method="GET", route="healthz", status="2xx") == 3
    assert counted(requests, method="GET", route="console:home", status="3xx") == 1
    # A path that matches nothing is not a label of its own: there would be no end of them.
    assert counted(requests, method="GET", route="unmatched", status="4xx") == 1
    assert not any("4711" in str(labels) for _, labels in after)
    assert counted(requests, method="other", route="healthz", status="4xx") == 1
    assert counted("portico_request_duration_seconds_count", route="healthz") == 4
    assert counted("portico_request_duration_seconds_bucket", route="healthz", le="5.0") == 4


# --- who may read them --------------------------------------------------------------------


def test_an_allowed_address_may_read_them_and_no_one_caches_them(client: Client, db: None) -> None:
    response = client.get("/metrics")  # the test client's address is 127.0.0.1
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    assert "no-store" in response["Cache-Control"]
    with override_settings(PORTICO_METRICS_ALLOWED=["10.20.0.0/16"]):
        assert client.get("/metrics", REMOTE_ADDR="10.20.3.4").status_code == 200
        assert client.get("/metrics").status_code == 404


def test_any_other_address_is_told_there_is_no_such_page(client: Client, db: None) -> None:
    for method in (client.get, client.post, client.head):
        unknown = method("/metricz", REMOTE_ADDR=OUTSIDE)
        refused = method("/metrics", REMOTE_ADDR=OUTSIDE)
        assert refused.status_code == unknown.status_code == 404
        assert [t.name for t in refused.templates] == [t.name for t in unknown.templates]
        assert b"portico_" not in refused.content
    # The allowed address asking in the wrong way is told so.
    assert client.post("/metrics").status_code == 405


def test_through_the_proxy_the_client_behind_it_is_judged(client: Client, db: None) -> None:
    # nginx on this machine (127.0.0.1, a trusted proxy) forwards a client from outside:
    # the client is refused, though the request came from an allowed address...
    forwarded = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=OUTSIDE)
    assert forwarded.status_code == 404
    # ...also when it wrote an allowed address into the header itself, which nginx
    # passes on with the client's real address after it.
    forged = client.get(
        "/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=f"127.0.0.1, {OUTSIDE}"
    )
    assert forged.status_code == 404
    # And a client that is not a proxy may not vouch for anyone.
    assert (
        client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_X_FORWARDED_FOR="::1").status_code == 404
    )


@override_settings(PORTICO_METRICS_TOKEN="s3cret-scrape-token-4f9a")
@pytest.mark.parametrize(
    ("authorization", "expected"),
    [
        ("Bearer s3cret-scrape-token-4f9a", 200),
        ("bearer s3cret-scrape-token-4f9a", 200),
        ("Bearer s3cret-scrape-token-4f9b", 404),
        ("Bearer s3cret-scrape-token-4f9", 404),
        ("Bearer ", 404),
        ("Basic s3cret-scrape-token-4f9a", 404),
        ("s3cret-scrape-token-4f9a", 404),
        ("Bearer s3cret-scrape-token-4f9a\u00e9", 404),
        (None, 404),
    ],
)
def test_from_elsewhere_only_the_token_opens_them(
    client: Client, db: None, authorization: str | None, expected: int
) -> None:
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization is not None else {}
    response = client.get("/metrics", REMOTE_ADDR=OUTSIDE, **headers)  # type: ignore[arg-type]
    assert response.status_code == expected


def test_without_a_token_set_no_token_opens_them(client: Client, db: None) -> None:
    with override_settings(PORTICO_METRICS_TOKEN=""):
        for offered in ("Bearer ", "Bearer", "Bearer  "):
            response = client.get("/metrics", REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=offered)
            assert response.status_code == 404


def test_scrapes_stay_out_of_the_request_log_but_refusals_do_not(
    client: Client, db: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="portico.requests")
    client.get("/metrics")
    client.get("/metrics", REMOTE_ADDR=OUTSIDE)
    logged = [
        (getattr(r, "status", None), r.levelno)
        for r in caplog.records
        if r.name == "portico.requests" and getattr(r, "path", "") == "/metrics"
    ]
    assert logged == [(404, logging.INFO)]


# --- the waiting work, read from the database -----------------------------------------------


def test_the_gauges_count_the_work_waiting_in_the_database(
    client: Client, demo_people: None
) -> None:
    before = scrape(client)
    assert value(before, "portico_outbox_oldest_unsent_age_seconds") == 0
    e_mail = Delivery.objects.create(
        address="ewan@harbour.example",
        subject="SI-000123 received",
        created_at=timezone.now() - datetime.timedelta(seconds=90),
    )
    dispatch_events.enqueue()
    Event.objects.create(action="transaction.created")
    hook = Subscription.objects.create(owner=admin(), url="https://hooks.example/x", events=["*"])
    WebhookDelivery.objects.create(subscription=hook, event_name="transaction.created", body="{}")
    WebhookDelivery.objects.create(
        subscription=hook, event_name="webhook.ping", body="{}", succeeded_at=timezone.now()
    )
    after = scrape(client)

    def grew(name: str) -> float:
        return value(after, name) - value(before, name)

    assert grew("portico_tasks_waiting") == 1
    assert grew("portico_outbox_unsent") == 1
    assert 90 <= value(after, "portico_outbox_oldest_unsent_age_seconds") < 120
    assert grew("portico_webhook_deliveries_waiting") == 1
    assert grew("portico_events_undispatched") == 1

    Delivery.objects.filter(pk=e_mail.pk).update(sent_at=timezone.now())
    sent = scrape(client)
    assert value(sent, "portico_outbox_unsent") == value(before, "portico_outbox_unsent")
    assert value(sent, "portico_outbox_oldest_unsent_age_seconds") == 0


@pytest.mark.skipif(not wanted(), reason="query plans are PostgreSQL's: the PostgreSQL pass")
def test_each_gauge_is_read_from_its_partial_index(client: Client, db: None) -> None:
    # Each index holds only the unfinished rows, so a scrape costs the same at any size.
    expected = {
        "django_tasks_database_dbtaskresult": "tasks_db_new_ordering_idx",
        "notify_delivery": "delivery_due",
        "webhooks_delivery": "webhook_delivery_due",
        "audit_event": "event_undispatched",
    }
    with CaptureQueriesContext(connection) as queries:
        scrape(client)
    used: dict[str, set[str]] = {}
    with without_seqscan():
        for query in queries.captured_queries:
            plan = explain(query["sql"])
            for table in expected:
                for node in scans_of(plan, table):
                    used.setdefault(table, set()).add(str(index_used(node)))
    assert used == {table: {index} for table, index in expected.items()}


# --- the gunicorn hooks --------------------------------------------------------------------


@pytest.fixture
def multiproc_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a hook sets in os.environ is taken back after the test."""
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)


def _server(*bind: str) -> SimpleNamespace:
    return SimpleNamespace(cfg=SimpleNamespace(bind=list(bind)))


@pytest.mark.usefixtures("multiproc_env")
def test_each_app_server_has_its_own_directory_emptied_when_it_starts(tmp_path: Path) -> None:
    with override_settings(VAR_DIR=tmp_path, PORTICO_METRICS_DIR=""):
        gunicorn_conf.on_starting(_server("127.0.0.1:8001"))
        first = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
        (first / "counter_4242.db").write_bytes(b"the last run's counts")
        (first / "notes.txt").write_text("not ours")
        gunicorn_conf.on_starting(_server("127.0.0.1:8001"))
        assert Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]) == first
        assert sorted(p.name for p in first.iterdir()) == ["notes.txt"]
        gunicorn_conf.on_starting(_server("127.0.0.1:8002"))
        second = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
        gunicorn_conf.on_starting(_server("unix:/run/portico/web.sock"))
        socket_dir = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    assert first != second
    assert first.parent == second.parent == socket_dir.parent == tmp_path / "metrics"
    with override_settings(PORTICO_METRICS_DIR=str(tmp_path / "chosen")):
        gunicorn_conf.on_starting(_server("127.0.0.1:8001"))
        assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(tmp_path / "chosen")
        assert (tmp_path / "chosen").is_dir()


# --- several worker processes, for real ------------------------------------------------------


class Served:
    def __init__(self, base: Path, port: int, process: subprocess.Popen[bytes]) -> None:
        self.base = base
        self.port = port
        self.process = process

    @property
    def metrics_dir(self) -> Path:
        return self.base / "var" / "metrics" / f"127.0.0.1:{self.port}"

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=30) as r:
            body: bytes = r.read()
            return body

    def worker_pids(self) -> set[int]:
        return {int(p.stem.split("_")[1]) for p in self.metrics_dir.glob("counter_*.db")}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """`portico serve` with two web worker processes on a free port, with a SQLite
    database of its own. As the user running the tests, like tests/operations/test_serve.py:
    the interpreter may sit where `nobody` cannot read it (pyenv's under /root)."""
    base = tmp_path
    env = portico_env(
        PORTICO_VAR_DIR=str(base / "var"),
        PORTICO_WEB_WORKERS="2",
        PORTICO_WEB_THREADS="2",
        PORTICO_METRICS_DIR="",
    )
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    subprocess.run([BIN / "portico", "migrate", "-v", "0"], env=env, check=True, timeout=300)
    port = free_port()
    log = (base / "serve.log").open("wb")
    process = subprocess.Popen(
        [BIN / "portico", "serve", "--host", "127.0.0.1", "--port", str(port), "--mail-port", "0"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        process_group=0,
    )
    server = Served(base, port, process)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, (base / "serve.log").read_text()
            try:
                server.get("/healthz")
                break
            except OSError:
                assert time.monotonic() < deadline, (base / "serve.log").read_text()
                time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


def _healthz_count(server: Served) -> float:
    samples = parse(server.get("/metrics").decode())
    return value(samples, "portico_requests_total", method="GET", route="healthz", status="2xx")


@pytest.mark.slow
@sqlite_pass_only("it serves its own SQLite database")
def test_the_counts_of_every_worker_process_are_added_up(served: Served) -> None:
    already = _healthz_count(served)  # the fixture's own wait for the server
    sent = 0
    with ThreadPoolExecutor(max_workers=8) as pool:
        # Until both workers have answered some: which one takes a connection is the
        # kernel's choice.
        while len(served.worker_pids()) < 2 and sent < 2000:
            list(pool.map(lambda _: served.get("/healthz"), range(40)))
            sent += 40
    # Each worker counts into a file of its own in the server's directory.
    assert len(served.worker_pids()) == 2, sorted(served.metrics_dir.parent.rglob("*"))
    # Every scrape, whichever worker answers it, sees every worker's counts.
    for _ in range(6):
        assert _healthz_count(served) == already + sent

    # A worker that dies takes nothing with it: its counts stay (gunicorn starts another).
    killed = min(served.worker_pids())
    os.kill(killed, signal.SIGKILL)
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: served.get("/healthz"), range(40)))
    sent += 40
    assert killed in served.worker_pids()
    assert _healthz_count(served) == already + sent
    samples = parse(served.get("/metrics").decode())
    assert value(samples, "portico_outbox_unsent") == 0  # the gauges read its database
