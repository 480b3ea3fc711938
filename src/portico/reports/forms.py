"""The report pages' one form: the period and the grouping."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from portico.reports.models import Dimension, Schedule
from portico.reports.queries import MONEY_DIMENSIONS, Period

DEFAULT_DAYS = 90
LONGEST_DAYS = 731  # two years, leap day included


class PeriodForm(forms.Form):
    # The grouping when the query names none (the Satisfaction page's is the resolver).
    default_by: str = Dimension.TEAM

    # ISO dates: a date input shows nothing for the site's "06/09/2026".
    since = forms.DateField(
        required=False,
        label="From",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    until = forms.DateField(
        required=False,
        label="To",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
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
        data["by"] = data.get("by") or self.default_by
        return data


def period_from(
    query: object, *, form_class: type[PeriodForm] = PeriodForm
) -> tuple[PeriodForm, Period | None, str]:
    """The form bound to the page's query string, and the period and grouping it asks for
    (the default 90 days by the form's default grouping when the query asks for nothing;
    None when invalid)."""
    by = form_class.default_by
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


# The Satisfaction page's groupings: the roll-ups' dimensions that answers are counted
# in, and the resolver (the People roll-up's answers about what each person resolved).
SATISFACTION_GROUPS: dict[str, str] = {
    "resolver": "Resolver",
    "assignee": "Assignee",
    Dimension.TEAM: "Team",
    Dimension.APPLICATION: "Application",
    Dimension.PRODUCT: "Product",
    Dimension.ORGANIZATION: "Organisation",
}


class SatisfactionForm(PeriodForm):
    default_by = "resolver"

    by = forms.ChoiceField(
        label="Group by", required=False, choices=list(SATISFACTION_GROUPS.items())
    )


class MoneyPeriodForm(PeriodForm):
    """The Money page's period and grouping: by product (the default), area or
    organisation, the groups a transaction's value and cost are totalled by."""

    default_by = Dimension.PRODUCT

    by = forms.ChoiceField(
        label="Group by",
        required=False,
        choices=[(d.value, d.label) for d in MONEY_DIMENSIONS],
    )
