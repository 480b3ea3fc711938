from typing import Any

from django.db import migrations, models


def move_backlog(apps: Any, schema_editor: Any) -> None:
    """Keep the built days' backlog: copy it before its columns go (the worker rebuilds
    only the recent days, so nothing else would bring the older ones back)."""
    DayFigure = apps.get_model("reports", "DayFigure")
    DayBacklog = apps.get_model("reports", "DayBacklog")
    rows = (
        DayFigure.objects.filter(backlog__gt=0)
        .values_list("day", "dimension", "team", "key", "backlog", "backlog_age_seconds")
        .iterator(chunk_size=5000)
    )
    batch = []
    for day, dimension, team, key, backlog, age in rows:
        batch.append(
            DayBacklog(
                day=day, dimension=dimension, team=team, key=key, backlog=backlog, age_seconds=age
            )
        )
        if len(batch) == 5000:
            DayBacklog.objects.bulk_create(batch)
            batch = []
    DayBacklog.objects.bulk_create(batch)
    # Rows that held nothing but a backlog are no longer kept.
    DayFigure.objects.filter(opened=0, resolved=0, closed=0, responded=0, answered=0).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_schedules"),
    ]

    operations = [
        migrations.CreateModel(
            name="DayBacklog",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                (
                    "dimension",
                    models.CharField(
                        choices=[
                            ("all", "All"),
                            ("team", "Team"),
                            ("technician", "Technician"),
                            ("csr", "CSR"),
                            ("application", "Application"),
                            ("priority", "Priority"),
                            ("product", "Product"),
                            ("area", "Area"),
                            ("organization", "Organisation"),
                            ("channel", "Channel"),
                        ],
                        max_length=16,
                    ),
                ),
                ("key", models.CharField(blank=True, max_length=40)),
                ("team", models.CharField(blank=True, max_length=40)),
                ("backlog", models.PositiveIntegerField(default=0)),
                ("age_seconds", models.PositiveBigIntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("dimension", "day", "team", "key"), name="day_backlog_once"
                    )
                ],
            },
        ),
        migrations.RunPython(move_backlog, migrations.RunPython.noop),
        migrations.RemoveField(model_name="dayfigure", name="backlog"),
        migrations.RemoveField(model_name="dayfigure", name="backlog_age_seconds"),
    ]
