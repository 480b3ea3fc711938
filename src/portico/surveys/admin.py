"""The satisfaction survey's settings in Systems Admin: one row per application (asks
or not, the delay, the scale, the extra question), checked by the model's `clean` on
save. Every application is listed: the rows the surveys would make with their defaults
on first use are made when the list is opened, so what the list shows is what applies."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from portico.service.models import Application
from portico.surveys import services
from portico.surveys.models import SatisfactionSetting


@admin.register(SatisfactionSetting)
class SatisfactionSettingAdmin(admin.ModelAdmin[SatisfactionSetting]):
    list_display = ("application", "asks", "delay_minutes", "scale", "extra_question")
    list_filter = ("asks", "scale")
    fields = ("application", "asks", "delay_minutes", "scale", "extra_question")
    readonly_fields = ("application",)
    ordering = ("application__name",)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        for application in Application.objects.filter(satisfaction_setting__isnull=True):
            services.setting_for(application)
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # one per application, made with it: changed, never added

    def has_delete_permission(
        self, request: HttpRequest, obj: SatisfactionSetting | None = None
    ) -> bool:
        return False


# The feedback forms' pages, in their own module.
from portico.surveys import admin_forms  # noqa: E402, F401
