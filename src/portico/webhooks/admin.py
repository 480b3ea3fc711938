"""Webhooks in Systems Admin: subscribe a URL (its secret shown once), change it, pause
and resume it, rotate its secret, send a test ping; read the last deliveries with the
receiver's answers, and redeliver one. The same services as the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from portico import access
from portico.audit.models import Channel
from portico.events import registry
from portico.parties.models import User
from portico.webhooks import services
from portico.webhooks.models import ALL_EVENTS, Delivery, Subscription

EVENT_CHOICES = [(ALL_EVENTS, "Every event"), *((n, n) for n in registry.NAMES)]


class SubscriptionForm(forms.ModelForm[Subscription]):
    events = forms.MultipleChoiceField(
        choices=EVENT_CHOICES, widget=forms.CheckboxSelectMultiple, required=True
    )
    url = forms.CharField(
        max_length=500,
        label="URL",
        help_text="https:// (plain http only to the hosts in PORTICO_WEBHOOK_ALLOWED_HOSTS).",
    )

    class Meta:
        model = Subscription
        fields = ("url", "events")

    def clean_url(self) -> str:
        try:
            return services.clean_url(self.cleaned_data["url"])
        except ValidationError as error:
            raise ValidationError(error.message_dict["url"]) from None

    def clean_events(self) -> list[str]:
        try:
            return services.clean_events(self.cleaned_data["events"])
        except ValidationError as error:
            raise ValidationError(error.message_dict["events"]) from None


def _secret_shown_once(request: HttpRequest, subscription: Subscription) -> None:
    messages.warning(
        request,
        f"The signing secret of {subscription.url} is {subscription.secret} — copy it "
        "now: it is not shown again.",
    )


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin[Subscription]):
    form = SubscriptionForm
    list_display = ("url", "owner", "event_list", "active", "consecutive_failures", "created_at")
    list_filter = ("active",)
    search_fields = ("url",)
    actions = ("rotate_secrets", "send_ping", "pause_subscriptions", "resume_subscriptions")

    @admin.display(description="events")
    def event_list(self, subscription: Subscription) -> str:
        return ", ".join(subscription.events)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        shown = ("owner", "active", "paused_reason", "consecutive_failures", "created_at")
        if obj is not None and not access.may_change_webhook(request.user, obj.owner_id):
            # Sent what its owner may see: only they may point it elsewhere.
            return ("url", "events", *shown)
        return shown if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Subscription, form: Any, change: bool) -> None:
        if not change:
            owner = access.individual_of(request.user)
            if owner is None:
                raise PermissionDenied
            obj.owner = owner
        super().save_model(request, obj, form, change)

    def response_add(self, request: HttpRequest, obj: Subscription, *args: Any) -> HttpResponse:
        _secret_shown_once(request, obj)
        return super().response_add(request, obj, *args)

    @admin.action(description="Rotate the secret (your own subscriptions)")
    def rotate_secrets(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> None:
        for subscription in queryset:
            if not access.may_change_webhook(request.user, subscription.owner_id):
                messages.error(request, f"{subscription.url}: only its owner may rotate it.")
                continue
            services.rotate_secret(subscription=subscription)
            _secret_shown_once(request, subscription)

    @admin.action(description="Send a test ping")
    def send_ping(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> None:
        actor = request.user
        assert isinstance(actor, User)
        for subscription in queryset.select_related("owner__user"):
            services.ping(actor=actor, subscription=subscription, channel=Channel.ADMIN)
        messages.success(request, f"Ping queued to {queryset.count()} subscription(s).")

    @admin.action(description="Pause")
    def pause_subscriptions(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> None:
        for subscription in queryset.filter(active=True):
            services.pause(subscription=subscription, reason="Paused in Systems Admin.")

    @admin.action(description="Resume")
    def resume_subscriptions(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> None:
        for subscription in queryset.filter(active=False):
            services.resume(subscription=subscription)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    list_display = (
        "event_name",
        "subscription",
        "state",
        "attempts",
        "last_status",
        "created_at",
        "last_attempt_at",
    )
    list_filter = ("subscription", "event_name")
    actions = ("redeliver",)
    readonly_fields = (
        "subscription",
        "event",
        "event_name",
        "delivery_id",
        "body",
        "created_at",
        "due_at",
        "retry_until",
        "attempts",
        "last_attempt_at",
        "last_status",
        "last_error",
        "succeeded_at",
        "given_up_at",
    )
    exclude = ("claimed_by", "claimed_until")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Redeliver (same id and body)")
    def redeliver(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        for delivery in queryset:
            services.redeliver(delivery=delivery)
        messages.success(request, f"{queryset.count()} delivery(ies) queued again.")
