"""The default words of the satisfaction survey e-mail (issue 23)."""

from typing import Any

from django.db import migrations

from portico.mail.defaults import DEFAULTS, LANGUAGE

KINDS = ("satisfaction",)


def write(apps: Any, schema_editor: Any) -> None:
    template = apps.get_model("mail", "Template")
    for kind in KINDS:
        subject, text = DEFAULTS[kind]
        template.objects.get_or_create(
            kind=kind,
            application=None,
            language=LANGUAGE,
            defaults={"subject": subject, "text": text, "html": ""},
        )


def remove(apps: Any, schema_editor: Any) -> None:
    apps.get_model("mail", "Template").objects.filter(
        application=None, language=LANGUAGE, kind__in=KINDS
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("mail", "0005_alter_template_kind_satisfaction")]

    operations = [migrations.RunPython(write, remove)]
