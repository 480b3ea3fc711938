"""The set-up every transaction is made from (seed 000): classifications and their
choices, the permissions a grant gives, applications with their profiles, status flows,
rights and default grants, priorities and the business calendar."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

from portico.parties.models import Organization, UserGroup

if TYPE_CHECKING:
    from portico.service.calendar import BusinessHours


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
    # For a product: the member of staff who answers for it (issue 22: rules notify the
    # product's owner; issue 24: a flagged product goes to them).
    owner = models.ForeignKey(
        "parties.Individual",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_products",
        help_text="For a product: the member of staff who owns it.",
    )

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
