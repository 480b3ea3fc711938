"""Satisfaction after close (issue 23): whether an application's requesters are asked,
on which scale, and their answers — one per person and transaction, changed (not
added to) when they answer again."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from portico.parties.models import Individual
from portico.service.models import Application, Transaction

# The longest delay an administrator may set: 30 days, the life of the survey's links.
MAX_DELAY_MINUTES = 30 * 24 * 60
# The extra question is shown on the answer page and in the portals as it is typed:
# words and ordinary punctuation only, so that nobody mistakes it for markup, a
# template or a link.
_WORDS = re.compile(r"[\w .,;:!?'’‘\"“”()\-–/&%]*")


class SatisfactionSetting(models.Model):
    class Scale(models.TextChoices):
        TWO = "two", "Satisfied / not satisfied"
        FIVE = "five", "1 to 5"

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="satisfaction_setting"
    )
    asks = models.BooleanField(
        default=False, help_text="Ask the requester, once it is resolved, if they were satisfied."
    )
    delay_minutes = models.PositiveIntegerField(
        default=0, help_text="Minutes after it is resolved before asking (0: at once)."
    )
    scale = models.CharField(max_length=4, choices=Scale.choices, default=Scale.TWO)
    extra_question = models.CharField(
        max_length=200, blank=True, help_text="One more question on the answer page (optional)."
    )

    def __str__(self) -> str:
        return f"Satisfaction survey of {self.application}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.delay_minutes is not None and self.delay_minutes > MAX_DELAY_MINUTES:
            errors["delay_minutes"] = (
                f"At most {MAX_DELAY_MINUTES} minutes (30 days): the survey's links last 30 days."
            )
        self.extra_question = (self.extra_question or "").strip()
        if self.extra_question and (
            not _WORDS.fullmatch(self.extra_question)
            or not re.search(r"[^\W\d_]", self.extra_question)
        ):
            errors["extra_question"] = (
                "Words and ordinary punctuation only: no markup, braces or line breaks."
            )
        elif "://" in self.extra_question or "www." in self.extra_question.lower():
            errors["extra_question"] = "No links, please: the question is shown as it is typed."
        if errors:
            raise ValidationError(errors)

    def ratings(self) -> tuple[int, ...]:
        """The ratings the scale allows: on "two", 1 is not satisfied and 2 satisfied."""
        return (1, 2) if self.scale == self.Scale.TWO else (1, 2, 3, 4, 5)


class Answer(models.Model):
    transaction = models.ForeignKey(Transaction, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Individual, on_delete=models.CASCADE, related_name="+")
    # Who moved it to resolved (the figures' "resolver"); None when a rule or an
    # import did, or the log-in has gone.
    resolver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    # Kept with the answer, on the scale of the day: the figures count it without
    # knowing the setting, which an administrator may change later.
    satisfied = models.BooleanField(null=True, blank=True)
    comment = models.TextField(blank=True)
    extra_answer = models.TextField(blank=True)
    # When the question is (or was) due: the resolve plus the application's delay. The
    # e-mail goes when `sent_at` is set, by the worker once asked_at has passed.
    asked_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)
    # A "not satisfied" answer stays on the task list of those assigned until one of
    # them marks it followed up (portico.surveys.services.follow_up).
    followed_up_at = models.DateTimeField(null=True, blank=True)
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["transaction", "person"], name="answer_once")
        ]
        indexes = [
            models.Index(fields=["person", "-asked_at"], name="answer_person_asked"),
            models.Index(
                fields=["transaction"],
                name="answer_follow_up_open",
                condition=Q(satisfied=False, followed_up_at__isnull=True),
            ),
            models.Index(
                fields=["asked_at"], name="answer_unsent", condition=Q(sent_at__isnull=True)
            ),
            models.Index(
                fields=["answered_at"],
                name="answer_answered",
                condition=Q(answered_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"Satisfaction with {self.transaction_id} by {self.person_id}"


# Feedback forms live in their own module; Django finds models through this one.
from portico.surveys.form_models import Form, Question, Response, ResponseValue  # noqa: E402

__all__ = ["Answer", "Form", "Question", "Response", "ResponseValue", "SatisfactionSetting"]
