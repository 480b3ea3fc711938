"""What `make run` does, end to end: prepare a fresh var/ directory, serve through the
ASGI server on 127.0.0.1, and log in with every printed demo log-in over HTTP."""

import http.cookiejar
import re
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from bench.server import BIN, free_port, portico_env

from tests.postgres_cluster import sqlite_pass_only

pytestmark = sqlite_pass_only("it serves its own SQLite database")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    var = tmp_path_factory.mktemp("var")
    env = portico_env(PORTICO_VAR_DIR=str(var))
    env.pop("SECRET_KEY", None)  # the development default is what is being served
    prepared = subprocess.run(
        [BIN / "portico", "prepare", "--demo"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    again = subprocess.run(
        [BIN / "portico", "prepare", "--demo"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "already has people" in again.stdout
    port = free_port()
    server = subprocess.Popen(
        [
            BIN / "uvicorn",
            "portico.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--lifespan",
            "off",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)  # noqa: S310
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield base, prepared.stdout
    finally:
        server.terminate()
        server.wait(timeout=10)


# One test, so that one process prepares and serves (20–30 s): pytest-xdist's
# `--dist loadgroup` does not group tests under pytest 9.2 (pytest-xdist issue 1386).
@pytest.mark.slow
def test_the_served_app_answers_and_every_printed_log_in_works(served: tuple[str, str]) -> None:
    _login_page_and_static_files_are_served(served)
    _every_printed_demo_log_in_works(served)


def _login_page_and_static_files_are_served(served: tuple[str, str]) -> None:
    base, _ = served
    page = urllib.request.urlopen(f"{base}/", timeout=5)  # noqa: S310
    assert page.url.endswith("/accounts/login/?next=/") or page.url.endswith("/accounts/login/")
    html = page.read().decode()
    assert "Log in to Portico" in html
    assert "content-security-policy" in {k.lower() for k in page.headers}
    css = re.search(r'href="(/static/[^"]+\.css)"', html)
    assert css is not None
    assert urllib.request.urlopen(f"{base}{css.group(1)}", timeout=5).status == 200  # noqa: S310


def _every_printed_demo_log_in_works(served: tuple[str, str]) -> None:
    base, printed = served
    password = re.search(r"password for all: (\S+)\)", printed)
    assert password is not None
    emails = re.findall(r"^\s+(\S+@\S+)\s", printed, flags=re.MULTILINE)
    assert len(emails) >= 15
    for email in emails:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        form = opener.open(f"{base}/accounts/login/", timeout=5).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
        assert token is not None
        data = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1),
                "login": email,
                "password": password.group(1),
            }
        ).encode()
        request = urllib.request.Request(  # noqa: S310
            f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"}
        )
        landed = opener.open(request, timeout=5)
        assert landed.status == 200
        path = urllib.parse.urlparse(landed.url).path
        assert path in {"/console/", "/portal/", "/partners/", "/employees/"}, (email, path)
        assert "Log out" in landed.read().decode()
