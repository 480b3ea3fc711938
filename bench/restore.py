"""`python -m bench.restore`: how long `portico backup` and `portico restore` take, for
the demo data and for a 100,000-transaction set (scale M), on SQLite and PostgreSQL.

Each figure is the wall time of the command as an operator runs it (a fresh process,
Django start-up included). The restore command itself compares the restored row counts
and every file's sha256 with the backup's manifest and fails on any difference, so a
figure is only printed for a restore that brought everything back.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import run
from bench.server import BIN

SETTINGS = "portico.settings"


def _portico(env: dict[str, str], *args: str, timeout: float = 3600) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run(
        [str(BIN / "portico"), *args],
        env={**env, "DJANGO_SETTINGS_MODULE": SETTINGS},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"portico {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return time.monotonic() - started, done.stdout.strip().splitlines()[-1]


def _drill(env: dict[str, str], var: Path) -> dict[str, Any]:
    backups = var / "backups"
    backup_s, _ = _portico(env, "backup", str(backups))
    made = next(backups.iterdir())
    size = sum(p.stat().st_size for p in made.rglob("*") if p.is_file())
    restore_s, restored = _portico(env, "restore", str(made), "--yes")
    shutil.rmtree(backups)
    # "Restored N rows and F files in S s from …": the command's own count and time.
    found = re.search(r"Restored ([\d,]+) rows and (\d+) files in ([\d.]+) s", restored)
    if found is None:
        raise RuntimeError(f"unexpected restore output: {restored}")
    return {
        "backup_s": backup_s,
        "restore_s": restore_s,
        "bytes": size,
        "rows": found[1],
        "files": found[2],
        "inside_s": float(found[3]),
    }


def _environment(var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in run.SCRUBBED}
    env.update(
        {
            "PORTICO_VAR_DIR": str(var),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "PORTICO_LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join([str(run.ROOT), env.get("PYTHONPATH", "")]).rstrip(
                os.pathsep
            ),
        }
    )
    return env


def _demo(database: str) -> dict[str, Any]:
    var = Path(tempfile.mkdtemp(prefix="portico-restore-demo-"))
    cluster: Any = None
    try:
        env = _environment(var)
        if database == "postgres":
            from tests.postgres_cluster import Cluster

            cluster = Cluster()
            cluster.start()
            run._create_database(cluster)
            env["DATABASE_URL"] = cluster.url
        _portico(env, "prepare", "--demo", timeout=900)
        return _drill(env, var)
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(var, ignore_errors=True)


def _scale_m(database: str) -> dict[str, Any]:
    """The M dataset is generated in this process (as `make bench` does), then backed up
    and restored by the commands in their own processes."""
    var = Path(tempfile.mkdtemp(prefix="portico-restore-M-"))
    env = _environment(var)
    args = argparse.Namespace(scale="M")
    try:
        run._make_dataset(args, database, var, env, time.monotonic())
        from django.db import connection

        connection.close()
        return _drill(env, var)
    finally:
        for cluster in run._CLUSTERS:
            cluster.stop()
        shutil.rmtree(var, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.restore", description=__doc__)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--only", choices=["demo", "M"], default=None)
    args = parser.parse_args()
    rows = []
    if args.only in (None, "demo"):
        rows.append(("demo data", _demo(args.database)))
    if args.only in (None, "M"):
        rows.append(("scale M (100,000 transactions)", _scale_m(args.database)))
    print(f"\nbackup and restore on {args.database}")
    print("| data | rows | files | size MB | backup s | restore s | of which restoring s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, r in rows:
        print(
            f"| {name} | {r['rows']} | {r['files']} | {r['bytes'] / 1e6:.1f} | "
            f"{r['backup_s']:.1f} | {r['restore_s']:.1f} | {r['inside_s']:.1f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
