"""Issue 19: a reopen period per application, a Withdrawn status in every flow, and an
audience for classifications with Root cause for the staff only."""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

# Written out here rather than read from service/standard.py, so that this migration
# does the same thing whatever the standard set-up says later.
STAFF_ONLY = ["root-cause"]
WITHDRAWN = "withdrawn"
UNFINISHED = ["new", "open", "waiting"]


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    alias = schema_editor.connection.alias
    classification = apps.get_model("service", "Classification")
    classification.objects.using(alias).filter(code__in=STAFF_ONLY).update(audience="staff")
    application = apps.get_model("service", "Application")
    status = apps.get_model("service", "Status")
    # New installations have it from the standard set-up; existing ones gain it here,
    # reachable from every unfinished status, as the standard flows have it.
    for app in application.objects.using(alias).all():
        statuses = status.objects.using(alias).filter(application=app)
        if statuses.filter(code=WITHDRAWN).exists():
            continue
        last = statuses.aggregate(models.Max("position"))["position__max"] or 0
        withdrawn = statuses.create(
            application=app,
            code=WITHDRAWN,
            name="Withdrawn",
            category="closed",
            initial=False,
            position=last + 1,
        )
        for unfinished in statuses.filter(category__in=UNFINISHED):
            unfinished.next_statuses.add(withdrawn)


class Migration(migrations.Migration):
    dependencies = [
        ("service", "0008_due_at_is_resolve_by"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="reopen_days",
            field=models.PositiveSmallIntegerField(
                default=14,
                help_text="Days after it is resolved that the customer may reopen it; 0: never.",
                verbose_name="reopen period (days)",
            ),
        ),
        migrations.AddField(
            model_name="classification",
            name="audience",
            field=models.CharField(
                choices=[("everyone", "Everyone"), ("staff", "Staff only")],
                default="everyone",
                help_text="Staff only: never shown to or set by customers, partners or employees.",
                max_length=10,
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
