"""The table, the budget lines and bench/RESULTS.md (newest run at the top)."""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RUN_MARK = "<!-- bench-run -->"
DATA = re.compile(r"<!-- bench-data (\{.*?\}) -->", re.S)
HEADER = """# Benchmark results

Written by `python -m bench --scale S|L` (`make bench SCALE=S|L`); the newest run is at
the top, earlier runs below it. How the figures are made: bench/README.md.

"""
FLOOR = "floor-rows"  # "of floor" = the workload's req/s ÷ this floor's req/s

# The budget (issue 25, "Speed, round two"; the p99 line is the first budget's).
GET_P50_MS = 15.0
GET_P99_MS = 60.0
CUSTOMER_PAGE = "portal-transaction"  # the customer's transaction page has its own line
CUSTOMER_PAGE_P50_MS = 10.0
POST_P50_MS = 12.0
QUEUE_OF_FLOOR = 0.5  # the console queue's req/s at 16 connections ÷ the 50-row floor's
L_OVER_S = 1.5
# The mixed load at L: four times the 44.5 req/s measured at 2d89c23, with 0 errors.
MIXED_RPS = 4 * 44.5
# The report pages' own (issue "Reports and metrics"): a 90-day period, and two years
# (the workloads whose key ends in -2y).
REPORT_P50_MS = 300.0
REPORT_2Y_P50_MS = 1000.0


def is_report(key: str) -> bool:
    return key.startswith("report-")


@dataclass
class Result:
    key: str
    label: str
    kind: str
    note: str = ""
    requests_per_s: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    errors: int | None = None
    queries: int | None = None
    wrk_requests: int | None = None
    latency_samples: int | None = None
    db_connections_per_request: float | None = None


@dataclass
class Run:
    scale: str
    database: str
    database_version: str
    when: datetime.datetime
    commit: str
    generation_seconds: float
    timings: dict[str, float]
    counts: dict[str, int]
    workers: int
    connections: int
    seconds: int
    samples: int
    results: list[Result]
    settings: dict[str, str] = field(default_factory=dict)
    variant: str = ""
    threads: int = 0
    mixed_rps: float | None = None
    mixed_errors: int = 0


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return {"nproc": str(os.cpu_count()), "memory": memory, "cpu": cpu}


def previous_runs(path: Path) -> list[dict[str, Any]]:
    """The machine-readable part of every earlier run, newest first."""
    if not path.exists():
        return []
    return [json.loads(m.group(1)) for m in DATA.finditer(path.read_text())]


def _fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _table(run: Run, floor_rps: float | None) -> list[str]:
    lines = [
        "| workload | req/s @16 | p50 ms @1 | p99 ms @1 | errors | SQL/req | of floor |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in run.results:
        if r.requests_per_s is None:
            lines.append(f"| {r.label} | {r.note} | | | | | |")
            continue
        fraction = f"{r.requests_per_s / floor_rps:.2f}" if floor_rps and r.kind != "floor" else "–"
        lines.append(
            f"| {r.label} | {_fmt(r.requests_per_s, 0)} | {_fmt(r.p50_ms)} | {_fmt(r.p99_ms)} "
            f"| {r.errors} | {r.queries if r.queries is not None else '–'} | {fraction} |"
        )
    return lines


def budget(run: Run, earlier: list[dict[str, Any]]) -> list[tuple[str, bool | None, str]]:
    """Each budget line: (line, met? (None = not applicable), detail)."""
    gets = [
        r for r in run.results if r.kind == "GET" and r.p50_ms is not None and not is_report(r.key)
    ]
    reports = [r for r in run.results if is_report(r.key) and r.p50_ms is not None]
    posts = [r for r in run.results if r.kind == "POST" and r.p50_ms is not None]
    measured = [r for r in run.results if r.errors is not None]
    out: list[tuple[str, bool | None, str]] = []

    def worst(rows: list[Result], attr: str, limit: float) -> tuple[bool, str]:
        over = [r for r in rows if getattr(r, attr) > limit]
        if not over:
            top = max(rows, key=lambda r: getattr(r, attr), default=None)
            return True, f"highest {top.label} {getattr(top, attr):.1f} ms" if top else ""
        return False, "; ".join(f"{r.label} {getattr(r, attr):.1f} ms" for r in over)

    if run.scale == "S":
        ok, detail = worst(gets, "p50_ms", GET_P50_MS)
        out.append((f"GET p50 ≤ {GET_P50_MS:g} ms at 1 connection", ok, detail))
        mine = [r for r in gets if r.key == CUSTOMER_PAGE]
        if mine:
            ok, detail = worst(mine, "p50_ms", CUSTOMER_PAGE_P50_MS)
            out.append(
                (f"customer's transaction page p50 ≤ {CUSTOMER_PAGE_P50_MS:g} ms", ok, detail)
            )
    else:
        out.append((f"GET p50 ≤ {GET_P50_MS:g} ms at 1 connection", None, "checked on S runs"))
    ok, detail = worst(gets, "p99_ms", GET_P99_MS)
    out.append((f"GET p99 ≤ {GET_P99_MS:g} ms at 1 connection", ok, detail))
    if run.scale == "S":
        ok, detail = worst(posts, "p50_ms", POST_P50_MS)
        out.append((f"POST p50 ≤ {POST_P50_MS:g} ms at 1 connection", ok, detail))
    if reports:
        short = [r for r in reports if not r.key.endswith("-2y")]
        long = [r for r in reports if r.key.endswith("-2y")]
        ok_short, detail_short = worst(short, "p50_ms", REPORT_P50_MS)
        ok_long, detail_long = worst(long, "p50_ms", REPORT_2Y_P50_MS)
        out.append(
            (
                f"report pages p50 ≤ {REPORT_P50_MS:g} ms (90 days), "
                f"≤ {REPORT_2Y_P50_MS:g} ms (two years)",
                ok_short and ok_long,
                "; ".join(d for d in (detail_short, detail_long) if d),
            )
        )
    queue = next((r for r in run.results if r.key == "console-queue"), None)
    floor = next((r for r in run.results if r.key == FLOOR), None)
    if queue is not None and queue.requests_per_s and floor is not None and floor.requests_per_s:
        share = queue.requests_per_s / floor.requests_per_s
        out.append(
            (
                f"console queue at 16 connections ≥ {QUEUE_OF_FLOOR:g} of the 50-row floor",
                share >= QUEUE_OF_FLOOR,
                f"{share:.2f} ({queue.requests_per_s:.0f} of {floor.requests_per_s:.0f} req/s)",
            )
        )
    if run.scale == "L" and run.mixed_rps is not None:
        out.append(
            (
                f"mixed load ≥ {MIXED_RPS:g} req/s with 0 errors",
                run.mixed_rps >= MIXED_RPS and not run.mixed_errors,
                f"{run.mixed_rps:.1f} req/s, {run.mixed_errors} errors",
            )
        )
    if run.scale == "L":
        small = _latest_s(earlier)
        if small is None:
            out.append((f"L within {L_OVER_S:g}× of S", None, "no S run recorded to compare"))
        else:
            ratios = []
            for r in gets + posts:
                s = small["p50_ms"].get(r.key)
                if s:
                    ratios.append((r.label, r.p50_ms / s))  # type: ignore[operator]
            over = [(label, q) for label, q in ratios if q > L_OVER_S]
            detail = f"p50 L/S against the S run of {small['when']} ({small['database']}): " + (
                "; ".join(f"{label} {q:.2f}×" for label, q in (over or ratios))
            )
            out.append((f"L within {L_OVER_S:g}× of S (p50 per workload)", not over, detail))
    else:
        out.append((f"L within {L_OVER_S:g}× of S", None, "checked on L runs"))
    errors = sum(r.errors or 0 for r in measured)
    out.append(("0 errors", errors == 0, f"{errors} errors"))
    return out


def _latest_s(earlier: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The newest S run, whatever its database: issue 25 holds L on PostgreSQL to S as
    measured on SQLite, the embedded default."""
    small = [e for e in earlier if e.get("scale") == "S" and not e.get("variant")]
    return (small or [None])[0]


def render_run(run: Run, earlier: list[dict[str, Any]]) -> str:
    m = machine()
    floor = next((r for r in run.results if r.key == FLOOR), None)
    floor_rps = floor.requests_per_s if floor else None
    counts = ", ".join(f"{v:,} {k}" for k, v in run.counts.items())
    steps = ", ".join(f"{k} {v:.0f} s" for k, v in run.timings.items())
    lines = [
        RUN_MARK,
        f"## Scale {run.scale} on {run.database_version} — "
        f"{run.when:%Y-%m-%d %H:%M} UTC, commit {run.commit}"
        + (f" — experiment: variant {run.variant}" if run.variant else ""),
        "",
        f"- Machine: nproc {m['nproc']}, memory {m['memory']}, CPU {m['cpu']}. Shared with "
        "other people's test runs while measuring: the figures are noisy (±20 % or more "
        "between runs is normal here).",
        f"- Server: gunicorn, {run.workers} × "
        + (
            "uvicorn_worker.UvicornWorker (ASGI)"
            if run.variant == "asgi"
            else f"gthread ({run.threads} threads each, WSGI)"
        )
        + ", DEBUG off, "
        "settings `bench.floor_settings` (Portico's + the two floor views), 127.0.0.1.",
        f"- Load: wrk {run.connections} connections × {run.seconds} s per workload (req/s); "
        f"{run.samples} sequential requests on one keep-alive connection after 20 warm-up "
        "(p50/p99). SQL/req: the same request once in-process (django.test.Client + "
        "CaptureQueriesContext) after a warm-up request. Errors: any status other than the "
        "expected one (200 for pages, 302 after a POST) or a socket error, in either phase.",
        f"- Data: {counts}.",
        f"- Generation: {run.generation_seconds:.0f} s in all ({steps}).",
    ]
    if run.settings:
        lines.append(
            "- PostgreSQL: throwaway cluster (tests/postgres_cluster.py), "
            + ", ".join(f"{k}={v}" for k, v in run.settings.items())
            + "; fsync, full_page_writes and synchronous_commit off during the load only, "
            "then restarted durable (on) for the measurements."
        )
    connections = [r for r in run.results if r.db_connections_per_request is not None]
    if connections:
        lines.append(
            "- New PostgreSQL connections per request under wrk (pg_stat_database.sessions): "
            + ", ".join(f"{r.key} {r.db_connections_per_request:.2f}" for r in connections)
            + "."
        )
    short = [
        r for r in run.results if r.latency_samples is not None and r.latency_samples < run.samples
    ]
    if short:
        lines.append(
            "- Slow pages stop the latency phase after 60 s (at least 10 samples): "
            + ", ".join(f"{r.key} {r.latency_samples} samples" for r in short)
            + "."
        )
    lines += ["", *_table(run, floor_rps), ""]
    lines.append(
        f"“of floor” = the workload's req/s ÷ the 50-row template floor's req/s "
        f"({_fmt(floor_rps, 0)})."
    )
    lines += ["", "Budget:", ""]
    for line, ok, detail in budget(run, earlier):
        verdict = "n/a" if ok is None else ("met" if ok else "**not met**")
        lines.append(f"- {line}: {verdict} ({detail})")
    data = {
        "scale": run.scale,
        "database": run.database,
        "variant": run.variant,
        "when": f"{run.when:%Y-%m-%d %H:%M} UTC",
        "commit": run.commit,
        "generation_seconds": round(run.generation_seconds, 1),
        "p50_ms": {r.key: round(r.p50_ms, 2) for r in run.results if r.p50_ms is not None},
        "p99_ms": {r.key: round(r.p99_ms, 2) for r in run.results if r.p99_ms is not None},
        "requests_per_s": {
            r.key: round(r.requests_per_s, 1) for r in run.results if r.requests_per_s is not None
        },
        "results": [dataclasses.asdict(r) for r in run.results],
    }
    lines += ["", f"<!-- bench-data {json.dumps(data)} -->", ""]
    return "\n".join(lines)


def write(path: Path, run: Run, text: str) -> None:
    """Put the new run at the top, keeping every earlier run below it."""
    earlier = ""
    if path.exists():
        old = path.read_text()
        at = old.find(RUN_MARK)
        earlier = old[at:] if at >= 0 else ""
    path.write_text(HEADER + text + "\n" + earlier)
