from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portico.operations import backup as backups


class Command(BaseCommand):
    help = "Replace the database and the file store with a backup made by `portico backup`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", type=Path)
        parser.add_argument(
            "--yes", action="store_true", help="do not ask before replacing everything"
        )

    def handle(self, *args: Any, backup: Path, yes: bool, **options: Any) -> None:
        if not yes:
            answer = input(f"Replace this Portico's data with {backup}? Type 'restore': ")
            if answer.strip() != "restore":
                raise CommandError("Nothing was changed.")
        try:
            report = backups.restore(backup)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        for problem in report.problems:
            self.stderr.write(problem)
        if report.problems:
            raise CommandError("The restored row counts differ from the backup's.")
        self.stdout.write(
            f"Restored {sum(report.rows.values()):,} rows and {report.files} files"
            f" in {report.seconds:.1f} s from {backup}"
        )
