from django.db import models
from django.utils import timezone

from portico.parties.models import Individual


class Notification(models.Model):
    """An in-app notice to one person (seed 002: dispatch "with notice to the
    supervisor"). Written in the same database transaction as the change it tells of,
    so a change is never committed without its notices, nor a notice without its change."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", "Assigned to you"
        TEAM_ASSIGNED = "team_assigned", "Assigned in your team"
        FORWARDED = "forwarded", "Forwarded to your team"
        CUSTOMER_UPDATED = "customer_updated", "Updated by the customer"

    recipient = models.ForeignKey(
        Individual, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    transaction = models.ForeignKey(
        "service.Transaction", on_delete=models.CASCADE, related_name="+"
    )
    text = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient"),
        ]

    def __str__(self) -> str:
        return self.text
