"""gunicorn's configuration for Portico, the same wherever it is served: the systemd
units, the containers, `portico serve` and the tests all run

    gunicorn --config python:portico.operations.gunicorn_conf --bind HOST:PORT

The numbers come from Portico's settings (which read the environment), so an operator
sets PORTICO_WEB_WORKERS and PORTICO_WEB_THREADS in one place whatever starts the server.

The hooks give the worker processes one directory in which to count requests for
/metrics (portico.operations.metrics): prometheus_client reads PROMETHEUS_MULTIPROC_DIR
when a worker first imports it, so it is set here, in the master, before any worker
forks. Nothing here may import prometheus_client at module level, nor may the app be
preloaded (`--preload`) into the master: either would fix the kind of counter before the
directory is known, and each worker would then count alone. (Reading the settings is
fine: portico.settings imports neither.)
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portico.settings")

# Imported after the settings module is named: reading settings needs it.
from django.conf import settings

wsgi_app = "portico.wsgi:application"
# The command line's --bind wins; this is for a bare `gunicorn --config …`.
bind = ["127.0.0.1:8000"]
worker_class = "gthread"
workers = settings.PORTICO_WEB_WORKERS
threads = settings.PORTICO_WEB_THREADS
# A request still running after this long is stuck: its worker is replaced. nginx's
# proxy_read_timeout (deploy/nginx/portico.conf) is the same, so nginx does not give up
# on a request that gunicorn would still let finish.
timeout = 60
# On SIGTERM (systemctl stop, a deploy) requests in hand get this long to finish;
# the units' TimeoutStopSec is longer.
graceful_timeout = 25
# nginx keeps connections to the app servers open (upstream keepalive); a shorter wait
# here would close them under nginx while it sends the next request.
keepalive = 75
# nginx writes the access log, and Portico's request log (portico.requests) says more:
# who asked, the request id and the time taken, as JSON when PORTICO_LOG_FORMAT=json.
accesslog = None
errorlog = "-"
# gunicorn 27's control socket lives in $HOME by default: two app servers on one machine
# would fight over it, and the units give the service user no home to write in.
# Operators manage the servers through systemd (HUP reloads, TERM stops).
control_socket_disable = True
# gunicorn's own lines (booting, a worker timed out) in the format of the rest.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": settings.LOGGING["formatters"],
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if settings.LOG_FORMAT == "json" else "text",
            "stream": "ext://sys.stderr",
        }
    },
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["console"], "propagate": False},
        "gunicorn.access": {"level": "WARNING", "handlers": ["console"], "propagate": False},
    },
}


def metrics_directory(bind: list[str]) -> Path:
    """PORTICO_METRICS_DIR, else one under var/ named after the addresses served, so that
    two app servers on one machine keep apart (and neither empties the other's)."""
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
