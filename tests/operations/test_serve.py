"""`portico serve` (what `make run` runs) when one of its processes cannot go on: the
others are stopped too, and it says so and exits non-zero, so that a half-running
Portico (pages but no worker, or a worker and no pages) is never left behind."""

import socket
import subprocess
import time
from pathlib import Path

from bench.server import BIN, free_port, portico_env

from tests.postgres_cluster import sqlite_pass_only

pytestmark = sqlite_pass_only("it serves its own SQLite database")


def test_a_web_server_that_cannot_start_stops_the_worker(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = portico_env(PORTICO_VAR_DIR=str(tmp_path))
        started = time.monotonic()
        served = subprocess.run(
            [
                *(BIN / "portico", "serve", "--host", "127.0.0.1", "--port", str(port)),
                *("--mail-port", str(free_port())),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert served.returncode != 0
    assert "stopped (exit status" in served.stderr, served.stderr
    assert time.monotonic() - started < 60
    # Neither child is left: no process runs with this test's var/ directory.
    assert _running_with(f"PORTICO_VAR_DIR={tmp_path}") == []


def _running_with(setting: str) -> list[int]:
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if setting.encode() in environ.read_bytes().split(b"\0"):
                found.append(int(environ.parent.name))
        except OSError:  # gone meanwhile, or not ours to read
            continue
    return found
