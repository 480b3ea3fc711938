"""Feedback forms (issue 23, seed 003: "completing feedback forms and surveys"): forms an
administrator builds, the questions on them, and the answers people give, with who and
when — or, on an anonymous form, with nobody: no column here points back to the person.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from portico.audit.models import Channel
from portico.parties.models import Individual, UserGroup

RATING_MIN, RATING_MAX = 2, 10


class Form(models.Model):
    title = models.CharField(max_length=200)
    introduction = models.TextField(blank=True, help_text="Shown above the questions.")
    # As a knowledge article's audience: the groups whose members are asked.
    audience = models.ManyToManyField(
        UserGroup,
        blank=True,
        related_name="+",
        help_text="The groups asked to answer it. None: nobody sees it.",
    )
    opens_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty: open as soon as it is active."
    )
    closes_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty: open until made inactive."
    )
    one_answer_per_person = models.BooleanField(
        default=True, help_text="Each person answers once; otherwise as often as they like."
    )
    anonymous = models.BooleanField(
        default=False,
        help_text="Keep no record of who answered. Cannot be changed once answered.",
    )
    active = models.BooleanField(default=False, help_text="Offered to its audience.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # An anonymous form cannot be held to one answer per person: that would need
            # a record of who answered (even a hashed one can be matched by trying each
            # person), which is the link back an anonymous form promises not to keep.
            models.CheckConstraint(
                condition=~Q(anonymous=True, one_answer_per_person=True),
                name="form_anonymous_not_once",
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True)
                | Q(closes_at__isnull=True)
                | Q(closes_at__gt=F("opens_at")),
                name="form_closes_after_opens",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = "It must close after it opens."
        if self.anonymous and self.one_answer_per_person:
            errors["one_answer_per_person"] = (
                "An anonymous form cannot keep to one answer per person: that would mean "
                "keeping who answered."
            )
        if self.pk is not None and self.responses.exists():
            was = Form.objects.filter(pk=self.pk).values_list("anonymous", flat=True).first()
            if was is not None and was != self.anonymous:
                errors["anonymous"] = (
                    "It has answers already: whether it is anonymous cannot change now."
                )
        if errors:
            raise ValidationError(errors)

    def is_open(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.active
            and (self.opens_at is None or self.opens_at <= now)
            and (self.closes_at is None or now < self.closes_at)
        )


class Question(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", "Text"
        CHOICE = "choice", "One choice"
        MULTIPLE = "multiple", "Multiple choice"
        RATING = "rating", "Rating"
        DATE = "date", "Date"

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.TEXT)
    label = models.CharField(max_length=300)
    help = models.CharField(max_length=300, blank=True)
    required = models.BooleanField(default=False)
    choices = models.TextField(blank=True, help_text="One choice a line (choice questions).")
    rating_max = models.PositiveSmallIntegerField(
        default=5, help_text=f"The top of the rating scale, {RATING_MIN} to {RATING_MAX}."
    )

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating_max__gte=RATING_MIN, rating_max__lte=RATING_MAX),
                name="question_rating_max_range",
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def options(self) -> list[str]:
        """The choices offered, in order, each once, blank lines dropped."""
        return list(
            dict.fromkeys(line.strip() for line in self.choices.splitlines() if line.strip())
        )

    @property
    def ratings(self) -> range:
        return range(1, self.rating_max + 1)

    @property
    def field_name(self) -> str:
        """The name of its input on the portal page."""
        return f"q{self.pk}"

    def clean(self) -> None:
        if self.kind in (self.Kind.CHOICE, self.Kind.MULTIPLE) and len(self.options) < 2:
            raise ValidationError({"choices": "Give at least two choices, one a line."})
        # Every row, not only ratings: the database's constraint holds for all of them.
        if not RATING_MIN <= self.rating_max <= RATING_MAX:
            raise ValidationError(
                {"rating_max": f"A rating goes up to {RATING_MIN} at least, {RATING_MAX} at most."}
            )
        for option in self.options:
            if len(option) > 300:
                raise ValidationError({"choices": "Each choice is at most 300 characters."})


class Response(models.Model):
    # Answers outlive a change of mind about the form: it cannot be deleted once answered.
    form = models.ForeignKey(Form, on_delete=models.PROTECT, related_name="responses")
    # None on an anonymous form, and then nothing else here says who it was either
    # (submitted_at is kept to the hour, see portico.surveys.feedback.submit).
    person = models.ForeignKey(
        Individual, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    # Set when the form allows one answer per person, so the database refuses a second
    # one even when two arrive at once (a form's own flag cannot be read by a constraint
    # on this table).
    only_answer = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["form", "person"],
                condition=Q(only_answer=True),
                name="form_response_once",
            ),
            models.CheckConstraint(
                condition=Q(only_answer=False) | Q(person__isnull=False),
                name="form_response_once_has_person",
            ),
        ]
        indexes = [models.Index(fields=["form", "submitted_at"], name="form_response_time")]

    def __str__(self) -> str:
        return f"Answer to {self.form_id} at {self.submitted_at:%Y-%m-%d %H:%M}"


class ResponseValue(models.Model):
    """One answer to one question; a multiple-choice answer is a row per choice made, so
    the results count them in SQL."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="values")
    # A question that has answers cannot be deleted (the admin says so).
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(blank=True)
    choice = models.CharField(max_length=300, blank=True)
    number = models.PositiveSmallIntegerField(null=True, blank=True)
    date = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["question", "choice"], name="form_value_choice")]

    def __str__(self) -> str:
        return self.text or self.choice or str(self.number or self.date or "")
