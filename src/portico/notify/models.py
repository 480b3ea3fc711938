import uuid

from django.db import models
from django.utils import timezone

from portico.parties.models import Individual


class Notification(models.Model):
    """An in-app notice to one person (seed 002: dispatch "with notice to the
    supervisor"). Written by the worker when it dispatches the event it tells of, in the
    transaction that marks the event dispatched: so each notice is written once, however
    often a worker dies on the way (portico.events.dispatch)."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", "Assigned to you"
        TEAM_ASSIGNED = "team_assigned", "Assigned in your team"
        FORWARDED = "forwarded", "Forwarded to your team"
        CUSTOMER_UPDATED = "customer_updated", "Updated by the customer"
        WITHDRAWN = "withdrawn", "Withdrawn by the customer"
        REOPENED = "reopened", "Reopened by the customer"
        COMPLAINT = "complaint", "A complaint logged"
        ESCALATED = "escalated", "Service level at risk"
        PERSON_LEFT = "person_left", "A person deactivated"
        RULE = "rule", "From an automation rule"

    recipient = models.ForeignKey(
        Individual, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What it is about: a transaction, or (a person leaving) nobody's transaction.
    transaction = models.ForeignKey(
        "service.Transaction", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    text = models.CharField(max_length=300)
    # Where the notice leads when there is no transaction (a person's page).
    link = models.CharField(max_length=300, blank=True)
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


def new_delivery_key() -> str:
    return uuid.uuid4().hex


class Delivery(models.Model):
    """The outbox: one row for each e-mail that leaves Portico, written with its notice
    in the worker's transaction that dispatches the event: never without its notice,
    never twice. The worker sends the rows and marks them sent (a task queued after that
    commit, and the outbox sweep behind it; `portico deliver` by hand).

    Sending and marking sent cannot be one atomic step, so a deliverer that dies between
    them sends the row again: delivery is at least once. The key makes it once: it goes
    out as the e-mail's Message-ID and X-Portico-Delivery header, the same on every
    attempt, so the receiver (or anything reading the mailbox) drops a repeat."""

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"

    key = models.CharField(max_length=64, unique=True, default=new_delivery_key)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    # What was said is kept here, as it was when the change was made: the delivery does
    # not depend on the notice (or the person) still being there when it is sent.
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    address = models.CharField(max_length=254, help_text="E-mail address (or URL) to send to.")
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    # A message to a customer (portico.mail) carries more: its HTML, who else it goes
    # to, its own From and Reply-To, the envelope sender bounces come back to (VERP),
    # its threading and list headers, the transaction and note it tells of, and the
    # note's files. A staff notice leaves them empty.
    kind = models.CharField(max_length=20, blank=True)
    html = models.TextField(blank=True)
    cc = models.JSONField(default=list, blank=True)
    from_header = models.CharField(max_length=300, blank=True)
    reply_to = models.CharField(max_length=300, blank=True)
    sender = models.CharField(max_length=300, blank=True, help_text="The envelope sender.")
    headers = models.JSONField(default=dict, blank=True)
    transaction = models.ForeignKey(
        "service.Transaction", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.ForeignKey(
        "service.Note", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attachments = models.ManyToManyField("service.Attachment", blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # When it may next be tried: the creation time, then later after each failure.
    due_at = models.DateTimeField(default=timezone.now)
    # A deliverer owns the row until claimed_until; one that died lets the claim lapse.
    claimed_by = models.CharField(max_length=32, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ("-created_at", "-id")
        indexes = [
            # The deliverer's one question: what is unsent and due, oldest first.
            models.Index(
                fields=["due_at", "id"],
                condition=models.Q(sent_at__isnull=True),
                name="delivery_due",
            ),
            # Threading: the messages already sent about a transaction.
            models.Index(fields=["transaction", "created_at"], name="delivery_transaction"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.address} ({self.key})"


class DeliveryFile(models.Model):
    """A file made for one message, such as a scheduled report's export: unlike a note's
    attachments it exists nowhere else, so the outbox keeps it with the message and
    every attempt sends the same bytes."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    data = models.BinaryField()

    def __str__(self) -> str:
        return self.name
