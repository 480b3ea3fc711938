"""gunicorn's configuration for Portico's web server (`portico serve`, and the app servers
in production): `--config python:portico.operations.gunicorn_conf`.

The hooks give the worker processes one directory in which to count requests for
/metrics (portico.operations.metrics): prometheus_client reads PROMETHEUS_MULTIPROC_DIR
when a worker first imports it, so it is set here, in the master, before any worker
forks. Nothing here may import prometheus_client at module level, nor may the app be
preloaded (`--preload`) into the master: either would fix the kind of counter before the
directory is known, and each worker would then count alone.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portico.settings")


def metrics_directory(bind: list[str]) -> Path:
    """PORTICO_METRICS_DIR, else one under var/ named after the addresses served, so that
    two app servers on one machine keep apart (and neither empties the other's)."""
    from django.conf import settings

    if settings.PORTICO_METRICS_DIR:
        return Path(settings.PORTICO_METRICS_DIR)
    name = re.sub(r"[^\w.:\[\]-]+", "_", "+".join(bind))
    return Path(settings.VAR_DIR) / "metrics" / name


def on_starting(server: Any) -> None:
    directory = metrics_directory(list(server.cfg.bind))
    directory.mkdir(parents=True, exist_ok=True)
    # The previous run's files: left, they would pile up with every restart (one a
    # worker, each read at every scrape), and a counter must start again from zero when
    # its server does, which is how Prometheus sees that it restarted.
    for stale in directory.glob("*.db"):
        stale.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)


def child_exit(server: Any, worker: Any) -> None:
    # A dead worker's counters stay in its file and keep counting in the totals; only
    # its "live" gauges, which Portico does not use today, are removed.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
