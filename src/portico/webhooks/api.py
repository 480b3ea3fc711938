"""Webhooks in the REST API, under /api/v1/webhooks/: for the people whose group opens
the Systems Admin zone (`access.may_manage_webhooks`), with the API's usual
authentication (a session with its CSRF token, or a personal access token). The views
parse, ask `portico.access`, and call `portico.webhooks.services`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portico import access
from portico.api.permissions import IsActivePerson
from portico.audit.models import Channel
from portico.events import registry
from portico.parties.models import User
from portico.webhooks import services
from portico.webhooks.models import ALL_EVENTS, Delivery, Subscription

TAGS = ["webhooks"]
EVENT_NAMES = (ALL_EVENTS, *registry.NAMES)

# --- serializers ------------------------------------------------------------------------


class SubscriptionSerializer(serializers.ModelSerializer[Subscription]):
    owner = serializers.SerializerMethodField()
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_NAMES))

    class Meta:
        model = Subscription
        fields: tuple[str, ...] = (
            "id",
            "url",
            "events",
            "active",
            "paused_reason",
            "consecutive_failures",
            "owner",
            "created_at",
        )
        read_only_fields: tuple[str, ...] = fields

    def get_owner(self, subscription: Subscription) -> dict[str, Any]:
        return {"id": subscription.owner_id, "name": subscription.owner.name}


class NewSecretSerializer(SubscriptionSerializer):
    secret = serializers.SerializerMethodField(
        help_text="The signing secret: shown this once, never again. Verify each delivery's "
        "X-Portico-Signature (sha256=<hex HMAC-SHA256 of the raw body>) with it."
    )

    class Meta(SubscriptionSerializer.Meta):
        fields: tuple[str, ...] = (*SubscriptionSerializer.Meta.fields, "secret")
        read_only_fields: tuple[str, ...] = fields

    def get_secret(self, subscription: Subscription) -> str:
        return subscription.secret


class SubscriptionCreateSerializer(serializers.Serializer[Any]):
    url = serializers.CharField(
        max_length=500, help_text="https:// (plain http only to the allowed local hosts)."
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_NAMES),
        min_length=1,
        max_length=len(EVENT_NAMES),
        help_text='Event names, or ["*"] for every event.',
    )


class SubscriptionChangeSerializer(serializers.Serializer[Any]):
    url = serializers.CharField(max_length=500, required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_NAMES),
        min_length=1,
        max_length=len(EVENT_NAMES),
        required=False,
    )
    active = serializers.BooleanField(
        required=False, help_text="false pauses it; true resumes it (held deliveries go)."
    )


class DeliverySerializer(serializers.ModelSerializer[Delivery]):
    event = serializers.CharField(source="event_name")
    state = serializers.ChoiceField(choices=["pending", "succeeded", "failed"])

    class Meta:
        model = Delivery
        fields = (
            "id",
            "delivery_id",
            "event",
            "state",
            "attempts",
            "last_status",
            "last_error",
            "created_at",
            "last_attempt_at",
            "due_at",
            "succeeded_at",
            "given_up_at",
        )
        read_only_fields = fields


# --- views ------------------------------------------------------------------------------


class ManagesWebhooks(permissions.BasePermission):
    message = "Only people whose group opens the Systems Admin zone manage webhooks."

    def has_permission(self, request: Request, view: Any) -> bool:
        return access.may_manage_webhooks(request.user)


class WebhookView(APIView):
    permission_classes = [IsActivePerson, ManagesWebhooks]


def _actor(request: Request) -> User:
    if not isinstance(request.user, User):
        raise exceptions.NotAuthenticated
    return request.user


def _subscription(pk: int) -> Subscription:
    return get_object_or_404(Subscription.objects.select_related("owner"), pk=pk)


def _may_change(request: Request, subscription: Subscription) -> None:
    if not access.may_change_webhook(request.user, subscription.owner_id):
        raise PermissionDenied(
            "Only its owner may change where a webhook goes, what it is sent, or its secret: "
            "it is sent what they may see."
        )


def _parse(serializer: serializers.Serializer[Any]) -> dict[str, Any]:
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class WebhookList(WebhookView):
    @extend_schema(tags=TAGS, responses=SubscriptionSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Every webhook subscription (Systems Admin sees them all, without secrets)."""
        rows = Subscription.objects.select_related("owner").order_by("-created_at", "-id")
        return Response(SubscriptionSerializer(rows, many=True).data)

    @extend_schema(
        tags=TAGS,
        request=SubscriptionCreateSerializer,
        responses={201: NewSecretSerializer},
        examples=[
            OpenApiExample(
                "New issues and notes",
                request_only=True,
                value={
                    "url": "https://hooks.example.com/portico",
                    "events": ["transaction.created", "note.added"],
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        """Subscribe a URL to events. It is sent what you may see; its secret is in this
        answer only."""
        data = _parse(SubscriptionCreateSerializer(data=request.data))
        individual = access.individual_of(_actor(request))
        if individual is None:
            raise exceptions.NotAuthenticated
        made = services.create_subscription(
            owner=individual, url=data["url"], events=data["events"]
        )
        return Response(NewSecretSerializer(made).data, status=status.HTTP_201_CREATED)


class WebhookDetail(WebhookView):
    @extend_schema(tags=TAGS, responses=SubscriptionSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(SubscriptionSerializer(_subscription(pk)).data)

    @extend_schema(
        tags=TAGS, request=SubscriptionChangeSerializer, responses=SubscriptionSerializer
    )
    def patch(self, request: Request, pk: int) -> Response:
        """Change the URL or events (its owner), or pause and resume it (any of Systems
        Admin)."""
        subscription = _subscription(pk)
        data = _parse(SubscriptionChangeSerializer(data=request.data))
        if "url" in data or "events" in data:
            _may_change(request, subscription)
            services.change_subscription(
                subscription=subscription, url=data.get("url"), events=data.get("events")
            )
        if data.get("active") is False and subscription.active:
            services.pause(subscription=subscription, reason="Paused through the API.")
        elif data.get("active") is True and not subscription.active:
            services.resume(subscription=subscription)
        return Response(SubscriptionSerializer(subscription).data)

    @extend_schema(tags=TAGS, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        """Delete it, with its deliveries (those still waiting are not sent)."""
        services.delete_subscription(subscription=_subscription(pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookRotateSecret(WebhookView):
    @extend_schema(tags=TAGS, request=None, responses=NewSecretSerializer)
    def post(self, request: Request, pk: int) -> Response:
        """A new secret, in force at once (for retries too); shown this once."""
        subscription = _subscription(pk)
        _may_change(request, subscription)
        services.rotate_secret(subscription=subscription)
        return Response(NewSecretSerializer(subscription).data)


class WebhookPing(WebhookView):
    @extend_schema(tags=TAGS, request=None, responses={202: DeliverySerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Queue a webhook.ping delivery to it, whatever events it names."""
        made = services.ping(
            actor=_actor(request), subscription=_subscription(pk), channel=Channel.API
        )
        return Response(DeliverySerializer(made).data, status=status.HTTP_202_ACCEPTED)


class WebhookDeliveries(WebhookView):
    @extend_schema(tags=TAGS, responses=DeliverySerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        """Its last 50 deliveries, newest first, with the receiver's answers."""
        rows = services.recent_deliveries(_subscription(pk))
        return Response(DeliverySerializer(rows, many=True).data)


class WebhookRedeliver(WebhookView):
    @extend_schema(tags=TAGS, request=None, responses={202: DeliverySerializer})
    def post(self, request: Request, pk: int, delivery_id: int) -> Response:
        """Send one delivery again: the same id and body, 24 hours of retries."""
        delivery = get_object_or_404(Delivery, pk=delivery_id, subscription=_subscription(pk))
        services.redeliver(delivery=delivery)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
