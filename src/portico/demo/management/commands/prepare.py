from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Make the database and static files ready to serve: migrate, create the cache "
        "table, collect static files, and (with --demo) load demo data into an empty "
        "database. Safe to run again."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--demo", action="store_true", help="Load and print the demo data.")

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))
        call_command("createcachetable", verbosity=max(verbosity - 1, 0))
        call_command("collectstatic", interactive=False, verbosity=max(verbosity - 1, 0))
        if options["demo"]:
            call_command("seed_demo", stdout=self.stdout)
