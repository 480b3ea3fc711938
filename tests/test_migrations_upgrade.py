"""Zero-downtime upgrades, the running half: the code of the commit before each recent
migration serves the schema of today's code (docs/operations.md, "Upgrade";
tests/test_migrations_safe.py is the static half).

An upgrade migrates while the old app servers still serve. So for the most recent
RECENT commits that added a migration (found with git), the commit's parent is unpacked
into a temporary directory and served by gunicorn (the same virtualenv, its own
collected static files) against a copy of a database that today's code migrated and
filled with the demo (`portico prepare --demo`, rows written by the new code included);
a customer and a CSR then walk the desk's everyday work through it over HTTP, the old
code's worker runs what that queued, and the Systems Admin lists of the tables the
migration changed are opened. Every answer must be the one the old code would give on
its own schema. Older commits than a migration that declares `contracts` are not tried:
that release removes what they used, by design.

RECENT is 3 to keep this under two minutes (each commit: unpack, collectstatic, start
gunicorn, walk). Without git history (a shallow clone, an archive) it skips, saying so;
also where the old commit pins a dependency this virtualenv does not have."""

from __future__ import annotations

import http.client
import json
import re
import secrets
import shutil
import subprocess
import sys
import tomllib
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path

import pytest
from bench.client import Session, login
from bench.server import ROOT, Server, portico_env

from portico.demo.people import PEOPLE
from tests.postgres_cluster import scratch_database, wanted

RECENT = 3
# The demo people's, as `portico prepare --demo` sets it.
PASSWORD = "portico-demo"
MIGRATIONS = "src/portico/*/migrations/0*.py"


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True, timeout=60
    ).stdout


def _recent_migration_commits() -> tuple[list[str], str]:
    """The newest RECENT commits that added a migration, newest first, stopping after
    one that contracts; or none and why."""
    try:
        if _git("rev-parse", "--is-shallow-repository").strip() == "true":
            return [], "a shallow clone: the commits before the migrations are not here"
        # Along main's first parents: each is a state of main that could have been
        # deployed; a merge counts as adding what its branch brought.
        commits = _git(
            "log", "--first-parent", "-m", "--diff-filter=A", "--format=%H", "--", MIGRATIONS
        ).split()
    except (OSError, subprocess.CalledProcessError) as error:
        return [], f"no git history to find the migrations' commits in ({error})"
    chosen: list[str] = []
    for commit in commits[:RECENT]:
        chosen.append(commit)
        if any("contracts =" in _git("show", f"{commit}:{path}") for path in _added(commit)):
            break
    return chosen, ""


def _added(commit: str) -> list[str]:
    listed = _git("diff", "--diff-filter=A", "--name-only", f"{commit}^1", commit, "--", MIGRATIONS)
    return listed.split()


COMMITS, NO_HISTORY = _recent_migration_commits()


def _email(first: str) -> str:
    return next(p.email for p in PEOPLE if p.first_name == first)


@dataclass(frozen=True)
class NewSchema:
    """A database migrated and filled by today's code, to be copied for each old server."""

    url: str
    sqlite: Path | None
    media: Path


@pytest.fixture(scope="module")
def new_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NewSchema]:
    if not COMMITS:
        pytest.skip(NO_HISTORY)
    base = tmp_path_factory.mktemp("new-schema")
    drop = None
    if wanted():
        url, drop = scratch_database("upgrade_new")
        sqlite = None
    else:
        sqlite = base / "portico.sqlite3"
        url = f"sqlite:///{sqlite}"
    env = portico_env(
        DATABASE_URL=url,
        PORTICO_VAR_DIR=str(base / "var"),
        SECRET_KEY=secrets.token_urlsafe(40),
        DJANGO_SETTINGS_MODULE="portico.settings",
        PORTICO_LOG_LEVEL="ERROR",
        PORTICO_DEMO_PASSWORD=PASSWORD,
    )
    subprocess.run(
        [sys.executable, "-m", "portico", "prepare", "--demo"],
        env=env, cwd=ROOT, capture_output=True, check=True, timeout=300,
    )  # fmt: skip
    yield NewSchema(url, sqlite, base / "var" / "media")
    if drop is not None:
        drop()


def _copy(schema: NewSchema, into: Path) -> tuple[str, Callable[[], None]]:
    """A database of the old server's own, a copy of the new schema and its rows; and
    how to drop it."""
    if schema.sqlite is not None:
        target = into / "portico.sqlite3"
        shutil.copyfile(schema.sqlite, target)
        return f"sqlite:///{target}", lambda: None
    import psycopg

    cluster, template = schema.url.rsplit("/", 1)
    name = f"upgrade_old_{secrets.token_hex(4)}"
    with psycopg.connect(f"{cluster}/postgres", autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name} TEMPLATE {template}")

    def drop() -> None:
        with psycopg.connect(f"{cluster}/postgres", autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    return f"{cluster}/{name}", drop


def _unmet_pins(commit: str) -> list[str]:
    """The old commit's pinned runtime dependencies this virtualenv does not have."""
    project = tomllib.loads(_git("show", f"{commit}:pyproject.toml"))["project"]
    unmet = []
    for pin in project["dependencies"]:
        name, _, version = pin.partition("==")
        name = name.split("[")[0].strip()
        try:
            if version and metadata.version(name) != version.strip():
                unmet.append(pin)
        except metadata.PackageNotFoundError:
            unmet.append(pin)
    return unmet


class _Forms(HTMLParser):
    """Each POST form of a page: its action and the values it would submit untouched."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = {k: v or "" for k, v in attrs}
        if tag == "form" and given.get("method", "").lower() == "post":
            self.forms.append((given.get("action", ""), {}))
        if not self.forms or ("name" not in given and tag != "option"):
            return
        fields = self.forms[-1][1]
        if tag == "input" and given.get("type") not in {"checkbox", "radio", "submit", "file"}:
            fields[given["name"]] = given.get("value", "")
        elif tag == "input" and given.get("type") in {"checkbox", "radio"}:
            if "checked" in given:
                fields[given["name"]] = given.get("value", "on")
        elif tag == "textarea":
            fields[given["name"]] = ""
        elif tag == "select":
            self._select = given["name"]
        elif tag == "option" and self._select is not None:
            value = given.get("value", "")
            if value and ("selected" in given or not fields.get(self._select)):
                fields[self._select] = value

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def _form(page: str, action: str) -> dict[str, str]:
    parser = _Forms()
    parser.feed(page)
    for found, fields in parser.forms:
        if found.split("?")[0].endswith(action):
            return fields
    raise AssertionError(f"no POST form to …{action} on the page")


@dataclass
class Visitor:
    """One logged-in person talking to the old server."""

    server: Server
    session: Session
    log: Path

    def request(
        self, method: str, path: str, body: str = "", content_type: str = ""
    ) -> tuple[int, str, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        headers = {"Cookie": self.session.cookie_header, "X-CSRFToken": self.session.csrf}
        if content_type:
            headers["Content-Type"] = content_type
        connection.request(method, path, body=body.encode(), headers=headers)
        response = connection.getresponse()
        text = response.read().decode(errors="replace")
        self.session.take(response)
        connection.close()
        return response.status, response.getheader("Location") or "", text

    def expect(self, status: int, method: str, path: str, **kwargs: str) -> tuple[str, str]:
        got, location, text = self.request(method, path, **kwargs)
        if got != status:
            tail = self.log.read_text(errors="replace")[-3000:]
            raise AssertionError(
                f"the previous release answered {method} {path} with {got}, not {status}, "
                f"on the new schema. Its log ends:\n{tail}"
            )
        return location, text

    def get(self, path: str) -> str:
        return self.expect(200, "GET", path)[1]

    def post_form(self, path: str, page: str, action: str, **values: str) -> str:
        fields = {**_form(page, action), **values}
        body = urllib.parse.urlencode(fields)
        form = "application/x-www-form-urlencoded"
        return self.expect(302, "POST", path, body=body, content_type=form)[0]


def _changed_models(commit: str) -> set[tuple[str, str]]:
    """(app, model) of each table the commit's migrations create or alter."""
    changed = set()
    for path in _added(commit):
        app = path.split("/")[2]
        text = _git("show", f"{commit}:{path}")
        for name in re.findall(r'model_name="(\w+)"', text):
            changed.add((app, name.lower()))
        for name in re.findall(r'CreateModel\(\s*name="(\w+)"', text):
            changed.add((app, name.lower()))
    return changed


def _walk(server: Server, log: Path, commit: str) -> None:
    host, port = "127.0.0.1", server.port
    customer = Visitor(server, login(host, port, _email("Ewan"), PASSWORD), log)
    customer.get("/portal/")
    form_page = customer.get("/portal/new/?application=service-issue")
    title = f"Upgrade check {commit[:8]}"
    created = customer.post_form(
        "/portal/new/", form_page, "/portal/new/",
        application="service-issue", title=title, description="Logged on the old code.",
        **{"profile_issue-type": "fault", "profile_product": "clearflow-filter-unit",
           "profile_units": "2"},
    )  # fmt: skip
    number = created.rstrip("/").rsplit("/", 1)[-1]
    assert created == f"/portal/t/{number}/", created
    page = customer.get(created)
    assert title in page
    customer.post_form(f"{created}notes/", page, "/notes/", body="The alarm came back.")
    customer.get("/portal/transactions/")

    csr = Visitor(server, login(host, port, _email("Fiona"), PASSWORD), log)
    csr.get("/console/")
    queue = csr.get("/console/transactions/")
    assert number in queue
    page = csr.get(f"/console/transactions/{number}/")
    csr.post_form(
        f"/console/transactions/{number}/notes/", page, "/notes/",
        channel="phone", direction="out", visibility="shared", body="Called back: fixed.",
    )  # fmt: skip
    assert "Called back: fixed." in csr.get(f"/console/transactions/{number}/")
    api = json.loads(csr.get(f"/api/v1/transactions/{number}/"))
    assert api["number"] == number
    note = json.dumps({"body": "Through the API.", "visibility": "internal", "channel": "api"})
    csr.expect(
        201, "POST", f"/api/v1/transactions/{number}/notes/",
        body=note, content_type="application/json",
    )  # fmt: skip
    assert "Through the API." in csr.get(f"/api/v1/transactions/{number}/notes/")
    assert '"action":"note.added"' in csr.get(f"/api/v1/transactions/{number}/history/")

    admin = Visitor(server, login(host, port, _email("Graham"), PASSWORD), log)
    for app, model in sorted(_changed_models(commit)):
        # Only what the old code's Systems Admin registers: 404 for a table it never had.
        status, _, _ = admin.request("GET", f"/admin/{app}/{model}/")
        assert status in {200, 404}, f"/admin/{app}/{model}/ answered {status}"
    if any(app == "reports" for app, _ in _changed_models(commit)):
        index = admin.get("/console/reports/")
        for link in sorted(set(re.findall(r'href="(/console/reports/[\w-]+/)"', index))):
            admin.get(link)


@pytest.mark.slow
@pytest.mark.parametrize(
    "commit", COMMITS or [pytest.param("", marks=pytest.mark.skip(reason=NO_HISTORY))],
    ids=[c[:8] for c in COMMITS] or ["no-history"],
)  # fmt: skip
def test_the_code_before_a_migration_serves_the_new_schema(
    commit: str, new_schema: NewSchema, tmp_path: Path
) -> None:
    parent = _git("rev-parse", f"{commit}^1").strip()
    unmet = _unmet_pins(parent)
    if unmet:
        pytest.skip(f"{parent[:8]} pins what this virtualenv lacks: {', '.join(unmet)}")
    old = tmp_path / "old"
    old.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", parent, "src"],
        capture_output=True, check=True, timeout=120,
    )  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True, timeout=120)
    url, drop = _copy(new_schema, tmp_path)
    env = portico_env(
        DATABASE_URL=url,
        PORTICO_VAR_DIR=str(tmp_path / "var"),
        PORTICO_MEDIA_ROOT=str(new_schema.media),
        SECRET_KEY=secrets.token_urlsafe(40),
        DJANGO_SETTINGS_MODULE="portico.settings",
        PORTICO_LOG_LEVEL="WARNING",
        PYTHONPATH=str(old / "src"),
    )
    # Each release serves the static files it collected itself (their manifest names them).
    subprocess.run(
        [sys.executable, "-m", "portico", "collectstatic", "--noinput"],
        env=env, cwd=old, capture_output=True, check=True, timeout=300,
    )  # fmt: skip
    log = tmp_path / "old-server.log"
    server = Server(env, workers=1, log=log, root=old, settings="portico.settings")
    try:
        server.start()
        _walk(server, log, commit)
        worker = subprocess.run(
            [sys.executable, "-m", "portico", "worker", "--once"],
            env=env, cwd=old, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert worker.returncode == 0, f"the previous release's worker failed:\n{worker.stderr}"
        assert "Traceback" not in worker.stderr, worker.stderr
    finally:
        server.stop()
        drop()
    assert "Traceback" not in log.read_text(errors="replace"), log.read_text()[-3000:]
