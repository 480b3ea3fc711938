"""A throwaway Redis server for tests that need one: Debian's redis-server, started
unprivileged (as `nobody` when we are root) on a free port on 127.0.0.1 with no
persistence, in a temporary directory deleted when it stops."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

REDIS_SERVER = "/usr/bin/redis-server"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    def __init__(self) -> None:
        if not Path(REDIS_SERVER).exists():
            raise RuntimeError("redis-server is not installed: run `make test-deps`.")
        self.base = Path(tempfile.mkdtemp(prefix="portico-redis-"))
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        # Popen's user/group, not runuser: runuser answers SIGTERM by ending its session.
        self.owner: pwd.struct_passwd | None = None
        if os.geteuid() == 0:
            self.owner = pwd.getpwnam("nobody")
            os.chown(self.base, self.owner.pw_uid, self.owner.pw_gid)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        command = [
            REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1",
            "--dir", str(self.base), "--save", "", "--appendonly", "no",
            "--daemonize", "no", "--logfile", str(self.base / "redis.log"),
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            user=self.owner.pw_uid if self.owner else None,
            group=self.owner.pw_gid if self.owner else None,
            extra_groups=[] if self.owner else None,
            process_group=0,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                log = (self.base / "redis.log").read_text(errors="replace")
                raise RuntimeError(f"redis-server exited: {log[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not answer within 15 s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def production_caches(url: str) -> dict[str, Any]:
    """CACHES as portico.settings makes it with REDIS_URL=`url`, read in a fresh
    interpreter as a server process would; for `override_settings(CACHES=...)`."""
    show = "import json, portico.settings as s; print(json.dumps(s.CACHES))"
    env = {**os.environ, "REDIS_URL": url}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-c", show], env=env, check=True, capture_output=True, text=True
    )
    caches: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return caches
