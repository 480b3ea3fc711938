from django.db import models


class PeriodicRun(models.Model):
    """When a periodic job (portico.events.periodic) next falls due, and how its last run
    went. One row a job; a worker takes a run by moving `next_run_at` on with a
    conditional UPDATE, so that of any number of workers exactly one runs it."""

    name = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField()
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_worker = models.CharField(max_length=64, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name
