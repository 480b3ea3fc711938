"""The e-mail channel's records: the mailboxes Portico answers for, the messages
customers are sent (templates, and which an application sends at all), every message
that came in with what became of it, and what the mail system has told us of each
address (bounces)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from portico.parties.models import Individual, UserGroup
from portico.service.models import Application, Note, Transaction


class Mailbox(models.Model):
    """An address customers write to (support@…): mail to it, or to its plus-addresses
    (support+SI-000123.<token>@…), is read by `portico mailin`. New mail opens a
    transaction of its application; replies find theirs. Messages to customers about
    that application's transactions come From this address."""

    class UnknownSenders(models.TextChoices):
        CREATE = "create", "Create the person"
        REFUSE = "refuse", "Refuse, with a polite reply"

    class Security(models.TextChoices):
        TLS = "tls", "TLS (port 993)"
        STARTTLS = "starttls", "STARTTLS"
        NONE = "none", "None (127.0.0.1 only)"

    name = models.CharField(max_length=80, unique=True)
    address = models.EmailField(unique=True, help_text="The address customers write to.")
    application = models.ForeignKey(
        Application,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="New mail to this address opens a transaction of this application.",
    )
    active = models.BooleanField(default=True)
    unknown_senders = models.CharField(
        max_length=10,
        choices=UnknownSenders.choices,
        default=UnknownSenders.REFUSE,
        help_text="What to do with new mail from an address that is no one's.",
    )
    new_people_group = models.ForeignKey(
        UserGroup,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The user group of people created from mail (when unknown senders are created).",
    )
    # IMAP polling (`portico mailin --imap`); blank host: this mailbox is fed over SMTP/LMTP.
    imap_host = models.CharField("IMAP host", max_length=200, blank=True)
    imap_port = models.PositiveIntegerField("IMAP port", default=993)
    imap_security = models.CharField(
        "IMAP security", max_length=10, choices=Security.choices, default=Security.TLS
    )
    imap_username = models.CharField("IMAP user name", max_length=200, blank=True)
    # Secrets come from the environment: the admin names the variable, never the password.
    imap_password_variable = models.CharField(
        "IMAP password variable",
        max_length=100,
        blank=True,
        help_text="The environment variable that holds the IMAP password.",
    )
    imap_folder = models.CharField("IMAP folder", max_length=200, default="INBOX")
    last_polled_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_poll_error = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name_plural = "mailboxes"
        ordering = ("name",)

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"


class Kind(models.TextChoices):
    """The messages Portico writes to customers, each from its template."""

    ACKNOWLEDGEMENT = "acknowledgement", "Acknowledgement of a new request"
    NOTE = "note", "A note from the service team"
    WAITING = "waiting", "Waiting on the customer"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"
    THANKS = "thanks", "Thank you (for a compliment)"
    REFUSED = "refused", "A reply that could not be added"
    UNKNOWN_SENDER = "unknown_sender", "Mail from an unknown address"
    REMINDER = "reminder", "A reminder: still waiting on the customer"
    UPDATE = "update", "An update (sent by an automation rule)"
    BIRTHDAY = "birthday", "Birthday greeting"
    ANNIVERSARY = "anniversary", "Customer anniversary greeting"
    SATISFACTION = "satisfaction", "Were you satisfied? (after a request is resolved)"


class Template(models.Model):
    """The words of one kind of message, for one application (or every application: no
    application) in one language. The most specific one is used: the application's in
    the person's language, then the default in that language, then the same in the
    site's language. Placeholders are {{ name }} (see portico.mail.templates); the HTML
    is sanitised and set in the one layout every message shares."""

    kind = models.CharField(max_length=20, choices=Kind.choices)
    application = models.ForeignKey(
        Application,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Empty: used for every application without its own.",
    )
    language = models.CharField(max_length=10, default="en")
    subject = models.CharField(max_length=200)
    text = models.TextField("plain text")
    html = models.TextField("HTML", blank=True, help_text="Empty: made from the plain text.")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("kind", "application", "language")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "application", "language"],
                condition=Q(application__isnull=False),
                name="mail_template_unique",
            ),
            models.UniqueConstraint(
                fields=["kind", "language"],
                condition=Q(application__isnull=True),
                name="mail_template_default_unique",
            ),
        ]

    def __str__(self) -> str:
        where = self.application.name if self.application else "every application"
        return f"{self.get_kind_display()} ({where}, {self.language})"


class ApplicationMail(models.Model):
    """Which messages an application's customers are sent. An application with no row
    sends them all."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="mail_settings"
    )
    acknowledgement = models.BooleanField(default=True)
    note = models.BooleanField("shared notes", default=True)
    waiting = models.BooleanField("waiting on the customer", default=True)
    resolved = models.BooleanField(default=True)
    closed = models.BooleanField(default=True)
    thanks = models.BooleanField("thank-you for a compliment", default=True)

    class Meta:
        verbose_name = "customer messages of an application"
        verbose_name_plural = "customer messages of applications"

    def __str__(self) -> str:
        return f"Customer messages of {self.application}"

    def sends(self, kind: str) -> bool:
        return bool(getattr(self, kind, True))


class Address(models.Model):
    """What the mail system has told us of one address: how often it bounced, and
    whether Portico has stopped writing to it (after repeated hard bounces, until
    someone fixes it). Keyed by the address, lower-cased, whoever has it."""

    address = models.CharField(max_length=254, unique=True)
    sent = models.PositiveIntegerField(default=0)
    hard_bounces = models.PositiveIntegerField(default=0)
    soft_bounces = models.PositiveIntegerField(default=0)
    last_bounce_at = models.DateTimeField(null=True, blank=True)
    last_bounce_reason = models.TextField(blank=True)
    suppressed_at = models.DateTimeField(
        null=True, blank=True, help_text="Set: no mail goes to this address. Clear it to resume."
    )

    class Meta:
        verbose_name_plural = "addresses"
        ordering = ("address",)

    def __str__(self) -> str:
        return self.address


def _raw_path(instance: Inbound, filename: str) -> str:
    return f"mail/in/{instance.received_at:%Y/%m}/{instance.received_at:%d%H%M%S}-{filename}"


class Inbound(models.Model):
    """Every message `portico mailin` was handed, as it came (the raw message is kept),
    and what became of it: a note or a new transaction, or why not. Staff review the
    quarantined ones here."""

    class Via(models.TextChoices):
        SMTP = "smtp", "SMTP"
        LMTP = "lmtp", "LMTP"
        IMAP = "imap", "IMAP"

    class Outcome(models.TextChoices):
        RECEIVING = "receiving", "Being received"
        NOTE = "note", "Added as a note"
        CREATED = "created", "Opened a transaction"
        BOUNCE = "bounce", "Bounce recorded"
        IGNORED = "ignored", "Ignored (automatic mail or a repeat)"
        REFUSED = "refused", "Refused"
        QUARANTINED = "quarantined", "Quarantined for review"

    received_at = models.DateTimeField(default=timezone.now)
    via = models.CharField(max_length=5, choices=Via.choices)
    mailbox = models.ForeignKey(
        Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound"
    )
    envelope_from = models.CharField(max_length=254, blank=True)
    envelope_to = models.CharField(max_length=254, blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    from_address = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    size = models.PositiveIntegerField(default=0)
    raw = models.FileField(upload_to=_raw_path, max_length=200, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.RECEIVING)
    reason = models.TextField(blank=True)
    sender = models.ForeignKey(
        Individual, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    transaction = models.ForeignKey(
        Transaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.ForeignKey(
        Note, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "inbound message"
        ordering = ("-received_at", "-id")
        indexes = [
            models.Index(fields=["message_id"], name="inbound_message_id"),
            models.Index(fields=["transaction", "received_at"], name="inbound_transaction"),
            models.Index(fields=["from_address", "received_at"], name="inbound_from"),
        ]

    def __str__(self) -> str:
        return f"{self.from_address}: {self.subject}"
