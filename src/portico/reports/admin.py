"""Systems Admin for the reports: who gets which report by e-mail, and the products the
anomaly flag has flagged (read only: the worker writes them)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from portico import access
from portico.reports import mailing
from portico.reports.models import ProductFlag, Schedule


class ScheduleForm(forms.ModelForm[Schedule]):
    class Meta:
        model = Schedule
        fields = ("individual", "report", "by", "every", "attach", "active")

    def clean_individual(self) -> object:
        person = self.cleaned_data["individual"]
        if person.user is None or not access.may_see_reports(person.user):
            raise forms.ValidationError(
                "Only someone whose group opens the Reports zone may be sent a report."
            )
        return person


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin[Schedule]):
    form = ScheduleForm
    list_display = (
        "individual",
        "report",
        "by",
        "every",
        "attach",
        "active",
        "next_at",
        "last_sent_at",
    )
    list_filter = ("report", "every", "active")
    autocomplete_fields = ("individual",)

    def save_model(
        self, request: HttpRequest, obj: Schedule, form: forms.ModelForm[Schedule], change: bool
    ) -> None:
        if obj.next_at is None:
            obj.next_at = mailing.first_time(obj.every)
        super().save_model(request, obj, form, change)


@admin.register(ProductFlag)
class ProductFlagAdmin(admin.ModelAdmin[ProductFlag]):
    list_display = ("product", "week_ending", "count", "p_value", "flagged_at")
    readonly_fields = ("product", "week_ending", "count", "baseline", "p_value", "flagged_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
