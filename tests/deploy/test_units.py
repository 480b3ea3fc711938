"""deploy/ as an operator installs it: systemd accepts every unit (and finds the programs
they start), nginx accepts the site, the example environment file names every setting
Portico reads, and Django's deployment checks pass with it."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from bench.server import BIN, portico_env

from tests.deploy.rendering import (
    DEPLOY,
    ROOT,
    UNITS,
    Place,
    Site,
    exec_start,
    nginx_test,
    render_nginx,
    render_units,
    throwaway_certificate,
)
from tests.postgres_cluster import sqlite_pass_only

pytestmark = sqlite_pass_only("it checks files and starts nothing that reads the database")


def read_env_file(path: Path) -> dict[str, str]:
    """systemd's EnvironmentFile= as it reads ours: NAME=value lines, # comments, a
    value's double quotes dropped."""
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            values[name.strip()] = value
    return values


@pytest.fixture
def place(tmp_path: Path) -> Place:
    # systemd warns that `nobody` is unsafe to run services as; daemon is any other user.
    place = Place(tmp_path, user="daemon", group="daemon")
    place.etc.mkdir()
    place.var.mkdir()
    shutil.copy(DEPLOY / "portico.env.example", place.env_file)
    return place


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd is not installed")
@pytest.mark.parametrize(
    "unit",
    ["portico-web@8001.service", "portico-worker@1.service", "portico-mailin.service",
     "portico.target", "portico-backup.service", "portico-backup.timer"],
)  # fmt: skip
def test_systemd_accepts_each_unit(place: Place, unit: str) -> None:
    units = render_units(place)
    verified = subprocess.run(
        ["systemd-analyze", "verify", str(units["portico.target"].parent / unit)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    # verify fails on a unit whose ExecStart program does not exist, so this also proves
    # the commands point at programs that the install makes.
    assert verified.returncode == 0, verified.stderr
    assert verified.stderr.strip() == "", verified.stderr


def test_every_unit_runs_as_the_portico_user_hardened_and_restarted(place: Place) -> None:
    for name in UNITS:
        text = (DEPLOY / "systemd" / name).read_text()
        for line in (
            "User=portico", "EnvironmentFile=/etc/portico/portico.env", "Restart=on-failure",
            "NoNewPrivileges=yes", "ProtectSystem=strict", "ReadWritePaths=/var/lib/portico",
            "PrivateTmp=yes", "ProtectHome=yes", "StandardOutput=journal", "PartOf=portico.target",
        ):  # fmt: skip
            assert line in text.splitlines(), f"{name} lacks {line}"
        assert "migrate" not in exec_start(DEPLOY / "systemd" / name), name
    target = (DEPLOY / "systemd" / "portico.target").read_text()
    for wanted in ("portico-web@8001", "portico-web@8002", "portico-worker@1", "portico-mailin"):
        assert wanted in target


def test_the_app_server_unit_runs_gunicorn_with_portico_settings(place: Place) -> None:
    command = exec_start(render_units(place)["portico-web@.service"], "8001")
    assert command == [
        str(ROOT / ".venv/bin/gunicorn"), "--config", "python:portico.operations.gunicorn_conf",
        "--bind", "127.0.0.1:8001",
    ]  # fmt: skip


def test_nginx_accepts_the_site(place: Place) -> None:
    cert, key = throwaway_certificate(place.base / "tls")
    conf = render_nginx(place, Site(18443, 18080, (18001, 18002), cert, key))
    tested = nginx_test(conf)
    assert tested.returncode == 0, tested.stderr
    # The warnings nginx gives are for the test's unprivileged run only (no `user`).
    assert "[emerg]" not in tested.stderr


def test_the_example_environment_and_the_readme_name_every_setting() -> None:
    settings = (ROOT / "src/portico/settings.py").read_text()
    read = set(re.findall(r'(?:environ\.get|_flag|_list)\(\s*"([A-Z_]+)"', settings))
    read |= set(re.findall(r'environ\["([A-Z_]+)"\]', settings))
    example = (DEPLOY / "portico.env.example").read_text()
    named = set(re.findall(r"^#?([A-Z][A-Z_]+)=", example, re.MULTILINE))
    assert read - named == set(), "settings missing from deploy/portico.env.example"
    assert named - read == set(), "deploy/portico.env.example names what Portico never reads"
    # The README's Configuration table is the list docs/operations.md sends operators to.
    readme = (ROOT / "README.md").read_text()
    assert {name for name in read if f"`{name}`" not in readme} == set(), "missing in README"


def test_deploy_checks_pass_with_the_production_environment(place: Place) -> None:
    env = read_env_file(place.env_file)
    env.update(
        SECRET_KEY=secrets.token_urlsafe(50),
        PORTICO_VAR_DIR=str(place.var),
        # Checks that need no database; nothing here connects to it.
        DATABASE_URL=f"sqlite:///{place.var}/unused.sqlite3",
    )
    checked = subprocess.run(
        [str(BIN / "portico"), "check", "--deploy", "--fail-level", "WARNING"],
        env=portico_env(**env, DJANGO_SETTINGS_MODULE="portico.settings"),
        cwd=place.var, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "no issues (0 silenced)" in checked.stdout


def test_the_containers_run_the_units_commands() -> None:
    """compose.yaml and the Dockerfile are thin: the programs and arguments the units run."""
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    units = DEPLOY / "systemd"

    def program(command: list[str]) -> list[str]:
        return [Path(command[0]).name, *command[1:]]

    web = program(exec_start(units / "portico-web@.service", "8001"))
    assert services["web1"]["command"] == web
    assert services["web2"]["command"] == [*web[:-1], "127.0.0.1:8002"]
    worker = program(exec_start(units / "portico-worker@.service", "1"))
    assert services["worker1"]["command"] == services["worker2"]["command"] == worker
    assert services["mailin"]["command"][:2] == program(
        exec_start(units / "portico-mailin.service")
    )
    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE)
    assert cmd is not None
    assert json.loads(cmd.group(1))[:-1] == web[:-1]
    for name, service in services.items():
        assert service.get("read_only") is True, f"{name} has a writable root file system"
    assert "USER portico" in dockerfile


def test_the_environment_file_reads_the_same_in_sh_as_in_systemd() -> None:
    """Operators run `portico` commands by hand after `set -a; . portico.env`."""
    path = DEPLOY / "portico.env.example"
    sourced = subprocess.run(
        ["sh", "-c", f'set -a; . "{path}"; set +a; env -0'],
        env={"PATH": "/usr/bin:/bin"}, capture_output=True, timeout=30, check=True,
    ).stdout  # fmt: skip
    environ = dict(entry.split("=", 1) for entry in sourced.decode().split("\0") if "=" in entry)
    for name, value in read_env_file(path).items():
        assert environ.get(name) == value, name
