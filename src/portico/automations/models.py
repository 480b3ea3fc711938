"""The desk's automations (issue 22): rules that act on what happens (event rules) and on
what does not (time rules), campaigns e-mailed to a segment, and greetings.

A rule is a trigger, conditions that must all hold, and actions run in order. Each is a
row an administrator edits in Systems Admin; the defaults (the customer messages of the
e-mail channel and the staff notices) are rules too, with a `code`, so they can be
switched off or changed and are never sent by a second, hidden copy."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from portico.events import registry
from portico.mail.models import Kind as MailKind
from portico.notify.models import Notification
from portico.parties.models import Individual, Organization, UserGroup
from portico.service.models import (
    Choice,
    Classification,
    Permission,
    Priority,
    Transaction,
)

# The events a rule may start from: those about a transaction or a person that the desk
# would act on. Reading a page or logging in starts nothing.
TRIGGERS: tuple[str, ...] = (
    "transaction.created",
    "transaction.profile_changed",
    "transaction.text_changed",
    "transaction.status_changed",
    "transaction.assigned",
    "transaction.forwarded",
    "transaction.withdrawn",
    "transaction.reopened",
    "note.added",
    "attachment.added",
    "satisfaction.answered",
    "product.flagged",
    "individual.updated",
    "individual.deactivated",
    "individual.reactivated",
)


class Rule(models.Model):
    class Trigger(models.TextChoices):
        EVENT = "event", "When something happens"
        TIME = "time", "When time passes"

    class Timer(models.TextChoices):
        """What a time rule's clock runs from; each action fires `after_minutes` from it
        (negative: before), once per transaction and moment."""

        RESPONSE_DUE = "response_due", "The response is due (first response not yet given)"
        RESOLUTION_DUE = "resolution_due", "The resolution is due (not yet resolved)"
        WAITING = "waiting", "Waiting on the customer since"
        RESOLVED = "resolved", "Resolved since (not yet closed)"

    name = models.CharField(max_length=120, unique=True)
    description = models.CharField(max_length=300, blank=True)
    # The built-in rules' own names, so the demo, tests and upgrades can find them; an
    # administrator's rule has none.
    code = models.SlugField(max_length=60, unique=True, null=True, blank=True, editable=False)
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=100)
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.EVENT)
    event = models.CharField(
        max_length=40,
        blank=True,
        choices=[(name, f"{registry.get(name).summary} ({name})") for name in TRIGGERS],
        help_text="For a rule on something happening: what.",
    )
    timer = models.CharField(
        max_length=20,
        blank=True,
        choices=Timer.choices,
        help_text="For a rule on time passing: the moment its actions count from.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("position", "name")
        indexes = [
            models.Index(fields=["event"], condition=Q(active=True), name="rule_active_event")
        ]

    def __str__(self) -> str:
        return self.name


class Condition(models.Model):
    """One test on the event and its transaction (or person); a rule runs when all hold."""

    class Field(models.TextChoices):
        APPLICATION = "application", "Application (code)"
        PRIORITY = "priority", "Priority (code)"
        ORGANIZATION = "organization", "Organisation (name)"
        PRODUCT = "product", "Product (choice code)"
        CHANNEL = "channel", "Channel the transaction came by"
        CLASSIFICATION = "classification", "A classification's value (choice code or text)"
        STATUS_CATEGORY = "status_category", "Status category (new, open, waiting…)"
        CUSTOMER_GROUP = "customer_group", "The customer's user group (name)"
        ORGANIZATION_KIND = "organization_kind", "The person's organisation kind"
        NOTE_BY = "note_by", "A note's author (staff or customer)"
        NOTE_VISIBILITY = "note_visibility", "A note's visibility (shared or internal)"
        TIME_OF_DAY = "time_of_day", "Time of day (HH:MM-HH:MM, site time)"
        WEEKDAY = "weekday", "Day of the week (mon, tue…)"
        SATISFIED = "satisfied", "A survey answer: satisfied (yes or no)"

    class Operator(models.TextChoices):
        IS = "is", "is"
        IS_NOT = "is_not", "is not"
        ONE_OF = "one_of", "is one of (comma-separated)"
        NONE_OF = "none_of", "is none of (comma-separated)"
        BETWEEN = "between", "is between"

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="conditions")
    field = models.CharField(max_length=20, choices=Field.choices)
    classification = models.ForeignKey(
        Classification,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="For a classification's value: which classification.",
    )
    operator = models.CharField(max_length=10, choices=Operator.choices, default=Operator.IS)
    value = models.CharField(max_length=300)

    class Meta:
        ordering = ("rule", "id")

    def __str__(self) -> str:
        return f"{self.get_field_display()} {self.get_operator_display()} {self.value}"


class Action(models.Model):
    class Kind(models.TextChoices):
        NOTIFY = "notify", "Notify (in the console and by e-mail)"
        EMAIL_CUSTOMER = "email_customer", "E-mail the customer from a template"
        SET_CLASSIFICATION = "set_classification", "Set a classification"
        SET_PRIORITY = "set_priority", "Set the priority"
        FORWARD = "forward", "Forward to a team"
        ASSIGN = "assign", "Assign for action"
        GRANT = "grant", "Add a grant"
        INTERNAL_NOTE = "internal_note", "Add an internal note"
        WEBHOOK = "webhook", "Call a webhook"
        CLOSE = "close", "Close the transaction with a note"
        ASK_SATISFACTION = "ask_satisfaction", "Ask the requester if they were satisfied"

    class Target(models.TextChoices):
        """Who an action is for (notify, assign, grant)."""

        PERSON = "person", "A named person"
        TEAM = "team", "A named team (its members)"
        TEAM_SUPERVISOR = "team_supervisor", "The supervisor of the team holding it"
        ASSIGNEES = "assignees", "Its assignees"
        NEW_ASSIGNEES = "new_assignees", "Those just assigned (the event's)"
        ASSIGNEES_SUPERVISORS = "assignees_supervisors", "Its assignees' supervisors"
        NEW_ASSIGNEES_SUPERVISORS = (
            "new_assignees_supervisors",
            "The supervisors of those just assigned",
        )
        FORWARDED_TEAM = "forwarded_team", "The team it was just forwarded to"
        HOLDING_TEAM = "holding_team", "The team holding it (its members)"
        ACCOUNT_OWNER = "account_owner", "The organisation's account owner"
        PRODUCT_OWNER = "product_owner", "The product's owner"
        REQUESTER = "requester", "The requester"

    # For "e-mail the customer": which message; `by_status`, the one for the status
    # category reached (waiting, resolved, closed).
    BY_STATUS = "by_status"

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="actions")
    position = models.PositiveSmallIntegerField(default=1)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    target = models.CharField(max_length=30, choices=Target.choices, blank=True)
    individual = models.ForeignKey(
        Individual, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": Organization.Kind.TEAM},
    )
    notice = models.CharField(
        max_length=20,
        blank=True,
        choices=Notification.Kind.choices,
        help_text="For a notice: how it is labelled in the console.",
    )
    mail_kind = models.CharField(
        "message",
        max_length=20,
        blank=True,
        choices=[(BY_STATUS, "The one for the status reached"), *MailKind.choices],
    )
    classification = models.ForeignKey(
        Classification, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    choice = models.ForeignKey(
        Choice, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    priority = models.ForeignKey(
        Priority, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    permission = models.ForeignKey(
        Permission, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    webhook = models.ForeignKey(
        "webhooks.Subscription",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField(
        blank=True, help_text="The note's or notice's words ({{ number }} and {{ title }} work)."
    )
    # Time rules: when, from the rule's moment (negative: before it). Blank on a
    # "resolved since" rule: the application's reopen period.
    after_minutes = models.IntegerField(null=True, blank=True)

    class Meta:
        ordering = ("rule", "position", "id")

    def __str__(self) -> str:
        return f"{self.position}. {self.get_kind_display()}"


class Failure(models.Model):
    """An action that failed, kept to be tried again by the worker (never lost, never
    blocking the change that set it off): the rule's other actions and the other rules
    ran all the same."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="failures")
    event = models.ForeignKey(
        "audit.Event", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    transaction = models.ForeignKey(
        Transaction, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    attempts = models.PositiveIntegerField(default=1)
    error = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    next_try_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    given_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = [
            models.Index(
                fields=["next_try_at"],
                condition=Q(done_at__isnull=True, given_up_at__isnull=True),
                name="failure_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.action}: {self.error[:80]}"


class Firing(models.Model):
    """A time rule's action done for a transaction at a moment: once, however many
    workers look (the unique constraint is the claim)."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="firings")
    transaction = models.ForeignKey(Transaction, on_delete=models.CASCADE, related_name="+")
    moment = models.DateTimeField()
    fired_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["action", "transaction", "moment"], name="firing_once")
        ]

    def __str__(self) -> str:
        return f"{self.action} at {self.moment:%Y-%m-%d %H:%M}"


class Campaign(models.Model):
    """A product announcement or news, e-mailed by the worker in batches to the people of
    a segment who opted in to news."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Cancelled"

    name = models.CharField(max_length=120)
    subject = models.CharField(max_length=200)
    text = models.TextField("plain text", help_text="{{ name }} is the person's name.")
    html = models.TextField("HTML", blank=True, help_text="Empty: made from the plain text.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    # The segment: people in any of these organisations, user groups, or who have a
    # transaction about any of these products. Empty everywhere: everyone opted in.
    organizations = models.ManyToManyField(Organization, blank=True, related_name="+")
    user_groups = models.ManyToManyField(UserGroup, blank=True, related_name="+")
    products = models.ManyToManyField(Choice, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return self.name


class Recipient(models.Model):
    """One person a campaign goes to: once (the unique constraint), with what became of
    it."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped (suppressed or no consent)"
        BOUNCED = "bounced", "Bounced"
        OPTED_OUT = "opted_out", "Opted out"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    individual = models.ForeignKey(Individual, on_delete=models.CASCADE, related_name="+")
    address = models.CharField(max_length=254)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    delivery = models.OneToOneField(
        "notify.Delivery", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "individual"], name="recipient_once")
        ]
        indexes = [models.Index(fields=["campaign", "state"], name="recipient_state")]

    def __str__(self) -> str:
        return self.address


class Greeting(models.Model):
    """A birthday or customer anniversary e-card sent: once a year each."""

    class Kind(models.TextChoices):
        BIRTHDAY = MailKind.BIRTHDAY.value, "Birthday"
        ANNIVERSARY = MailKind.ANNIVERSARY.value, "Anniversary"

    individual = models.ForeignKey(Individual, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField()
    delivery = models.OneToOneField(
        "notify.Delivery", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["individual", "kind", "year"], name="greeting_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}"
