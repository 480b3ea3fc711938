from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from portico.operations import backup as backups


class Command(BaseCommand):
    help = "Back up the database and the file store into a new directory under DIR."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", nargs="?", default="var/backups", type=Path)

    def handle(self, *args: Any, directory: Path, **options: Any) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        report = backups.backup(directory)
        self.stdout.write(
            f"Backed up {sum(report.rows.values()):,} rows and {report.files} files"
            f" in {report.seconds:.1f} s to {report.path}"
        )
