"""The Reports zone's period form: which days, grouped by what. It only parses; the
figures are portico.surveys.figures'."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone

from portico.surveys import figures

DEFAULT_DAYS = 90
DEFAULT_BY = "resolver"
# A longer period is another report (a year's trend), not a longer table.
MAX_DAYS = 366


class PeriodForm(forms.Form):
    since = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
    by = forms.ChoiceField(label="Group by", choices=list(figures.DIMENSIONS.items()))

    def __init__(self, params: QueryDict, *, today: datetime.date) -> None:
        # A field left empty (or the first visit) means the default: the last 90 days.
        data = params.copy()
        defaults = {
            "since": (today - datetime.timedelta(days=DEFAULT_DAYS)).isoformat(),
            "until": today.isoformat(),
            "by": DEFAULT_BY,
        }
        for name, value in defaults.items():
            if not data.get(name):
                data[name] = value
        super().__init__(data)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since is not None and until is not None:
            if since > until:
                self.add_error("since", "The period must start on or before its last day.")
            elif (until - since).days >= MAX_DAYS:
                self.add_error("since", f"Choose a period of at most {MAX_DAYS} days.")
        return cleaned

    def period(self) -> tuple[datetime.datetime, datetime.datetime]:
        """From the start of the first day to the start of the day after the last, in
        the current time zone: both days are counted whole."""
        since: datetime.date = self.cleaned_data["since"]
        after: datetime.date = self.cleaned_data["until"] + datetime.timedelta(days=1)
        return (
            timezone.make_aware(datetime.datetime.combine(since, datetime.time())),
            timezone.make_aware(datetime.datetime.combine(after, datetime.time())),
        )
