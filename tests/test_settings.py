"""Settings come from the environment with safe defaults. Each case starts a fresh
interpreter, as a new server process would."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

SHOW = (
    "import json, portico.settings as s; "
    "print(json.dumps({'key': s.SECRET_KEY, 'debug': s.DEBUG, "
    "'engine': s.DATABASES['default']['ENGINE'], 'name': str(s.DATABASES['default']['NAME']), "
    "'options': s.DATABASES['default'].get('OPTIONS', {}), "
    "'cookie': s.SESSION_COOKIE_NAME if hasattr(s, 'SESSION_COOKIE_NAME') else None}))"
)


def settings_in(var_dir: Path, **env: str) -> dict[str, object]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DATABASE_URL", "PORTICO_DEBUG", "PORTICO_PRODUCTION"}
    }
    clean.update(PORTICO_VAR_DIR=str(var_dir), **env)
    out = subprocess.run(
        [sys.executable, "-c", SHOW], env=clean, check=True, capture_output=True, text=True
    ).stdout
    return dict(json.loads(out))


def test_defaults_are_sqlite_in_wal_mode_and_debug_off(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    assert settings["engine"] == "django.db.backends.sqlite3"
    assert settings["name"] == str(tmp_path / "portico.sqlite3")
    assert "journal_mode=WAL" in str(settings["options"])
    assert settings["debug"] is False


def test_secret_key_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    first = settings_in(tmp_path)["key"]
    second = settings_in(tmp_path)["key"]
    assert first == second
    assert len(str(first)) >= 50
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_environment_wins(tmp_path: Path) -> None:
    settings = settings_in(
        tmp_path,
        SECRET_KEY="from-the-environment",
        PORTICO_DEBUG="1",
        DATABASE_URL="postgres://portico:pw@db.internal:5432/portico",
    )
    assert settings["key"] == "from-the-environment"
    assert settings["debug"] is True
    assert settings["engine"] == "django.db.backends.postgresql"
    assert settings["name"] == "portico"
    assert not (tmp_path / "secret_key").exists()


def test_production_uses_host_prefixed_secure_cookies(tmp_path: Path) -> None:
    settings = settings_in(tmp_path, PORTICO_PRODUCTION="1")
    assert settings["cookie"] == "__Host-sessionid"


REPLICA = (
    "import json, portico.settings as s; "
    "print(json.dumps({'replica': s.DATABASES.get('replica'), "
    "'routers': getattr(s, 'DATABASE_ROUTERS', [])}))"
)


def test_a_replica_is_read_only_with_the_primarys_session_settings(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DATABASE_REPLICA_URL"}}
    env.update(
        PORTICO_VAR_DIR=str(tmp_path),
        DATABASE_URL="postgres://portico@db1.internal/portico",
        DATABASE_REPLICA_URL="postgres://portico@db2.internal/portico",
    )
    out = subprocess.run(
        [sys.executable, "-c", REPLICA], env=env, check=True, capture_output=True, text=True
    ).stdout
    shown = json.loads(out)
    replica = shown["replica"]
    assert replica["HOST"] == "db2.internal"
    assert replica["OPTIONS"]["options"] == (
        "-c jit=off -c random_page_cost=1.1 -c default_transaction_read_only=on"
    )
    assert replica["CONN_HEALTH_CHECKS"] is True
    assert replica["TEST"] == {"MIRROR": "default"}
    assert shown["routers"] == ["portico.operations.replica.ReplicaRouter"]
    # Without the setting, one database and no router.
    del env["DATABASE_REPLICA_URL"]
    out = subprocess.run(
        [sys.executable, "-c", REPLICA], env=env, check=True, capture_output=True, text=True
    ).stdout
    assert json.loads(out) == {"replica": None, "routers": []}


def test_a_replica_beside_sqlite_is_refused_at_start_up(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(PORTICO_VAR_DIR=str(tmp_path), DATABASE_REPLICA_URL="postgres://portico@db2/portico")
    done = subprocess.run([sys.executable, "-c", REPLICA], env=env, capture_output=True, text=True)
    assert done.returncode != 0
    assert "DATABASE_REPLICA_URL is set but DATABASE_URL is not PostgreSQL" in done.stderr
