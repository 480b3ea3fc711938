"""The transaction itself (seed 000), the channels it and its notes come in by, its
profile values and its typed links to other transactions."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from portico.parties.models import Individual, Organization
from portico.service.models.setup import Application, Choice, Classification, Priority, Status


class Channel(models.TextChoices):
    """How a transaction or note came in (seed 002: every contact point)."""

    WEB = "web", "Web portal"
    PHONE = "phone", "Phone"
    EMAIL = "email", "E-mail"
    FAX = "fax", "Fax"
    CHAT = "chat", "Chat"
    WALK_IN = "walk_in", "Walk-in"
    MEETING = "meeting", "Meeting"
    API = "api", "API"
    INTERNAL = "internal", "Internal"


class Transaction(models.Model):
    """The unit of work (seed 000)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveBigIntegerField(editable=False)
    number = models.CharField(max_length=24, unique=True, editable=False)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.ForeignKey(Status, on_delete=models.PROTECT, related_name="+")
    priority = models.ForeignKey(
        Priority, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Who it refers to, who it is for, who wrote it down, which team holds it.
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requester = models.ForeignKey(
        Individual, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        Individual, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)
    # The last change a non-staff person made, for "what customers updated" in the console.
    customer_updated_at = models.DateTimeField(null=True, blank=True)
    # SLA: due times are business-hours arithmetic from created_at, pushed on by the
    # business minutes spent waiting on the customer.
    response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    # The lists' "Resolve by" column and sort key: one meaning for every priority.
    due_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=(
            "When it needs a resolution (seed 000: Due date), the resolution due time; "
            "none when its priority has no resolution target."
        ),
    )
    sla_paused_at = models.DateTimeField(null=True, blank=True)
    sla_paused_minutes = models.PositiveIntegerField(default=0)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # When its newest note was written (actions.add_note sets it), so a timeline across
    # many transactions can walk them newest note first and stop early. Never earlier
    # than any of its notes; null while it has none.
    last_note_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution = models.TextField(blank=True)
    value = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    cost = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "sequence"], name="transaction_sequence_unique"
            )
        ]
        indexes = [
            models.Index(fields=["due_at", "id"], name="transaction_due"),
            # Queues and task lists read the running ones by due time (bench, scale L).
            models.Index(
                fields=["due_at", "id"],
                condition=Q(resolved_at__isnull=True),
                name="transaction_open_due",
            ),
            models.Index(fields=["organization", "due_at"], name="transaction_org_due"),
            # An organisation's running ones by due time (its 360° view, the queue
            # filtered to it), and by status too: through transaction_org_due the
            # busiest organisation's open list read its 10,000 finished ones, through
            # transaction_org_open all 1,100 running to keep 25 (scale L).
            models.Index(
                fields=["organization", "due_at", "id"],
                condition=Q(resolved_at__isnull=True),
                name="transaction_org_open_due",
            ),
            models.Index(
                fields=["organization", "status", "due_at", "id"],
                condition=Q(resolved_at__isnull=True),
                name="transaction_org_status_open",
            ),
            # The 360° view's finished transactions, newest first: without it the busiest
            # organisation's 12,000 were read and sorted for 25 (scale L).
            models.Index(
                fields=["organization", "-resolved_at", "-id"],
                name="transaction_org_resolved",
                condition=models.Q(resolved_at__isnull=False),
            ),
            models.Index(fields=["team", "due_at"], name="transaction_team_due"),
            # The portal's "my open" and "my organisation's open" lists, newest update
            # first: the list walks one of these and tests each row's grants until its
            # page is full, instead of reading every transaction the busiest organisation
            # may see (10,000 at scale L) to sort them. Only the running ones, so a long
            # finished history is never walked past.
            models.Index(
                fields=["requester", "-updated_at", "-id"],
                condition=Q(resolved_at__isnull=True),
                name="transaction_requester_open",
            ),
            models.Index(
                fields=["organization", "-updated_at", "-id"],
                condition=Q(resolved_at__isnull=True),
                name="transaction_org_open",
            ),
            models.Index(fields=["status", "due_at"], name="transaction_status_due"),
            # The 360° views' notes timelines: the busiest organisation's 28,000 notes
            # were read and sorted for the newest ten (scale L).
            models.Index(
                fields=["organization", "-last_note_at", "-id"],
                condition=Q(last_note_at__isnull=False),
                name="transaction_org_last_note",
            ),
            models.Index(
                fields=["requester", "-last_note_at", "-id"],
                condition=Q(last_note_at__isnull=False),
                name="transaction_req_last_note",
            ),
            # "What customers updated since I last looked" reads only the touched ones.
            models.Index(
                fields=["customer_updated_at"],
                condition=Q(customer_updated_at__isnull=False),
                name="transaction_customer_updated",
            ),
            # The two breach questions, each a small partial index over the still-running.
            models.Index(
                fields=["response_due_at"],
                condition=Q(
                    first_response_at__isnull=True,
                    closed_at__isnull=True,
                    sla_paused_at__isnull=True,
                ),
                name="transaction_response_breach",
            ),
            models.Index(
                fields=["resolution_due_at"],
                condition=Q(resolved_at__isnull=True, sla_paused_at__isnull=True),
                name="transaction_resolution_breach",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class ProfileValue(models.Model):
    """A transaction's value for one classification of its application's profile."""

    transaction = models.ForeignKey(
        Transaction, on_delete=models.CASCADE, related_name="profile_values"
    )
    classification = models.ForeignKey(Classification, on_delete=models.PROTECT, related_name="+")
    choice = models.ForeignKey(
        Choice, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.CharField(max_length=200, blank=True)
    number = models.DecimalField(max_digits=16, decimal_places=4, null=True, blank=True)
    date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["transaction", "classification"], name="profile_value_unique"
            )
        ]
        indexes = [models.Index(fields=["choice", "transaction"], name="profile_value_choice")]

    def __str__(self) -> str:
        return f"{self.classification_id}={self.display}"

    @property
    def display(self) -> str:
        if self.choice_id is not None:
            return self.choice.label if self.choice else ""
        if self.number is not None:
            return f"{self.number.normalize():f}"
        if self.date is not None:
            return self.date.isoformat()
        return self.text


class Relation(models.Model):
    """A typed link between two transactions, shown from both ends."""

    class Kind(models.TextChoices):
        RELATED = "related", "Related to"
        DUPLICATE = "duplicate", "Duplicate of"
        PARENT = "parent", "Parent of"
        CAUSED_BY = "caused_by", "Caused by"

    # How the link reads from the other end.
    INVERSE = {
        Kind.RELATED: "Related to",
        Kind.DUPLICATE: "Has duplicate",
        Kind.PARENT: "Child of",
        Kind.CAUSED_BY: "Causes",
    }

    source = models.ForeignKey(Transaction, on_delete=models.CASCADE, related_name="relations_out")
    target = models.ForeignKey(Transaction, on_delete=models.CASCADE, related_name="relations_in")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        Individual, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(source=models.F("target")), name="relation_no_self"
            ),
            # One link per pair of transactions, whichever way round it was made.
            models.UniqueConstraint(
                Least("source", "target"), Greatest("source", "target"), name="relation_pair_unique"
            ),
        ]
        indexes = [models.Index(fields=["target"], name="relation_target")]

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.target_id}"
