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
