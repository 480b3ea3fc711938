"""Systems Admin for campaigns: write one (its words and its segment), start it, cancel
it, and read what became of it. Starting and cancelling go through
portico.automations.campaigns, as the worker's sending does."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from portico.automations import campaigns
from portico.automations.models import Campaign


class CampaignForm(forms.ModelForm[Campaign]):
    class Meta:
        model = Campaign
        fields = ("name", "subject", "text", "html", "organizations", "user_groups", "products")
        help_texts = {
            "text": "Placeholders: {{ name }}, {{ site_name }}. Every message ends with "
            "a link that stops the news, without logging in.",
            "organizations": "The segment: people in any of these organisations, user "
            "groups, or with a request about any of these products. None chosen: "
            "everyone who opted in to news.",
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk is not None and self.instance.state != Campaign.State.DRAFT:
            raise ValidationError("Only a draft can be changed.")
        try:
            campaigns.validate(
                subject=data.get("subject", ""),
                text=data.get("text", ""),
                html=data.get("html", ""),
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    self.add_error(field, problem)
        return data


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin[Campaign]):
    form = CampaignForm
    list_display = ("name", "state", "started_at", "finished_at", "summary")
    list_filter = ("state",)
    search_fields = ("name", "subject")
    filter_horizontal = ("organizations", "user_groups", "products")
    readonly_fields = ("state", "started_at", "finished_at", "recipients_count", "summary")
    fieldsets = (
        (None, {"fields": ("name", "state", "started_at", "finished_at")}),
        ("Words", {"fields": ("subject", "text", "html")}),
        ("Segment", {"fields": ("organizations", "user_groups", "products")}),
        ("What became of it", {"fields": ("recipients_count", "summary")}),
    )
    actions = ("start_sending", "cancel")

    @admin.display(description="people written to")
    def recipients_count(self, campaign: Campaign) -> int:
        return campaign.recipients.count() if campaign.pk else 0

    @admin.display(description="counts")
    def summary(self, campaign: Campaign) -> str:
        if campaign.pk is None:
            return ""
        counted = campaigns.counts(campaign)
        return ", ".join(f"{value} {key.replace('_', ' ')}" for key, value in counted.items())

    @admin.action(description="Start sending")
    def start_sending(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        for campaign in queryset:
            try:
                campaigns.start(campaign, actor=request.user)
            except ValidationError as error:
                messages.error(request, f"{campaign}: {' '.join(error.messages)}")
            else:
                messages.success(request, f"{campaign}: the worker is sending it.")

    @admin.action(description="Cancel")
    def cancel(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> None:
        for campaign in queryset:
            try:
                held = campaigns.cancel(campaign, actor=request.user)
            except ValidationError as error:
                messages.error(request, f"{campaign}: {' '.join(error.messages)}")
            else:
                messages.success(request, f"{campaign}: cancelled; {held} message(s) held back.")
