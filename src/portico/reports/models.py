"""Daily roll-ups (issue 24): what the report pages read instead of the transactions.

One `DayFigure` per day, dimension and key (a team's id, a channel's code…) holds that
day's counts and duration histograms. Each figure belongs to the day its moment fell on
in the site's time zone: a transaction counts as opened on the day it was created, as
responded to on the day of its first response, as resolved on the day it was resolved —
so a day's row mostly changes while that day is recent, and the worker rebuilds the
recent days (portico.reports.rollups), and the older days a later change has marked
stale (StaleDay). The key is the value the transaction had when the day was last built.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models


class Dimension(models.TextChoices):
    ALL = "all", "All"
    TEAM = "team", "Team"
    TECHNICIAN = "technician", "Technician"
    CSR = "csr", "CSR"
    APPLICATION = "application", "Application"
    PRIORITY = "priority", "Priority"
    PRODUCT = "product", "Product"
    AREA = "area", "Area"
    ORGANIZATION = "organization", "Organisation"
    CHANNEL = "channel", "Channel"


class Figures(models.Model):
    """A group's counts and duration histograms over a day (DayFigure) or a calendar
    month (MonthFigure)."""

    dimension = models.CharField(max_length=16, choices=Dimension.choices)
    # The group's id (or a channel's code); "" for "none" (no team, no product…).
    key = models.CharField(max_length=40, blank=True)
    # The team that held the transactions ("" for none), on every row: a supervisor's
    # reports add up their teams' rows only, so they count nothing of other teams'.
    team = models.CharField(max_length=40, blank=True)

    opened = models.PositiveIntegerField(default=0)
    complaints = models.PositiveIntegerField(default=0, help_text="Complaints opened.")
    resolved = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    # First responses given that day; of them, those with a due time, and those in time.
    responded = models.PositiveIntegerField(default=0)
    response_due = models.PositiveIntegerField(default=0)
    response_on_time = models.PositiveIntegerField(default=0)
    resolution_due = models.PositiveIntegerField(default=0)
    resolution_on_time = models.PositiveIntegerField(default=0)
    # Histograms of minutes (portico.reports.histogram): business minutes against the SLA
    # calendar (less the time waiting on the customer, for resolution) and clock minutes.
    response_business = models.JSONField(default=dict)
    response_clock = models.JSONField(default=dict)
    resolution_business = models.JSONField(default=dict)
    resolution_clock = models.JSONField(default=dict)
    # Of the transactions opened that day.
    value = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    cost = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    # Satisfaction answers given that day (portico.surveys).
    answered = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


# The fields of Figures that add up, and the histograms, merged bucket by bucket.
COUNTS = (
    "opened",
    "complaints",
    "resolved",
    "closed",
    "responded",
    "response_due",
    "response_on_time",
    "resolution_due",
    "resolution_on_time",
    "value",
    "cost",
    "answered",
    "satisfied",
)
HISTOGRAMS = ("response_business", "response_clock", "resolution_business", "resolution_clock")


class DayFigure(Figures):
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "day", "team", "key"], name="day_figure_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension} {self.key or '(none)'} (team {self.team or '-'})"


class MonthFigure(Figures):
    """A calendar month's DayFigure rows added up, rebuilt whenever one of its days is: a
    two-year report reads 24 of these per group and the days at its ends, not 730 days
    (percentiles come from the summed histograms, so they are the same either way)."""

    month = models.DateField(help_text="The month's first day.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "month", "team", "key"], name="month_figure_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.dimension} {self.key or '(none)'}"


class DayBacklog(models.Model):
    """The transactions of a group open at a day's end, and the sum of their ages then.

    Apart from DayFigure because it is a state, not a day's activity: a group with
    something open has a row every day, while its activity rows exist only on the days
    something happened. A report adds up activity over its days but reads the backlog of
    its last day only, so the sums never scan the (far more numerous) backlog rows."""

    day = models.DateField()
    dimension = models.CharField(max_length=16, choices=Dimension.choices)
    key = models.CharField(max_length=40, blank=True)
    team = models.CharField(max_length=40, blank=True)
    backlog = models.PositiveIntegerField(default=0)
    age_seconds = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dimension", "day", "team", "key"], name="day_backlog_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension} {self.key or '(none)'}: {self.backlog} open"


class BuiltDay(models.Model):
    """A day whose figures are built, and when: the report says how fresh it is, and the
    worker knows which days to build."""

    day = models.DateField(primary_key=True)
    built_at = models.DateTimeField()

    def __str__(self) -> str:
        return str(self.day)


class ProductFlag(models.Model):
    """A product flagged for an abnormal number of incidents in the 7 days to
    `week_ending` (portico.reports.flags), with the evidence as it was judged."""

    product = models.ForeignKey("service.Choice", on_delete=models.CASCADE, related_name="+")
    week_ending = models.DateField()
    count = models.PositiveIntegerField()
    baseline = models.JSONField(help_text="Incidents in each of the weeks before, oldest first.")
    p_value = models.FloatField()
    flagged_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "week_ending"], name="product_flag_once")
        ]
        indexes = [models.Index(fields=["-week_ending"], name="product_flag_recent")]

    def __str__(self) -> str:
        return f"{self.product_id} flagged for the week to {self.week_ending}"


class PersonDay(models.Model):
    """What one member of staff did on one day (the People report, seed 002: "customers
    serviced per day… positive feedback and action/response closes per day"), from the
    events they recorded: every touch on a transaction is an action; a move to a
    resolved status is a close; the requesters of the transactions they touched are the
    customers served; the satisfaction answers about transactions they resolved are
    their feedback. `team` is the holding team of the transactions touched, so a
    supervisor's report adds up their teams' rows only."""

    day = models.DateField()
    individual = models.ForeignKey("parties.Individual", on_delete=models.CASCADE, related_name="+")
    team = models.CharField(max_length=40, blank=True)
    actions = models.PositiveIntegerField(default=0)
    closes = models.PositiveIntegerField(default=0)
    customers = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "team", "individual"], name="person_day_once")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.individual_id} (team {self.team or '-'})"


class PortalDay(models.Model):
    """One portal's self-service on one day (seed 003: "monitor portal usage"): log-ins,
    knowledge-base searches and those that found nothing, and problems solved by an
    article with no request opened (deflections)."""

    day = models.DateField()
    portal = models.CharField(max_length=20, blank=True)
    logins = models.PositiveIntegerField(default=0)
    searches = models.PositiveIntegerField(default=0)
    empty_searches = models.PositiveIntegerField(default=0)
    deflections = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "portal"], name="portal_day_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.portal or '(none)'}"


class PortalUser(models.Model):
    """Someone who logged in to a portal in a month: active users per organisation are
    these rows counted (a distinct count does not add up from days)."""

    month = models.DateField(help_text="The month's first day.")
    individual = models.ForeignKey("parties.Individual", on_delete=models.CASCADE, related_name="+")
    organization = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "individual"], name="portal_user_once")
        ]
        indexes = [models.Index(fields=["month", "organization"], name="portal_user_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.individual_id}"


class Schedule(models.Model):
    """A report e-mailed to someone on a schedule by the worker (portico.reports.mailing):
    the figures are those the recipient may see when it is sent, and a recipient who no
    longer has the Reports zone is sent nothing (the schedule switches itself off)."""

    class Report(models.TextChoices):
        SERVICE = "service", "Service"
        PEOPLE = "people", "People"
        PRODUCTS = "products", "Products"
        PORTAL = "portal", "Portal and self-service"
        MONEY = "money", "Money"

    class Attach(models.TextChoices):
        XLSX = "xlsx", "An Excel workbook"
        CSV = "csv", "CSV files (one per table)"

    class Every(models.TextChoices):
        DAY = "day", "Every morning"
        WEEK = "week", "Every Monday morning"
        MONTH = "month", "On the first of the month"

    individual = models.ForeignKey(
        "parties.Individual", on_delete=models.CASCADE, related_name="report_schedules"
    )
    report = models.CharField(max_length=10, choices=Report.choices, default=Report.SERVICE)
    by = models.CharField(
        max_length=16,
        choices=Dimension.choices,
        default=Dimension.TEAM,
        help_text="The Service report's grouping.",
    )
    every = models.CharField(max_length=5, choices=Every.choices, default=Every.WEEK)
    attach = models.CharField(
        max_length=4,
        choices=Attach.choices,
        default=Attach.XLSX,
        help_text="The report's tables go with the message as this file.",
    )
    active = models.BooleanField(default=True)
    next_at = models.DateTimeField()
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["individual", "report", "by", "every"], name="schedule_once"
            )
        ]
        indexes = [
            models.Index(fields=["next_at"], name="schedule_due", condition=models.Q(active=True))
        ]

    def __str__(self) -> str:
        return f"{self.get_report_display()} report to {self.individual_id}, {self.every}"


class StaleDay(models.Model):
    """A day whose roll-ups a later change has made wrong (a transaction of that day
    given another product, team or assignee, reopened…): marked by the event subscriber
    (portico.reports.subscribers), rebuilt by the worker's `reports.rollups` job. A
    rebuild removes the marks made before it began reading, in the same database
    transaction as its rows, so a change that lands during a rebuild keeps its mark."""

    day = models.DateField(unique=True)
    marked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.day} (stale since {self.marked_at:%Y-%m-%d %H:%M})"
