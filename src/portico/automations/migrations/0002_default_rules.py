"""The rules every Portico starts with (portico.automations.defaults), switched on: the
customer messages and staff notices that were built in before, now rules."""

from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import migrations

from portico.automations.defaults import CODES, write

# portico.access.roles: AUTOMATION_EMAIL, AUTOMATION_GROUP (words only, no models).
EMAIL = "automations@portico.invalid"
GROUP = "Automations"


def forwards(apps: Any, schema_editor: Any) -> None:
    # The person the rules act as (portico.automations.actor makes it too, if missing).
    group, _ = apps.get_model("parties", "UserGroup").objects.get_or_create(
        name=GROUP,
        defaults={
            "portal": "console",
            "description": "The automation rules act as its one member; it opens no zone.",
        },
    )
    user, _ = apps.get_model("parties", "User").objects.get_or_create(
        email=EMAIL, defaults={"password": make_password(None)}
    )
    apps.get_model("parties", "Individual").objects.get_or_create(
        user=user,
        defaults={"user_group": group, "first_name": "Portico", "last_name": "automations"},
    )
    write(
        apps.get_model("automations", "Rule"),
        apps.get_model("automations", "Condition"),
        apps.get_model("automations", "Action"),
    )


def backwards(apps: Any, schema_editor: Any) -> None:
    apps.get_model("automations", "Rule").objects.filter(code__in=CODES).delete()


class Migration(migrations.Migration):
    dependencies = [("automations", "0001_initial"), ("parties", "0008_automation_people")]

    operations = [migrations.RunPython(forwards, backwards)]
