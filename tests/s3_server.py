"""A throwaway S3-compatible server for tests: moto's server (from PyPI) on a free port
on 127.0.0.1, spoken to over real HTTP, with the bucket Portico's files go in.

It runs as the test's own user: moto is Python, and this machine's interpreter is not
readable by `nobody`. Its state lives in its memory and goes when it stops.

What moto does not do: it checks neither the signature nor the expiry of a presigned
URL (any URL with a `Signature=` parameter counts as signed, moto/s3/responses.py), so a
test can prove what the URL says (its lifetime, its response-* overrides) and that an
unsigned one is refused, not that S3 refuses it once expired.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from types import TracebackType
from typing import Any

import pytest
from bench.server import free_port

BUCKET = "portico-files"
REGION = "eu-west-2"
# moto accepts any credentials; boto3 (and so django-storages) must find some.
ACCESS_KEY = "portico-test-key"
SECRET_KEY = "portico-test-secret"


class S3Server:
    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        # Werkzeug logs every request: a pipe nobody reads would fill and stall it.
        self.log = tempfile.TemporaryFile(prefix="portico-moto-")  # noqa: SIM115 - closed in stop()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self) -> Any:
        # Imported when used: this module is a pytest plugin (-p tests.s3_server) loaded
        # by every run, and only the tests that use a bucket need boto3.
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
        )

    def start(self) -> S3Server:
        command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)]
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            process_group=0,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"moto exited: {self.log.read()[-2000:]!r}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            except OSError:
                time.sleep(0.05)
                continue
            self.client().create_bucket(
                Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
            )
            return self
        self.stop()
        raise RuntimeError("moto's server did not answer within 30 s")

    def stored_keys(self) -> list[str]:
        listed = self.client().list_objects_v2(Bucket=BUCKET)
        return sorted(entry["Key"] for entry in listed.get("Contents", ()))

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()

    def __enter__(self) -> S3Server:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    with S3Server() as server:
        yield server


@pytest.fixture
def on_s3(s3_server: S3Server, settings: Any, monkeypatch: pytest.MonkeyPatch) -> S3Server:
    """Portico's files in moto's bucket for one test, as PORTICO_STORAGE=s3 would put them
    (STORAGES changed: Django drops the storage it made and builds the S3 one)."""
    # Imported here, not at the top: a plugin loads before the test settings set VAR_DIR.
    from portico.operations.s3 import s3_storage

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    client = s3_server.client()
    for key in s3_server.stored_keys():
        client.delete_object(Bucket=BUCKET, Key=key)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage(
            BUCKET, s3_server.endpoint, REGION, settings.PORTICO_DOWNLOAD_URL_SECONDS
        ),
    }
    return s3_server
