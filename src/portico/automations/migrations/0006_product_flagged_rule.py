"""The anomaly flag's default rule (issue 24): a flagged product's owner is told. Only
rules missing by code are written: an administrator's changes to the others stay."""

from typing import Any

from django.db import migrations

from portico.automations.defaults import write

CODES = ("product-flagged-to-owner",)


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
    dependencies = [("automations", "0005_product_flagged_trigger")]

    operations = [migrations.RunPython(forwards, backwards)]
