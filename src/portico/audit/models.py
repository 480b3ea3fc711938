from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone


class Action(models.TextChoices):
    """Names of the events recorded outside the service actions (all in
    `portico.events.registry`)."""

    LOGIN = "session.logged_in", "Logged in"
    LOGIN_FAILED = "session.login_failed", "Log-in failed"
    LOGIN_THROTTLED = "session.login_throttled", "Log-in refused: too many failures"
    LOGOUT = "session.logged_out", "Logged out"
    DEACTIVATED = "individual.deactivated", "Deactivated"
    REACTIVATED = "individual.reactivated", "Reactivated"


class Channel(models.TextChoices):
    WEB = "web", "Web"
    API = "api", "API"
    EMAIL = "email", "E-mail"
    ADMIN = "admin", "Systems Admin"
    TASK = "task", "Background task"
    SYSTEM = "system", "System"


class Event(models.Model):
    """One touch (seed 004: "tracking every touch"): who, what, when, through which
    channel and portal, on what, with the values before and after. Rows are only ever
    added."""

    occurred_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The name as it stood then, or the name tried at a failed log-in.
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=40)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.WEB)
    portal = models.CharField(max_length=20, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    subject_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.CharField(max_length=40, blank=True)
    data = models.JSONField(default=dict, blank=True)
    # The event tells of an internal note: its adding, or a file attached to it or
    # deleted from it (the payload names the file). Such an event is as internal as the
    # note, shown only to those who may read the transaction's internal notes (issue 19:
    # the history leaked a file's name). Set when written, so that lists filter on it
    # in SQL; a note's visibility never changes after it is written.
    internal = models.BooleanField(default=False)
    # What follows the event (its subscribers: notices, e-mail, webhooks) is run by the
    # worker after the commit; until then this is empty (portico.events.dispatch).
    dispatched_at = models.DateTimeField(null=True, blank=True)
    dispatch_due_at = models.DateTimeField(default=timezone.now)
    dispatch_attempts = models.PositiveIntegerField(default=0)
    dispatch_error = models.TextField(blank=True)
    # Set when an automation rule took the action (portico.automations): the rule is the
    # actor, and its own events never set it off again. `depth` counts the rules in the
    # chain that led here, so chains of different rules stop too.
    rule_id = models.PositiveIntegerField(null=True, blank=True)
    depth = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ("-occurred_at", "-id")
        indexes = [
            models.Index(
                fields=["subject_type", "subject_id", "-occurred_at"], name="event_subject"
            ),
            models.Index(fields=["actor", "-occurred_at"], name="event_actor"),
            models.Index(fields=["action", "-occurred_at"], name="event_action"),
            # The reports' roll-ups read a day's events at a time (portico.reports).
            models.Index(fields=["occurred_at"], name="event_occurred"),
            # The worker's one question: what is undispatched, oldest first. The partial
            # index holds only those rows, so it stays a few entries long.
            models.Index(
                fields=["id"],
                condition=models.Q(dispatched_at__isnull=True),
                name="event_undispatched",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"
