"""Creates the zones of the portal and the standard user groups (see parties/standard.py)."""

from django.db import migrations


def create(apps, schema_editor):
    from portico.parties.standard import create_standard

    create_standard(apps.get_model("parties", "Zone"), apps.get_model("parties", "UserGroup"))


class Migration(migrations.Migration):
    dependencies = [("parties", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
