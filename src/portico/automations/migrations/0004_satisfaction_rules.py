"""The satisfaction survey's default rules (issue 23): asking once a request is
resolved, and the supervisor's follow-up of a "not satisfied" answer. Only the rules
missing by code are written: an administrator's changes to the others stay."""

from typing import Any

from django.db import migrations

from portico.automations.defaults import write

CODES = ("ask-satisfaction", "not-satisfied-to-supervisor")


def forwards(apps: Any, schema_editor: Any) -> None:
    write(
        apps.get_model("automations", "Rule"),
        apps.get_model("automations", "Condition"),
        apps.get_model("automations", "Action"),
        only_missing=True,
    )


def backwards(apps: Any, schema_editor: Any) -> None:
    apps.get_model("automations", "Rule").objects.filter(code__in=CODES).delete()


class Migration(migrations.Migration):
    dependencies = [("automations", "0003_satisfaction_choices")]

    operations = [migrations.RunPython(forwards, backwards)]
