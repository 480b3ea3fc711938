"""`python -m bench.compare --large DIR --small DIR [DIR ...]`: the "no page grows with
the data" check, measured so that the host's drift cannot decide it.

This machine is shared: the same run measured twice half an hour apart differed by 40 to
70 % (stop 14), so an L run set against an S run made at another time compares the two
moments as much as the two sizes. Here every dataset is served at once, each by its own
Portico (gunicorn, the production configuration), and each workload's requests go to
them in turn, one at a time: L, S, L, S… Whatever slows the host slows both alike, and
the ratio of medians is the data's doing (and the database engine's, when the small
dataset is on SQLite).

The datasets are those `python -m bench --keep` left (PostgreSQL clusters still
running). Only the GET workloads and the floor run: the POSTs would write into kept
datasets. The table is printed and, unless --no-write, put at the top of
bench/RESULTS.md."""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import client, report
from bench.run import MANIFEST, _commit, environment
from bench.server import ROOT, Server

L_OVER_S = 1.5  # the budget: latency at L within 1.5x of latency at S


@dataclass
class Dataset:
    var: Path
    manifest: dict[str, Any]
    server: Server | None = None
    sessions: dict[str, client.Session] = field(default_factory=dict)
    requests: dict[str, client.Request] = field(default_factory=dict)

    @property
    def database(self) -> str:
        return "postgresql" if self.manifest.get("database_url") else "sqlite"

    @property
    def name(self) -> str:
        return f"{self.manifest['scale']} ({self.database})"

    @property
    def transactions(self) -> int:
        return int(self.manifest["targets"]["counts"]["transactions"])

    def env(self) -> dict[str, str]:
        env = environment(self.var)
        if self.manifest.get("database_url"):
            env["DATABASE_URL"] = self.manifest["database_url"]
        return env


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__)
    parser.add_argument("--large", type=Path, required=True, help="a kept scale-L dataset")
    parser.add_argument(
        "--small", type=Path, nargs="+", required=True, help="kept scale-S datasets"
    )
    parser.add_argument("--samples", type=int, default=200, help="requests per dataset")
    parser.add_argument("--only", default="", help="comma-separated workload keys")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "RESULTS.md")
    parser.add_argument("--no-write", action="store_true")
    return parser.parse_args(argv)


def _log(message: str) -> None:
    print(f"[compare] {message}", file=sys.stderr, flush=True)


def _workloads(targets: dict[str, Any]) -> list[Any]:
    from bench.dataset import Targets
    from bench.workloads import workloads

    # The priority only matters to the create POST, which this comparison leaves out.
    return [w for w in workloads(Targets(**targets), priority_id=0) if w.kind in ("GET", "floor")]


def _interleaved(
    datasets: list[Dataset], key: str, session_of: dict[str, str], count: int
) -> list[list[float]]:
    """`count` sequential requests to each dataset's server, in turn, after 20 each to
    warm up; one keep-alive connection per server. Returns each dataset's samples (ms)."""
    conns = []
    for d in datasets:
        assert d.server is not None
        conns.append(http.client.HTTPConnection(d.server.host, d.server.port, timeout=60))
    samples: list[list[float]] = [[] for _ in datasets]
    sent = [0] * len(datasets)
    for n in range(20 + count):
        for i, d in enumerate(datasets):
            request = d.requests[key]
            session = d.sessions.get(session_of[key], client.Session())
            path = request.paths[sent[i] % len(request.paths)]
            sent[i] += 1
            started = time.perf_counter()
            conns[i].request("GET", path, headers=client._headers(session, request))
            response = conns[i].getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != request.expected:
                raise RuntimeError(f"{d.name} {path} answered {response.status}")
            if n >= 20:
                samples[i].append(elapsed)
    for conn in conns:
        conn.close()
    return samples


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    # The servers import the code as it is now; a commit made while they run is not it.
    commit = _commit()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.floor_settings")
    os.environ.setdefault("SECRET_KEY", "bench-compare")
    import django

    django.setup()
    from bench.workloads import PASSWORD, PERSONAS

    datasets = [
        Dataset(var.resolve(), json.loads((var / MANIFEST).read_text()))
        for var in (args.large, *args.small)
    ]
    if datasets[0].manifest["scale"] != "L" or any(
        d.manifest["scale"] != "S" for d in datasets[1:]
    ):
        _log("--large takes a scale-L dataset and --small scale-S ones")
        return 2
    chosen = {k for k in args.only.split(",") if k}
    labels: dict[str, str] = {}
    persona: dict[str, str] = {}
    for d in datasets:
        for w in _workloads(d.manifest["targets"]):
            if w.request is not None and (not chosen or w.key in chosen or w.kind == "floor"):
                d.requests[w.key] = w.request
                labels[w.key] = w.label
                persona[w.key] = w.persona or ""
    keys = [k for k in labels if all(k in d.requests for d in datasets)]
    try:
        for d in datasets:
            d.server = Server(d.env(), workers=2, log=d.var / "compare-server.log")
            d.server.start()
            d.sessions = {
                key: client.login(d.server.host, d.server.port, email, PASSWORD)
                for key, email in PERSONAS.items()
            }
            _log(f"serving {d.name} from {d.var} on port {d.server.port}")
        rows = []
        for key in keys:
            samples = _interleaved(datasets, key, persona, args.samples)
            p50 = [statistics.median(s) for s in samples]
            rows.append((key, p50))
            _log(
                f"{labels[key]}: "
                + ", ".join(f"{d.name} {p:.1f} ms" for d, p in zip(datasets, p50, strict=True))
            )
    finally:
        for d in datasets:
            if d.server is not None:
                d.server.stop()
    text = _render(datasets, keys, labels, rows, args.samples, commit=commit)
    print(text)
    if not args.no_write:
        old = args.results.read_text() if args.results.exists() else ""
        at = old.find(report.RUN_MARK)
        head, rest = (old[:at], old[at:]) if at >= 0 else (report.HEADER, "")
        args.results.write_text(head + text + "\n" + rest)
        _log(f"written to {args.results}")
    return 0


def _render(
    datasets: list[Dataset],
    keys: list[str],
    labels: dict[str, str],
    rows: list[tuple[str, list[float]]],
    samples: int,
    *,
    commit: str,
) -> str:
    small = datasets[1:]
    m = report.machine()
    now = datetime.datetime.now(datetime.UTC)
    lines = [
        report.RUN_MARK,
        f"## L against S, interleaved — {now:%Y-%m-%d %H:%M} UTC, commit {commit}",
        "",
        f"- Machine: nproc {m['nproc']}, memory {m['memory']}, CPU {m['cpu']}.",
        "- `python -m bench.compare`: each dataset served at once by its own Portico "
        "(gunicorn, 2 × uvicorn worker, bench.floor_settings); per workload 20 warm-up "
        f"requests each, then {samples} each, sent in turn (L, S…, L, S…) on one "
        "keep-alive connection per server, so that the host's drift falls on all alike.",
        "- Datasets: "
        + "; ".join(f"{d.name}: {d.transactions:,} transactions" for d in datasets)
        + ".",
        "",
        "| workload | "
        + " | ".join(f"p50 ms {d.name}" for d in datasets)
        + " | "
        + " | ".join(f"L ÷ {d.name}" for d in small)
        + " |",
        "| --- |" + " ---: |" * (len(datasets) + len(small)),
    ]
    verdicts: dict[str, list[str]] = {d.name: [] for d in small}
    for key, p50 in rows:
        ratios = [p50[0] / p for p in p50[1:]]
        lines.append(
            f"| {labels[key]} | "
            + " | ".join(f"{p:.1f}" for p in p50)
            + " | "
            + " | ".join(f"{r:.2f}×" for r in ratios)
            + " |"
        )
        if not key.startswith("floor"):
            for d, r in zip(small, ratios, strict=True):
                if r > L_OVER_S:
                    verdicts[d.name].append(f"{labels[key]} {r:.2f}×")
    lines.append("")
    for d in small:
        over = verdicts[d.name]
        lines.append(
            f"- L within {L_OVER_S:g}× of {d.name} (p50 per GET workload, interleaved): "
            + (f"**not met** ({'; '.join(over)})" if over else "**met**")
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
