"""Every application gets its survey setting: asking on for service issues, complaints
and enquiries (issue 23), off for the others."""

from typing import Any

from django.db import migrations

ASKING = ("service-issue", "complaint", "enquiry")


def write(apps: Any, schema_editor: Any) -> None:
    setting = apps.get_model("surveys", "SatisfactionSetting")
    for application in apps.get_model("service", "Application").objects.all():
        setting.objects.get_or_create(
            application=application, defaults={"asks": application.code in ASKING}
        )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_satisfaction")]

    operations = [migrations.RunPython(write, migrations.RunPython.noop)]
