"""The customer-service transaction and what it is made of (seed 000): the application
it belongs to, its Profile of classifications, its priority and status, the grants that
decide who may do what with it, its notes, attachments and relations."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from portico.parties.models import Individual, Organization, UserGroup

if TYPE_CHECKING:
    from portico.service.calendar import BusinessHours


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


# --- classifications ----------------------------------------------------------------


class Classification(models.Model):
    """A named list of choices (Issue type, Product, Area, Root cause…) or a typed field
    (seed 000: "a group of data (called Classifications) which describe the transaction")."""

    class Kind(models.TextChoices):
        CHOICE = "choice", "List of choices"
        TEXT = "text", "Text"
        NUMBER = "number", "Number"
        MONEY = "money", "Money"
        DATE = "date", "Date"

    class Audience(models.TextChoices):
        EVERYONE = "everyone", "Everyone"
        STAFF = "staff", "Staff only"

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CHOICE)
    help_text = models.CharField(max_length=200, blank=True)
    # Some classifications are the staff's own analysis (Root cause): the portals and the
    # API never show them to, nor take them from, anyone outside the staff (issue 19).
    audience = models.CharField(
        max_length=10,
        choices=Audience.choices,
        default=Audience.EVERYONE,
        help_text="Staff only: never shown to or set by customers, partners or employees.",
    )

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Choice(models.Model):
    classification = models.ForeignKey(
        Classification, on_delete=models.CASCADE, related_name="choices"
    )
    code = models.SlugField(max_length=60)
    label = models.CharField(max_length=120)
    position = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ("classification", "position", "label")
        constraints = [
            models.UniqueConstraint(fields=["classification", "code"], name="choice_code_unique")
        ]

    def __str__(self) -> str:
        return self.label


# --- permissions ----------------------------------------------------------------------


CAPABILITIES = (
    "view",
    "edit_profile",
    "edit_text",
    "add_shared_note",
    "add_internal_note",
    "read_internal_notes",
    "attach_files",
    "download_files",
    "manage_grants",
    "on_task_list",
)
# Capabilities only staff can hold, whatever the grant says: internal notes never reach
# anyone outside the staff (design.md, access rule 3).
STAFF_ONLY_CAPABILITIES = frozenset({"add_internal_note", "read_internal_notes"})


class Permission(models.Model):
    """What a grant allows, as a set of capabilities. The six standard ones come from
    seed 001; administrators may define more."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80, unique=True)
    description = models.CharField(max_length=200, blank=True)
    is_standard = models.BooleanField(default=False, editable=False)
    # A relationship only ("Linked to": "grants no processing rights"): such a grant
    # neither gives nor takes away access, so it never decides the most specific level.
    decides_access = models.BooleanField(default=True)
    view = models.BooleanField(default=False)
    edit_profile = models.BooleanField(default=False)
    edit_text = models.BooleanField("edit title and description", default=False)
    add_shared_note = models.BooleanField(default=False)
    add_internal_note = models.BooleanField(default=False)
    read_internal_notes = models.BooleanField(default=False)
    attach_files = models.BooleanField(default=False)
    download_files = models.BooleanField(default=False)
    manage_grants = models.BooleanField(default=False)
    on_task_list = models.BooleanField(default=False)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    @property
    def capabilities(self) -> frozenset[str]:
        return frozenset(c for c in CAPABILITIES if getattr(self, c))


# --- applications ---------------------------------------------------------------------


class Application(models.Model):
    """A kind of transaction with its own number prefix, profile and status flow."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80, unique=True)
    prefix = models.CharField(
        max_length=6, unique=True, help_text="Starts every number, e.g. SI for SI-000123."
    )
    description = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)
    # The team whose queue new transactions join (seed 002: dispatch and forwarding).
    team = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": Organization.Kind.TEAM},
    )
    uses_priority = models.BooleanField(default=True)
    # How long after it is resolved its customer may still reopen it (issue 19).
    reopen_days = models.PositiveSmallIntegerField(
        "reopen period (days)",
        default=14,
        help_text="Days after it is resolved that the customer may reopen it; 0: never.",
    )
    classifications = models.ManyToManyField(
        Classification, through="ProfileField", blank=True, related_name="applications"
    )
    next_number = models.PositiveBigIntegerField(default=1, editable=False)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class ProfileField(models.Model):
    """One classification in an application's Profile."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="profile_fields"
    )
    classification = models.ForeignKey(Classification, on_delete=models.PROTECT)
    mandatory = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ("application", "position")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "classification"], name="profile_field_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.classification}"


class Status(models.Model):
    class Category(models.TextChoices):
        NEW = "new", "New"
        OPEN = "open", "Open"
        WAITING = "waiting", "Waiting on customer"  # the SLA clock pauses
        RESOLVED = "resolved", "Resolved"
        CLOSED = "closed", "Closed"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="statuses")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=80)
    category = models.CharField(max_length=10, choices=Category.choices)
    initial = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=100)
    next_statuses = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="previous_statuses"
    )

    class Meta:
        ordering = ("application", "position")
        verbose_name_plural = "statuses"
        constraints = [
            models.UniqueConstraint(fields=["application", "code"], name="status_code_unique"),
            models.UniqueConstraint(
                fields=["application"], condition=Q(initial=True), name="one_initial_status"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.category not in {self.Category.RESOLVED, self.Category.CLOSED}


class ApplicationRight(models.Model):
    """A user group's default rights on an application (seed 001): that it sees the
    application at all, whether it may create transactions of it, and the permission its
    members have on transactions no more specific grant speaks of."""

    user_group = models.ForeignKey(
        UserGroup, on_delete=models.CASCADE, related_name="application_rights"
    )
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="rights")
    may_create = models.BooleanField(default=False)
    default_permission = models.ForeignKey(
        Permission, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user_group", "application"], name="application_right_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_group} on {self.application}"


class DefaultGrant(models.Model):
    """A grant every new transaction of an application receives (seed 000: "Read only
    for all employees of the customer but Update Worknotes for the individual ... who
    originally logged the call")."""

    class Principal(models.TextChoices):
        REQUESTER = "requester", "The person it is for"
        REQUESTER_ORGANIZATION = "requester_org", "Their organisation"
        TEAM = "team", "The application's team"
        RECORDER = "recorder", "The person who recorded it"

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="default_grants"
    )
    principal = models.CharField(max_length=20, choices=Principal.choices)
    permission = models.ForeignKey(Permission, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "principal", "permission"], name="default_grant_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application}: {self.get_principal_display()} → {self.permission}"


# --- priorities and the calendar -------------------------------------------------------


class Priority(models.Model):
    """P1–P4 with response targets of 30 min, 1 h, 4 h and 8 h (seed 000)."""

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=80)
    position = models.PositiveSmallIntegerField(default=100)
    response_minutes = models.PositiveIntegerField(help_text="Business minutes to respond.")
    resolution_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text="Business minutes to resolve (optional)."
    )

    class Meta:
        ordering = ("position",)
        verbose_name_plural = "priorities"

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class BusinessCalendar(models.Model):
    """The hours the SLA clock runs. One is the default; public holidays come from the
    `holidays` package for the country and subdivision."""

    name = models.CharField(max_length=80, unique=True)
    is_default = models.BooleanField(default=False)
    time_zone = models.CharField(max_length=60, default="Europe/London")
    opens = models.TimeField(default=datetime.time(9, 0))
    closes = models.TimeField(default=datetime.time(17, 30))
    workdays = models.CharField(
        max_length=7, default="01234", help_text="Days open, Monday=0 … Sunday=6."
    )
    country = models.CharField(max_length=2, default="GB", blank=True)
    subdivision = models.CharField(max_length=10, default="SCT", blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_calendar"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def hours(self) -> BusinessHours:
        from portico.service.calendar import BusinessHours

        return BusinessHours(
            time_zone=self.time_zone,
            opens=self.opens,
            closes=self.closes,
            workdays=frozenset(int(d) for d in self.workdays),
            country=self.country,
            subdivision=self.subdivision,
            extra_holidays=frozenset(self.closures.values_list("date", flat=True)),
        )


class Closure(models.Model):
    """A day the service is closed beyond the public holidays."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="closures"
    )
    date = models.DateField()
    reason = models.CharField(max_length=120, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="closure_unique")]

    def __str__(self) -> str:
        return f"{self.date}: {self.reason}"


# --- the transaction --------------------------------------------------------------------


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


class Grant(models.Model):
    """A row of Individual and Organization Permissions on one transaction (seed 000)."""

    transaction = models.ForeignKey(Transaction, on_delete=models.CASCADE, related_name="grants")
    individual = models.ForeignKey(
        Individual, null=True, blank=True, on_delete=models.CASCADE, related_name="grants"
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="grants"
    )
    permission = models.ForeignKey(Permission, on_delete=models.PROTECT, related_name="grants")
    granted_at = models.DateTimeField(default=timezone.now, editable=False)
    granted_by = models.ForeignKey(
        Individual, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(individual__isnull=False, organization__isnull=True)
                    | Q(individual__isnull=True, organization__isnull=False)
                ),
                name="grant_one_principal",
            ),
            models.UniqueConstraint(
                fields=["transaction", "individual", "permission"],
                condition=Q(individual__isnull=False),
                name="grant_individual_unique",
            ),
            models.UniqueConstraint(
                fields=["transaction", "organization", "permission"],
                condition=Q(organization__isnull=False),
                name="grant_organization_unique",
            ),
        ]
        indexes = [
            # "Which transactions may this person see?" starts from the principal. The
            # permission is in the key so the answer comes from the index alone: the
            # busiest organisation's 11,000 grants in 1 ms rather than 8 (scale L).
            models.Index(
                fields=["individual", "transaction", "permission"], name="grant_individual_access"
            ),
            models.Index(
                fields=["organization", "transaction", "permission"],
                name="grant_organization_access",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.principal} – {self.permission}"

    @property
    def principal(self) -> Individual | Organization:
        principal = self.individual or self.organization
        assert principal is not None
        return principal


class Note(models.Model):
    """A note or comment: one contact point (seed 000: "by far the most important
    section"). Never edited in place: a correction is a new note that points back."""

    class Direction(models.TextChoices):
        INBOUND = "in", "Inbound"
        OUTBOUND = "out", "Outbound"
        NONE = "none", "—"

    class Visibility(models.TextChoices):
        INTERNAL = "internal", "Internal (staff only)"
        SHARED = "shared", "Shared with the customer"

    transaction = models.ForeignKey(Transaction, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        Individual, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.INTERNAL)
    direction = models.CharField(max_length=4, choices=Direction.choices, default=Direction.NONE)
    contact = models.ForeignKey(
        Individual,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The individual the contact was with.",
    )
    visibility = models.CharField(max_length=10, choices=Visibility.choices)
    body = models.TextField()
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("created_at", "id")
        indexes = [
            models.Index(fields=["transaction", "created_at"], name="note_transaction"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} note on {self.transaction_id}"


def _attachment_path(instance: Attachment, filename: str) -> str:
    # The stored name is ours alone: a person's file name never reaches the file system.
    return f"attachments/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    transaction = models.ForeignKey(
        Transaction, on_delete=models.CASCADE, related_name="attachments"
    )
    note = models.ForeignKey(
        Note, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    name = models.CharField(max_length=160, help_text="The name shown; never used to store.")
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        Individual, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Deleting hides it from everyone but keeps the trail; the bytes are removed.
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("created_at", "id")
        indexes = [models.Index(fields=["transaction", "created_at"], name="attachment_tx")]

    def __str__(self) -> str:
        return self.name


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


__all__ = [
    "CAPABILITIES",
    "STAFF_ONLY_CAPABILITIES",
    "Application",
    "ApplicationRight",
    "Attachment",
    "BusinessCalendar",
    "Channel",
    "Choice",
    "Classification",
    "Closure",
    "DefaultGrant",
    "Grant",
    "Note",
    "Permission",
    "Priority",
    "ProfileField",
    "ProfileValue",
    "Relation",
    "Status",
    "Transaction",
]
