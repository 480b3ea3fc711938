"""The default English words of every message a customer is sent, for every application
(portico.mail.defaults), as templates administrators change (or add an application's
own, or another language's) in Systems Admin. Only words are imported, no models."""

from typing import Any

from django.db import migrations

from portico.mail.defaults import DEFAULTS, LANGUAGE


def write(apps: Any, schema_editor: Any) -> None:
    template = apps.get_model("mail", "Template")
    for kind, (subject, text) in DEFAULTS.items():
        template.objects.get_or_create(
            kind=kind,
            application=None,
            language=LANGUAGE,
            defaults={"subject": subject, "text": text, "html": ""},
        )


def remove(apps: Any, schema_editor: Any) -> None:
    apps.get_model("mail", "Template").objects.filter(
        application=None, language=LANGUAGE, kind__in=list(DEFAULTS)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("mail", "0001_mailboxes_templates_inbound")]

    operations = [migrations.RunPython(write, remove)]
