import datetime
from decimal import Decimal
from typing import Any

from django.db import migrations, models
from django.db.models import Q, Sum

COUNTS = (
    "opened",
    "complaints",
    "resolved",
    "closed",
    "responded",
    "response_due",
    "response_on_time",
    "resolution_due",
    "resolution_on_time",
    "value",
    "cost",
    "answered",
    "satisfied",
)
HISTOGRAMS = ("response_business", "response_clock", "resolution_business", "resolution_clock")


def add_up_built_months(apps: Any, schema_editor: Any) -> None:
    """The months of the days already built: the reports read full months from here, and
    the worker rebuilds only the recent ones."""
    DayFigure = apps.get_model("reports", "DayFigure")
    MonthFigure = apps.get_model("reports", "MonthFigure")
    days = DayFigure.objects.order_by()
    months = sorted({d.replace(day=1) for d in days.values_list("day", flat=True).distinct()})
    for month in months:
        following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        in_month = days.filter(day__gte=month, day__lt=following)
        found: dict[tuple[str, str, str], Any] = {}
        for summed in in_month.values("dimension", "team", "key").annotate(
            **{f"s_{name}": Sum(name) for name in COUNTS}
        ):
            found[(summed["dimension"], summed["team"], summed["key"])] = MonthFigure(
                month=month,
                dimension=summed["dimension"],
                team=summed["team"],
                key=summed["key"],
                **{name: summed[f"s_{name}"] or 0 for name in COUNTS},
                **{name: {} for name in HISTOGRAMS},
            )
        for row in in_month.filter(Q(responded__gt=0) | Q(resolved__gt=0)).values(
            "dimension", "team", "key", *HISTOGRAMS
        ):
            into = found[(row["dimension"], row["team"], row["key"])]
            for name in HISTOGRAMS:
                merged = getattr(into, name)
                for bucket, n in row[name].items():
                    merged[bucket] = merged.get(bucket, 0) + n
        MonthFigure.objects.bulk_create(found.values(), batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0008_stale_days"),
    ]

    operations = [
        migrations.CreateModel(
            name="MonthFigure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
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
                ("opened", models.PositiveIntegerField(default=0)),
                (
                    "complaints",
                    models.PositiveIntegerField(default=0, help_text="Complaints opened."),
                ),
                ("resolved", models.PositiveIntegerField(default=0)),
                ("closed", models.PositiveIntegerField(default=0)),
                ("responded", models.PositiveIntegerField(default=0)),
                ("response_due", models.PositiveIntegerField(default=0)),
                ("response_on_time", models.PositiveIntegerField(default=0)),
                ("resolution_due", models.PositiveIntegerField(default=0)),
                ("resolution_on_time", models.PositiveIntegerField(default=0)),
                ("response_business", models.JSONField(default=dict)),
                ("response_clock", models.JSONField(default=dict)),
                ("resolution_business", models.JSONField(default=dict)),
                ("resolution_clock", models.JSONField(default=dict)),
                (
                    "value",
                    models.DecimalField(decimal_places=2, default=Decimal("0"), max_digits=16),
                ),
                (
                    "cost",
                    models.DecimalField(decimal_places=2, default=Decimal("0"), max_digits=16),
                ),
                ("answered", models.PositiveIntegerField(default=0)),
                ("satisfied", models.PositiveIntegerField(default=0)),
                ("month", models.DateField(help_text="The month's first day.")),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("dimension", "month", "team", "key"), name="month_figure_once"
                    )
                ],
            },
        ),
        migrations.RunPython(add_up_built_months, migrations.RunPython.noop),
    ]
