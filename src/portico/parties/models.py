"""The people and bodies Portico serves: organisations, individuals, their log-ins,
the user groups that give them default rights, and the zones of the portal."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class Portal(models.TextChoices):
    """Where a group's members land after log-in, and which pages are theirs."""

    CONSOLE = "console", "Service console"
    CUSTOMER = "customer", "Customer portal"
    PARTNER = "partner", "Partner portal"
    EMPLOYEE = "employee", "Employee portal"


class Zone(models.Model):
    """A section of the portal that a user group is switched into or out of (seed 001:
    "A Zone is simply a section of the Portal - for example Systems Admin is a Zone")."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80, unique=True)
    description = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ("position", "name")

    def __str__(self) -> str:
        return self.name


class UserGroup(models.Model):
    """Default rights of its members (seed 001): which zones they may enter and which
    portal is home. Which applications they see, whether they may create in them and
    their default permission on transactions are the service app's ApplicationRights."""

    name = models.CharField(max_length=80, unique=True)
    description = models.CharField(max_length=200, blank=True)
    portal = models.CharField(max_length=20, choices=Portal.choices)
    zones = models.ManyToManyField(Zone, blank=True, related_name="user_groups")
    # Members must log in with a second factor (an authenticator app's code, or a
    # recovery code); those who have none yet are sent to set one up before anything
    # else. In production staff must whatever this says (PORTICO_MFA_REQUIRED_FOR_STAFF).
    mfa_required = models.BooleanField(
        "two-factor authentication required",
        default=False,
        help_text="Members must set up and use an authenticator app to log in.",
    )

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name

    @property
    def is_staff_group(self) -> bool:
        return self.portal == Portal.CONSOLE


class Organization(models.Model):
    class Kind(models.TextChoices):
        OWN = "own", "Our company"
        TEAM = "team", "Our team"
        CUSTOMER = "customer", "Customer"
        PARTNER = "partner", "Partner"
        SUPPLIER = "supplier", "Supplier"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.CUSTOMER)
    # A team is a part of our own company (Service Desk, Field Service…): its members are
    # individuals in it, and a grant to it reaches all of them.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="parts"
    )
    account_number = models.CharField(max_length=40, unique=True, null=True, blank=True)
    territory = models.CharField(max_length=80, blank=True)
    area = models.CharField(max_length=80, blank=True)
    address = models.TextField(blank=True)
    city = models.CharField(max_length=80, blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=80, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # For a team: who "the team's supervisor" in an automation rule is (issue 22).
    supervisor = models.ForeignKey(
        "Individual",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervised_teams",
        help_text="For a team: who rules call the team's supervisor.",
    )
    # For a customer or partner: the member of staff who answers for the account.
    account_owner = models.ForeignKey(
        "Individual",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_accounts",
        help_text="For a customer or partner: the member of staff who owns the account.",
    )

    class Meta:
        ordering = ("name",)
        indexes = [
            models.Index(Lower("name"), name="organization_name_ci"),
            # The teams, by name, for every filter form and assignment list: without it
            # each read every organisation (5,000 at scale L, 1.3 ms) to find a handful.
            models.Index(
                fields=["name"], condition=models.Q(kind="team"), name="organization_team_name"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("A log-in needs an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A log-in. The person behind it is its Individual; rights come from the
    Individual's user group, never from flags on this row (is_superuser only exists
    for the command-line rescue account)."""

    email = models.EmailField(unique=True)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = "log-in"

    def __str__(self) -> str:
        return self.email

    @property
    def is_staff(self) -> bool:
        # Django's admin templates read is_staff. Who may use the admin is
        # portico.access's answer (the Systems Admin zone), reached the way Django
        # reaches it, through the authentication backend's permissions
        # (login/backends.py), so that this model imports no access rule.
        return self.is_active and self.has_module_perms("admin")

    def get_full_name(self) -> str:
        individual = getattr(self, "individual", None)
        return individual.name if individual else self.email

    def get_short_name(self) -> str:
        individual = getattr(self, "individual", None)
        return individual.first_name if individual else self.email


class Individual(models.Model):
    """A person, usually in an Organization; may have a log-in. Leaving (deactivation)
    removes all access at once (seed 003: "removing access when people leave")."""

    user = models.OneToOneField(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="individual"
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    user_group = models.ForeignKey(UserGroup, on_delete=models.PROTECT, related_name="members")
    # Who is told when this person is dispatched work (seed 002: "notice to the supervisor").
    supervisor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    job_title = models.CharField(max_length=120, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    mobile = models.CharField(max_length=40, blank=True)
    active = models.BooleanField(default=True)
    left_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # The language Portico writes to them in; blank: the site's.
    language = models.CharField(max_length=10, blank=True)
    # Set when they asked for no e-mail but what is about their own requests.
    mail_opted_out_at = models.DateTimeField(null=True, blank=True)
    # Their clock (an IANA name); blank: the site's. Greetings go out on their day.
    time_zone = models.CharField(max_length=60, blank=True)
    birthday = models.DateField(null=True, blank=True)
    customer_since = models.DateField(null=True, blank=True)
    # Consent to product announcements and news (campaigns): set when they opt in,
    # cleared when they opt out. Never set for them.
    news_opted_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("last_name", "first_name")
        indexes = [
            models.Index(Lower("last_name"), Lower("first_name"), name="individual_name_ci"),
            models.Index(Lower("email"), name="individual_email_ci"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
