"""The standard permissions, priorities, calendar, applications and group rights (see
service/standard.py)."""

from django.db import migrations


def create(apps, schema_editor):
    from portico.service.standard import create_standard

    create_standard(
        lambda name: apps.get_model("parties" if name == "UserGroup" else "service", name)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("service", "0001_initial"),
        ("parties", "0002_standard_zones_and_groups"),
    ]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
