"""What the console remembers for each member of staff: when they last looked at their
home page (for "customers updated since I last looked") and the transaction-list filters
they saved under a name."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone

from portico.parties.models import Individual


class ConsoleVisitManager(models.Manager["ConsoleVisit"]):
    def record(self, *, individual: Individual, at: datetime.datetime) -> datetime.datetime | None:
        """Note a visit to the console home and return the one before it (None the first
        time). Two statements whatever came before: a read, then an upsert, so two tabs
        opening at once cannot trip over the one-row-per-person constraint."""
        previous = self.filter(individual=individual).values_list("seen_at", flat=True).first()
        self.bulk_create(
            [ConsoleVisit(individual=individual, seen_at=at)],
            update_conflicts=True,
            unique_fields=["individual"],
            update_fields=["seen_at"],
        )
        return previous


class ConsoleVisit(models.Model):
    """When a person last opened the console home."""

    individual = models.OneToOneField(
        Individual, on_delete=models.CASCADE, related_name="console_visit"
    )
    seen_at = models.DateTimeField()

    objects = ConsoleVisitManager()

    def __str__(self) -> str:
        return f"{self.individual_id} at {self.seen_at:%Y-%m-%d %H:%M}"


class SavedView(models.Model):
    """A person's named transaction-list filter. Private to its owner: only the owner
    sees it listed and only the owner can delete it."""

    owner = models.ForeignKey(Individual, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=80)
    # The filter form's query string, normalised (known fields, no empty values, no page
    # cursor), exactly as validated when it was saved.
    query = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("name", "id")
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_view_name_unique")
        ]

    def __str__(self) -> str:
        return self.name
