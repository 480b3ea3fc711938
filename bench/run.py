"""`python -m bench --scale S|L`: generate, serve, measure, report."""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import client, report
from bench.server import BIN, ROOT, Server, default_workers

MANIFEST = "bench-dataset.json"  # what a kept dataset is, for --reuse
# Variables of the caller's shell that would point Portico elsewhere or change its mode.
SCRUBBED = (
    "DATABASE_URL",
    "DJANGO_SETTINGS_MODULE",
    "PORTICO_VAR_DIR",
    "PORTICO_DEBUG",
    "PORTICO_PRODUCTION",
    "PORTICO_MEDIA_ROOT",
    "SECRET_KEY",
    "REDIS_URL",
    "EMAIL_HOST",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)
PG_SETTINGS = {
    # A modest production-like tuning for a 24 GB machine shared with others.
    "shared_buffers": "2GB",
    "effective_cache_size": "12GB",
    "random_page_cost": "1.1",
    "work_mem": "16MB",
    "maintenance_work_mem": "1GB",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "30min",
    "max_connections": "200",
}


def environment(var: Path, *, variant: str = "") -> dict[str, str]:
    """The environment of a Portico that makes or serves the dataset in `var`: this
    shell's, less what would point it elsewhere (the database URL is added by the
    caller, for PostgreSQL)."""
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    env.update(
        {
            "PORTICO_VAR_DIR": str(var),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "PORTICO_DEMO_PASSWORD": client.PASSWORD,
            "PORTICO_LOG_LEVEL": "WARNING",
            "BENCH_VARIANT": variant,
            "PYTHONPATH": os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(
                os.pathsep
            ),
        }
    )
    return env


def _log(message: str) -> None:
    print(message, flush=True)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scale", choices=["S", "L"], default="S")
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgres"],
        help="default: sqlite for S, postgres for L",
    )
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per workload")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--samples", type=int, default=200, help="sequential requests for p50/p99")
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument(
        "--only", default="", help="comma-separated workload keys (floor always runs)"
    )
    parser.add_argument(
        "--variant",
        choices=["", "asgi"],
        default="",
        help="an experiment, named in the report: asgi = served as before issue 25"
        " (gunicorn with uvicorn workers, PostgreSQL connections from a pool)",
    )
    parser.add_argument(
        "--mixed-seconds",
        type=float,
        default=60,
        help="the mixed load run (500 portal customers, 50 agents); 0 leaves it out",
    )
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md")
    parser.add_argument("--keep", action="store_true", help="keep the var dir (and cluster) after")
    parser.add_argument(
        "--reuse",
        type=Path,
        help="measure again on the dataset a --keep run left in this var dir (its "
        "generation time is the one recorded then); the dataset is kept afterwards",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    database = args.database or ("sqlite" if args.scale == "S" else "postgres")
    if not client.wrk_available():
        _log("wrk is missing: `apt-get install -y wrk` (Debian), then run again.")
        return 2
    began = time.monotonic()
    # The servers import the code as it is now; a commit made while they run is not it.
    commit = _commit()
    manifest: dict[str, Any] = {}
    if args.reuse is not None:
        manifest = json.loads((args.reuse / MANIFEST).read_text())
        if manifest["scale"] != args.scale:
            _log(f"{args.reuse} holds scale {manifest['scale']}, not {args.scale}")
            return 2
        args.keep = True
        var = args.reuse.resolve()
    else:
        var = Path(tempfile.mkdtemp(prefix=f"portico-bench-{args.scale}-"))
    env = environment(var, variant=args.variant)
    server: Server | None = None
    try:
        if manifest:
            if manifest.get("database_url"):
                env["DATABASE_URL"] = manifest["database_url"]
            os.environ.update(env)
            os.environ["DJANGO_SETTINGS_MODULE"] = "bench.floor_settings"
            import django

            django.setup()
            from bench.dataset import Targets

            targets = Targets(**manifest["targets"])
            timings = manifest["timings"]
            generation = manifest["generation_seconds"]
            tuned = manifest.get("settings", {})
            _log(f"reusing the scale {args.scale} dataset in {var} (made {manifest['made']})")
        else:
            cluster, targets, timings, generation = _make_dataset(args, database, var, env, began)
            tuned = PG_SETTINGS if cluster is not None else {}
            (var / MANIFEST).write_text(
                json.dumps(
                    {
                        "scale": args.scale,
                        "made": f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
                        "database_url": env.get("DATABASE_URL", ""),
                        "cluster_data": str(cluster.data) if cluster is not None else "",
                        "targets": dataclasses.asdict(targets),
                        "timings": timings,
                        "generation_seconds": generation,
                        "settings": tuned,
                    }
                )
            )
        from django.db import connection

        server = Server(
            env, workers=args.workers, log=var / "server.log", asgi=args.variant == "asgi"
        )
        marks = _high_water()
        results = _measure(args, server, targets)
        mixed_text = ""
        mixed_rps: float | None = None
        mixed_errors = 0
        if args.mixed_seconds > 0:
            from bench import mixed
            from portico.service.models import Priority

            load = mixed.run(
                server.host,
                server.port,
                seconds=args.mixed_seconds,
                priority_id=Priority.objects.get(code="P3").pk,
                log=_log,
            )
            mixed_text, mixed_rps, mixed_errors = load.text, load.requests_per_s, load.errors
            connection.close()
            _log(mixed_text)
        campaign_text = ""
        chosen = {k for k in args.only.split(",") if k}
        if not chosen or "campaign" in chosen:
            from bench import campaign

            campaign_text = campaign.run(log=_log)
            connection.close()
            _log(campaign_text)
        if args.keep:
            _undo_writes(marks)
        run = report.Run(
            scale=args.scale,
            database=connection.vendor,
            database_version=_db_version(),
            when=datetime.datetime.now(datetime.UTC),
            commit=commit,
            generation_seconds=generation,
            timings=timings,
            counts=targets.counts,
            workers=args.workers,
            threads=server.threads,
            connections=args.connections,
            seconds=args.seconds,
            samples=args.samples,
            results=results,
            settings=tuned,
            variant=args.variant,
            mixed_rps=mixed_rps,
            mixed_errors=mixed_errors,
        )
        text = (
            report.render_run(run, report.previous_runs(args.results)) + mixed_text + campaign_text
        )
        print()
        print(text)
        if not args.no_write:
            report.write(args.results, run, text)
            _log(f"written to {args.results}")
        _log(f"total wall time {time.monotonic() - began:.0f} s")
        return 0
    finally:
        if server is not None:
            server.stop()
        cluster = _CLUSTERS[0] if _CLUSTERS else None
        if cluster is not None and not args.keep:
            cluster.stop()
        if not args.keep:
            shutil.rmtree(var, ignore_errors=True)
        else:
            _log(f"kept {var} (measure again with --reuse {var})")
            url = env.get("DATABASE_URL")
            if url:
                data = manifest.get("cluster_data") or (cluster.data if cluster else "")
                _log(
                    f"PostgreSQL still runs at {url}: stop it with "
                    f"runuser -u postgres -- pg_ctl -D {data} -m fast stop"
                )


def _make_dataset(
    args: argparse.Namespace, database: str, var: Path, env: dict[str, str], began: float
) -> tuple[Any, Any, dict[str, float], float]:
    """A fresh database (a throwaway cluster for PostgreSQL), migrated, with the demo
    people, then the scale's rows. Leaves Django set up in this process on it."""
    cluster: Any = None
    timings: dict[str, float] = {}
    if database == "postgres":
        sys.path.insert(0, str(ROOT))
        from tests.postgres_cluster import Cluster

        started = time.monotonic()
        cluster = Cluster()
        cluster.start()
        _CLUSTERS.append(cluster)
        _restart(cluster, durable=False)  # fsync off for the load only
        _create_database(cluster)
        env["DATABASE_URL"] = cluster.url
        timings["cluster"] = time.monotonic() - started
        _log(f"PostgreSQL {cluster.bindir.parent.name} on port {cluster.port} ({var})")
    started = time.monotonic()
    for command in (["prepare"], ["seed_demo"]):
        done = subprocess.run(
            [str(BIN / "portico"), *command],
            env={**env, "DJANGO_SETTINGS_MODULE": "portico.settings"},
            check=False,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode:
            raise RuntimeError(f"portico {command[0]} failed:\n{done.stdout}{done.stderr}")
    timings["prepare+seed_demo"] = time.monotonic() - started
    _log(f"prepare + seed_demo: {timings['prepare+seed_demo']:.1f} s")

    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.floor_settings"
    import django

    django.setup()
    from django.db import connection

    from bench import dataset

    scale = dataset.SCALES[args.scale]
    _log(
        f"generating scale {scale.name}: {scale.transactions:,} transactions, "
        f"{scale.notes:,} notes on {connection.vendor}"
    )
    targets = dataset.generate(scale, workdir=var, log=_log)
    timings.update(targets.timings)
    if cluster is not None:
        connection.close()
        started = time.monotonic()
        _restart(cluster, durable=True)
        timings["restart durable"] = time.monotonic() - started
    generation = time.monotonic() - began
    _log(f"dataset ready in {generation:.1f} s: {targets.counts}")
    return cluster, targets, timings, generation


_CLUSTERS: list[Any] = []


def _restart(cluster: Any, *, durable: bool) -> None:
    """Restart the throwaway cluster with the tuning above; durable=False turns fsync,
    full-page writes and synchronous commit off (used only while loading)."""
    settings = dict(PG_SETTINGS)
    if not durable:
        settings.update(fsync="off", full_page_writes="off", synchronous_commit="off")
    options = f"-p {cluster.port} -k {cluster.base} -c listen_addresses=127.0.0.1 " + " ".join(
        f"-c {k}={v}" for k, v in settings.items()
    )
    subprocess.run(
        [
            *cluster.run_as,
            str(cluster.bindir / "pg_ctl"),
            "-D",
            str(cluster.data),
            "-l",
            str(cluster.base / "log"),
            "-w",
            "-t",
            "120",
            "-m",
            "fast",
            "-o",
            options,
            "restart",
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )


def _create_database(cluster: Any) -> None:
    """initdb makes only `postgres`; Portico's URL names the `portico` database."""
    import psycopg

    url = cluster.url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute("CREATE DATABASE portico")


def _db_version() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        dirty = subprocess.run(
            # RESULTS.md is the harness's own output: a run written there earlier is
            # not a change to the code being measured.
            [
                "git",
                "status",
                "--porcelain",
                "--untracked-files=no",
                "--",
                ".",
                ":!bench/RESULTS.md",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.strip()
        return f"{out}{' (with uncommitted changes)' if dirty else ''}"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _drain(limit_s: float = 120.0) -> None:
    """Wait for requests wrk gave up on (its 10 s timeout) to finish on the server, so
    they do not run into the next workload; then let the backends report statistics."""
    from django.db import connection

    time.sleep(1.5)
    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state = 'active' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                break
        time.sleep(1)
    time.sleep(1)


def _pg_sessions() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


def _written() -> list[Any]:
    """What the POST workloads and the mixed run write and a kept dataset should not keep
    (children before parents: notifications and notes name transactions)."""
    from portico.audit.models import Event
    from portico.notify.models import Notification
    from portico.service.models import Note, Transaction

    return [Notification, Note, Event, Transaction]


def _cascaded() -> list[Any]:
    from portico.service.models import Grant, ProfileValue

    return [Grant, ProfileValue]


def _high_water() -> dict[str, int]:
    from django.db.models import Max

    return {
        model._meta.label: model.objects.aggregate(top=Max("pk"))["top"] or 0
        for model in _written()
    }


def _undo_writes(marks: dict[str, int]) -> None:
    """Delete what this run wrote, so that measuring a kept dataset again measures the
    same data: each run's POSTs added about 650 transactions to the busiest
    organisation, all newer than its own, and its portal lists slowed run after run."""
    from django.db import connection, transaction

    undone = []
    with transaction.atomic():
        for model in _written():
            label = model._meta.label
            _total, deleted = model.objects.filter(pk__gt=marks[label]).delete()
            undone.append(f"{deleted.get(label, 0):,} {model._meta.verbose_name_plural}")
    if connection.vendor == "postgresql":
        # At a million rows autovacuum waits for 200,000 dead ones (three runs leave some
        # 20,000); until then the next run's index walks step over them at the newest end
        # of the busiest organisation's lists, and its statistics count them.
        with connection.cursor() as cursor:
            cursor.execute(
                "VACUUM ANALYZE "
                + ", ".join(model._meta.db_table for model in (*_written(), *_cascaded()))
            )
    connection.close()
    _log("undid this run's writes: " + ", ".join(undone))


def _measure(args: argparse.Namespace, server: Server, targets: Any) -> list[Any]:
    from django.db import connection

    from bench import dataset
    from bench.workloads import PASSWORD, PERSONAS, workloads
    from portico.parties.models import User
    from portico.service.models import Priority

    chosen = {k for k in args.only.split(",") if k}
    priority = Priority.objects.get(code="P3")
    targets.three_notes = dataset.three_notes(PERSONAS["customer"])
    items = [
        w
        for w in workloads(targets, priority_id=priority.pk)
        if not chosen or w.key in chosen or w.kind == "floor"
    ]
    users = {key: User.objects.get(email=email) for key, email in PERSONAS.items()}
    counts: dict[str, int] = {}
    for w in items:
        if w.request is not None:
            counts[w.key] = _query_count(w, users.get(w.persona or ""))
    _log("queries per request: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    connection.close()

    var = server.log.parent
    _log(f"serving: {' '.join(server.command)}")
    server.start()
    sessions = {
        key: client.login(server.host, server.port, email, PASSWORD)
        for key, email in PERSONAS.items()
    }
    results: list[report.Result] = []
    for w in items:
        if w.request is None:
            results.append(report.Result(w.key, w.label, w.kind, note=w.why_missing))
            _log(f"{w.label}: {w.why_missing}")
            continue
        session = sessions[w.persona] if w.persona else client.Session()
        lat = client.latency(
            server.host, server.port, session, w.request, count=args.samples, warmup=20
        )
        before = _pg_sessions()
        connection.close()
        thr = client.throughput(
            server.host,
            server.port,
            session,
            w.request,
            connections=args.connections,
            seconds=args.seconds,
            workdir=var,
        )
        _drain()
        after = _pg_sessions()
        connection.close()
        per_request = (
            (after - before) / thr.requests
            if before is not None and after is not None and thr.requests
            else None
        )
        result = report.Result(
            w.key,
            w.label,
            w.kind,
            requests_per_s=thr.requests_per_s,
            p50_ms=lat.p50_ms,
            p99_ms=lat.p99_ms,
            errors=thr.errors + lat.errors,
            queries=counts.get(w.key),
            wrk_requests=thr.requests,
            latency_samples=lat.requests,
            db_connections_per_request=per_request,
        )
        results.append(result)
        _log(
            f"{w.label}: {thr.requests_per_s:.0f} req/s, p50 {lat.p50_ms:.1f} ms, "
            f"p99 {lat.p99_ms:.1f} ms, errors {thr.errors + lat.errors}, "
            f"{counts.get(w.key)} queries"
            + (f", {per_request:.2f} new DB connections/request" if per_request else "")
        )
        if thr.errors:
            (var / f"wrk-{w.key}.txt").write_text(thr.output)
    return results


def _query_count(w: Any, user: Any) -> int:
    """Run the workload's request once in-process (after one warm-up) and count SQL."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    django_client = Client(HTTP_HOST="127.0.0.1")
    if user is not None:
        django_client.force_login(user)
    path = w.request.paths[0]

    def once() -> Any:
        if w.request.method == "POST":
            return django_client.post(
                path, data=w.request.body, content_type="application/x-www-form-urlencoded"
            )
        return django_client.get(path)

    once()
    with CaptureQueriesContext(connection) as captured:
        response = once()
    if response.status_code != w.request.expected:
        raise RuntimeError(
            f"{w.key}: {path} answered {response.status_code}, not {w.request.expected}"
        )
    return len(captured)


Log = Callable[[str], None]
