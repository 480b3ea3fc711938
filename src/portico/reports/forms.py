"""The report pages' one form: the period and the grouping."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone

from portico.reports.models import Dimension, Schedule
from portico.reports.queries import MONEY_DIMENSIONS, Period

DEFAULT_DAYS = 90
LONGEST_DAYS = 731  # two years, leap day included


class PeriodForm(forms.Form):
    # The grouping when the query names none; a page with other groupings says its own.
    DEFAULT_BY: str = Dimension.TEAM

    since = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
    by = forms.ChoiceField(
        label="Group by",
        required=False,
        choices=[(d.value, d.label) for d in Dimension if d != Dimension.ALL],
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        today = timezone.localdate()
        until = data.get("until") or today
        since = data.get("since") or until - datetime.timedelta(days=DEFAULT_DAYS - 1)
        assert isinstance(until, datetime.date)
        assert isinstance(since, datetime.date)
        if until < since:
            raise forms.ValidationError("The period must end on or after its first day.")
        if (until - since).days + 1 > LONGEST_DAYS:
            raise forms.ValidationError("A report covers at most two years.")
        data["period"] = Period(since, until)
        data["by"] = data.get("by") or self.DEFAULT_BY
        return data


def period_from(
    query: object, *, form_class: type[PeriodForm] = PeriodForm
) -> tuple[PeriodForm, Period | None, str]:
    """The form bound to the page's query string, and the period and grouping it asks for
    (the default 90 days by the form's default grouping, team unless the page's form says
    otherwise, when the query asks for nothing; None when invalid)."""
    by = form_class.DEFAULT_BY
    if not query:
        period = Period.last(DEFAULT_DAYS, today=timezone.localdate())
        initial = {"since": period.since, "until": period.until, "by": by}
        return form_class(initial=initial), period, by
    form = form_class(query)  # type: ignore[arg-type]
    if not form.is_valid():
        return form, None, by
    return form, form.cleaned_data["period"], form.cleaned_data["by"]


class ScheduleForm(forms.Form):
    report = forms.ChoiceField(choices=Schedule.Report.choices)
    by = forms.ChoiceField(
        choices=[(d.value, d.label) for d in Dimension if d != Dimension.ALL], required=False
    )
    every = forms.ChoiceField(label="E-mail me this report", choices=Schedule.Every.choices)
    attach = forms.ChoiceField(label="With", choices=Schedule.Attach.choices, required=False)

    def clean_attach(self) -> str:
        return self.cleaned_data.get("attach") or Schedule.Attach.XLSX

    def clean_by(self) -> str:
        return self.cleaned_data.get("by") or Dimension.TEAM


class MoneyPeriodForm(PeriodForm):
    """The Money page's period and grouping: by product (the default), area or
    organisation, the groups a transaction's value and cost are totalled by."""

    DEFAULT_BY = Dimension.PRODUCT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        by = self.fields["by"]
        assert isinstance(by, forms.ChoiceField)
        by.choices = [(d.value, d.label) for d in MONEY_DIMENSIONS]
