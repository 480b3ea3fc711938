from typing import Any

from django.core.management.base import BaseCommand

from portico.demo import services
from portico.demo.people import ORGANIZATIONS, PEOPLE


class Command(BaseCommand):
    help = "Load the demo data into an empty database, then print the demo log-ins."

    def handle(self, *args: Any, **options: Any) -> None:
        if services.has_data():
            self.stdout.write("Demo data: the database already has people; left as it is.")
        else:
            services.load()
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        names = {org.key: org.name for org in ORGANIZATIONS}
        self.stdout.write("")
        self.stdout.write(f"Demo log-ins (password for all: {services.demo_password()})")
        for person in PEOPLE:
            self.stdout.write(
                f"  {person.email:<40} {person.role:<14} {names[person.organization]}"
            )
        self.stdout.write("")
        self.stdout.write(
            f"Customers write to {services.DEMO_MAILBOX}: mail-in takes it over SMTP (below);"
            " what Portico sends is written under var/mail unless EMAIL_HOST is set."
        )
