"""`due_at` is the resolve-by time only (issue 19): a transaction whose priority has no
resolution target (P4) used to carry its response time there, so the lists' "Due"
meant one thing for P1–P3 and another for P4. Such rows now have no due time."""

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.db.models import F


def resolve_by_only(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    transaction = apps.get_model("service", "Transaction")
    transaction.objects.filter(resolution_due_at__isnull=True, due_at__isnull=False).update(
        due_at=None
    )


def response_as_fallback(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    transaction = apps.get_model("service", "Transaction")
    transaction.objects.filter(resolution_due_at__isnull=True).update(due_at=F("response_due_at"))


class Migration(migrations.Migration):
    dependencies = [("service", "0007_transaction_last_note_at")]

    operations = [
        migrations.AlterField(
            model_name="transaction",
            name="due_at",
            field=models.DateTimeField(
                blank=True,
                help_text=(
                    "When it needs a resolution (seed 000: Due date), the resolution due "
                    "time; none when its priority has no resolution target."
                ),
                null=True,
            ),
        ),
        migrations.RunPython(resolve_by_only, response_as_fallback, elidable=True),
    ]
