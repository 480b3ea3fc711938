"""A throwaway PostgreSQL cluster for the test session.

With PORTICO_TEST_DATABASE=postgres, the pytest process that starts first (the xdist
controller, or a lone pytest) runs initdb and pg_ctl in a temporary directory, on a
free port on 127.0.0.1, as the unprivileged `postgres` user when run as root, and
points DATABASE_URL at it before Django reads its settings. xdist workers inherit the
variable and share the cluster, each with its own test database. The cluster is
stopped and deleted when the session ends.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Generator
from pathlib import Path

import pytest

_cluster: Cluster | None = None


class Cluster:
    def __init__(self, *, durable: bool = False) -> None:
        self.durable = durable
        bindirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version)
        if not bindirs:
            raise RuntimeError("PostgreSQL is not installed: run `make test-deps`.")
        self.bindir = Path(bindirs[-1])
        self.base = Path(tempfile.mkdtemp(prefix="portico-pg-"))
        self.data = self.base / "data"
        self.port = _free_port()
        self.run_as: list[str] = []
        if os.geteuid() == 0:
            # initdb refuses to run as root; the Debian package brings a postgres user.
            owner = pwd.getpwnam("postgres")
            os.chown(self.base, owner.pw_uid, owner.pw_gid)
            self.run_as = ["runuser", "-u", "postgres", "--"]

    @property
    def url(self) -> str:
        return f"postgres://portico@127.0.0.1:{self.port}/portico"

    def _run(self, *args: str) -> None:
        subprocess.run([*self.run_as, *args], check=True, capture_output=True, timeout=120)

    def create_database(self, name: str = "portico") -> None:
        subprocess.run(
            [str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U",
             "portico", name],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip

    def crash(self) -> None:
        """Stop the postmaster as a power cut would: no checkpoint, no goodbye."""
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")

    def restart(self) -> None:
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-t",
            "60",
            "-o",
            self._options(),
            "start",
        )

    @property
    def log(self) -> Path:
        return self.base / "log"

    def start_standby_of(self, primary: Cluster) -> None:
        """A hot standby streaming from `primary`: its base backup, taken over the
        replication protocol (which initdb's trust rules allow from 127.0.0.1), with the
        connection to follow it written in (-R), started on a port of its own."""
        self._run(
            str(self.bindir / "pg_basebackup"),
            "-D", str(self.data), "-h", "127.0.0.1", "-p", str(primary.port), "-U", "portico",
            "-R", "-X", "stream", "--checkpoint=fast",
            *([] if self.durable else ["--no-sync"]),
        )  # fmt: skip
        self.restart()

    def start(self) -> None:
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "portico",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            *([] if self.durable else ["--no-sync"]),
        )
        self.restart()

    def _options(self) -> str:
        options = (
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c max_connections=200"
        )
        # Durability is not under test in the suite's own cluster (the crash tests run
        # a durable one), so trade it for speed there.
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        return options

    def stop(self) -> None:
        if not self.base.exists():
            return
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self._run(
                str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"
            )
        shutil.rmtree(self.base, ignore_errors=True)


def _version(bindir: str) -> float:
    try:
        return float(Path(bindir).parent.name)
    except ValueError:
        return 0.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def scratch_database(prefix: str) -> tuple[str, Callable[[], None]]:
    """A database of its own in the suite's throwaway cluster (the PostgreSQL pass's
    DATABASE_URL), for a server a test starts; and how to drop it."""
    import psycopg

    base = os.environ["DATABASE_URL"]
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = base.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    return base.rsplit("/", 1)[0] + f"/{name}", drop


def wanted() -> bool:
    return os.environ.get("PORTICO_TEST_DATABASE", "sqlite") == "postgres"


def sqlite_pass_only(why: str) -> pytest.MarkDecorator:
    """For a test whose outcome does not depend on the test database (or that brings
    its own SQLite file): it runs once, in the SQLite pass, and the skip says why."""
    return pytest.mark.skipif(wanted(), reason=f"runs in the SQLite pass: {why}")


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(
    early_config: pytest.Config, parser: pytest.Parser, args: list[str]
) -> Generator[None]:
    # A wrapper runs before pytest-django's own hook, which is where settings are read.
    global _cluster
    if wanted() and "DATABASE_URL" not in os.environ:
        _cluster = Cluster()
        _cluster.start()
        atexit.register(_cluster.stop)
        os.environ["DATABASE_URL"] = _cluster.url
    return (yield)


def pytest_report_header(config: pytest.Config) -> str:
    if wanted():
        return f"database: PostgreSQL at {os.environ.get('DATABASE_URL', '?')}"
    return "database: SQLite"


def pytest_unconfigure(config: pytest.Config) -> None:
    if _cluster is not None:
        _cluster.stop()
