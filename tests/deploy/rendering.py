"""deploy/'s files made runnable on this machine, unprivileged: the same text with the
production paths (/opt/portico, /etc/portico, /var/lib/portico), ports and user
replaced by this checkout's, a temporary directory's and free ports. The unit tests
verify what this writes; the stack test runs it."""

from __future__ import annotations

import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = ("portico-web@.service", "portico-worker@.service", "portico-mailin.service")
NGINX = "/usr/sbin/nginx"


@dataclass
class Place:
    """Where the rendered deployment lives: the stand-ins for the production paths."""

    base: Path
    user: str = "nobody"
    group: str = "nogroup"

    @property
    def etc(self) -> Path:
        return self.base / "etc"

    @property
    def var(self) -> Path:
        return self.base / "var"

    @property
    def env_file(self) -> Path:
        return self.etc / "portico.env"

    @property
    def run(self) -> Path:
        return self.base / "run"


def _production_paths(text: str, place: Place) -> str:
    return (
        text.replace("/opt/portico", str(ROOT))
        .replace("/etc/portico", str(place.etc))
        .replace("/var/lib/portico", str(place.var))
        .replace("=/run/", f"={place.run}/")
    )


def render_units(place: Place) -> dict[str, Path]:
    """The systemd units under place.base/systemd, running this checkout's .venv."""
    target = place.base / "systemd"
    target.mkdir(parents=True, exist_ok=True)
    rendered = {}
    for name in (*UNITS, "portico.target", "portico-backup.service", "portico-backup.timer"):
        text = _production_paths((DEPLOY / "systemd" / name).read_text(), place)
        text = text.replace("User=portico", f"User={place.user}")
        text = text.replace("Group=portico", f"Group={place.group}")
        (target / name).write_text(text)
        rendered[name] = target / name
    return rendered


def exec_start(unit: Path, instance: str = "") -> list[str]:
    """The command a unit runs, with %i made the instance: what systemd would start."""
    for line in unit.read_text().splitlines():
        if line.startswith("ExecStart="):
            return shlex.split(line.removeprefix("ExecStart=").replace("%i", instance))
    raise ValueError(f"{unit} has no ExecStart")


def unit_environment(unit: Path, instance: str = "") -> dict[str, str]:
    """What a unit's Environment= lines set (the environment file comes on top of them)."""
    values = {}
    for line in unit.read_text().splitlines():
        if line.startswith("Environment="):
            name, _, value = (
                line.removeprefix("Environment=").replace("%i", instance).partition("=")
            )
            values[name] = value
    return values


@dataclass
class Site:
    https_port: int
    http_port: int
    app_ports: tuple[int, ...]
    cert: Path
    key: Path


def render_nginx(place: Place, site: Site) -> Path:
    """deploy/nginx/portico.conf inside a main configuration of its own (Debian's
    nginx.conf wraps it the same way), listening on free ports, with every path nginx
    writes (pid, logs, temporary files) in place.base/nginx."""
    home = place.base / "nginx"
    home.mkdir(parents=True, exist_ok=True)
    text = _production_paths((DEPLOY / "nginx" / "portico.conf").read_text(), place)
    text = text.replace("listen 443 ", f"listen 127.0.0.1:{site.https_port} ")
    text = text.replace("listen 80;", f"listen 127.0.0.1:{site.http_port};")
    text = "\n".join(line for line in text.splitlines() if "listen [::]" not in line)
    text = text.replace("portico.example.com", "127.0.0.1")
    text = text.replace(str(place.etc / "tls" / "fullchain.pem"), str(site.cert))
    text = text.replace(str(place.etc / "tls" / "privkey.pem"), str(site.key))
    servers = "\n".join(
        f"    server 127.0.0.1:{port} max_fails=3 fail_timeout=10s;" for port in site.app_ports
    )
    lines = [line for line in text.splitlines() if not line.startswith("    server 127.0.0.1:80")]
    text = "\n".join(lines).replace("upstream portico_app {", "upstream portico_app {\n" + servers)
    (home / "portico.conf").write_text(text)
    temp = {
        name: home / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")
    }  # fmt: skip
    for path in temp.values():
        path.mkdir(exist_ok=True)
    main = f"""
daemon off;
pid {home}/nginx.pid;
error_log {home}/error.log warn;
worker_processes 1;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    log_format stack '$remote_addr "$request" $status $body_bytes_sent '
                     'upstream=$upstream_addr upstream_status=$upstream_status '
                     'upstream_bytes=$upstream_response_length';
    access_log {home}/access.log stack;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {home}/portico.conf;
}}
"""
    (home / "nginx.conf").write_text(main)
    return home / "nginx.conf"


def nginx_test(conf: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [NGINX, "-t", "-c", str(conf)], capture_output=True, text=True, timeout=30, check=False
    )


def throwaway_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, valid for a day."""
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = directory / "fullchain.pem", directory / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return cert, key
