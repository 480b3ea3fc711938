import signal
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

# How long a child has to stop after SIGTERM before it is killed.
GRACE = 15.0


class Command(BaseCommand):
    help = (
        "Serve Portico on one machine: the web server (gunicorn's threaded WSGI workers),"
        " one worker (`portico"
        " worker`) and mail-in (`portico mailin`, SMTP on --mail-port), started together."
        " Ctrl-C or SIGTERM stops them all; if one stops by itself, the others are stopped"
        " too and this exits non-zero. What `make run` runs."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--mail-port",
            type=int,
            default=settings.PORTICO_MAILIN_PORT,
            help="The SMTP port of mail-in, on --host (PORTICO_MAILIN_PORT, 2525); 0: none.",
        )

    def handle(self, *args: Any, host: str, port: int, mail_port: int, **options: Any) -> None:
        commands = {
            "web server": [
                # The production app servers' command (deploy/systemd/portico-web@.service);
                # a shorter grace than theirs, to stop within this command's GRACE.
                sys.executable, "-m", "gunicorn",
                "--config", "python:portico.operations.gunicorn_conf",
                "--bind", f"{host}:{port}", "--graceful-timeout", "10",
            ],
            "worker": [sys.executable, "-m", "portico", "worker"],
            "mail-in": [
                sys.executable, "-m", "portico", "mailin", "--host", host, "--port", str(mail_port),
            ],
        }  # fmt: skip
        if not mail_port:
            del commands["mail-in"]
        stopping: list[int] = []

        def stop(signum: int, frame: FrameType | None) -> None:
            stopping.append(signum)

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        # Each child in its own session: Ctrl-C in the terminal reaches this process
        # only, which passes one SIGTERM on. (Both getting the terminal's SIGINT and
        # then ours would be the worker's "second signal": stop at once, mid-job.)
        children = {
            name: subprocess.Popen(command, start_new_session=True)  # noqa: S603 (our own)
            for name, command in commands.items()
        }
        died = ""
        while not stopping and not died:
            died = next((name for name, p in children.items() if p.poll() is not None), "")
            time.sleep(0.2)
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + GRACE
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if died:
            code = children[died].returncode
            raise CommandError(
                f"The {died} stopped (exit status {code}); the rest was stopped too."
            )
