"""Portico served as in production: gunicorn's threaded WSGI workers (gthread), DEBUG
off, bound to 127.0.0.1 on a free port. The settings module is bench.floor_settings
(Portico's own plus the two floor views), so the workloads and the floor are served
identically. `asgi=True` serves it the way it was served before issue 25 (uvicorn
workers, PostgreSQL connections from a pool), to compare the two."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Threads per WSGI worker: each keeps one database connection.
THREADS = 4


# What a test runner sets for its own process and a child Portico must not inherit.
_RUNNER_ONLY = frozenset({"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"})


def portico_env(**settings: str) -> dict[str, str]:
    """The environment for a Portico process started by a test: this process's, less the
    runner's database and settings module, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if k not in _RUNNER_ONLY}
    env.update(settings)
    return env


def portico(env: dict[str, str], *args: str) -> str:
    """`portico ARGS` (manage.py) run to the end in `env`; what it printed."""
    done = subprocess.run(
        [str(BIN / "portico"), *args], env=env, cwd=ROOT, capture_output=True, text=True,
        timeout=300, check=True,
    )  # fmt: skip
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(
        self,
        env: dict[str, str],
        *,
        workers: int,
        log: Path,
        threads: int = THREADS,
        asgi: bool = False,
        root: Path = ROOT,
        settings: str = "bench.floor_settings",
    ) -> None:
        # `root` and `settings`: another checkout's code, as tests/test_migrations_upgrade.py
        # serves the commit before a migration.
        self.env = {**env, "DJANGO_SETTINGS_MODULE": settings, "BENCH_SERVER": "1"}
        self.env.pop("PORTICO_DEBUG", None)
        self.root = root
        self.workers = workers
        self.threads = threads
        self.asgi = asgi
        self.port = free_port()
        self.host = "127.0.0.1"
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def command(self) -> list[str]:
        if self.asgi:
            server = ["portico.asgi:application", "--worker-class", "uvicorn_worker.UvicornWorker"]
        else:
            server = ["portico.wsgi:application", "--worker-class", "gthread"]
            server += ["--threads", str(self.threads)]
        # Production's configuration (deploy/systemd/portico-web@.service): its hooks
        # count /metrics across the workers; what follows overrides the rest. Not for the
        # ASGI variant: the configuration reads the settings in the master, before
        # portico.asgi says it is ASGI, so each worker would keep a connection per thread
        # instead of its pool. An older checkout served for the migration check
        # (tests/test_migrations_upgrade.py) may predate it.
        config = self.root / "src" / "portico" / "operations" / "gunicorn_conf.py"
        if config.exists() and not self.asgi:
            server += ["--config", "python:portico.operations.gunicorn_conf"]
        return [
            str(BIN / "gunicorn"),
            *server,
            "--workers",
            str(self.workers),
            "--bind",
            f"{self.host}:{self.port}",
            "--pythonpath",
            str(self.root),
            "--chdir",
            str(self.root),
            "--timeout",
            "60",
            "--graceful-timeout",
            "10",
            "--log-level",
            "warning",
        ]

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 60
        url = f"http://{self.host}:{self.port}/healthz"
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {self.log}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer within 60 s: see {self.log}")
            time.sleep(0.2)
        # Every worker imports Django lazily on its first request: warm them all.
        for _ in range(self.workers * 8):
            with urllib.request.urlopen(url, timeout=10) as response:
                response.read()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def default_workers() -> int:
    return 2 * (os.cpu_count() or 1)
