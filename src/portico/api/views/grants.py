"""Who has which permission on a transaction."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from portico import access
from portico.api import serializers as s
from portico.api.views.base import NUMBER, PersonView, _actor, _parse
from portico.service import actions
from portico.service.models import Channel, Grant


class GrantList(PersonView):
    @extend_schema(tags=["grants"], parameters=[NUMBER], responses=s.GrantSerializer(many=True))
    def get(self, request: Request, number: str) -> Response:
        """Who has which permission on it: shown to the staff, as on the console's page
        (the portals do not show it)."""
        transaction = access.transaction_for(request.user, number)
        if not access.is_staff(request.user):
            raise exceptions.PermissionDenied("Only the service team sees who has access.")
        rows = (
            Grant.objects.filter(transaction=transaction)
            .select_related("individual", "organization", "permission", "granted_by")
            .order_by("permission__name", "id")
        )
        return Response(s.GrantSerializer(rows, many=True).data)

    @extend_schema(
        tags=["grants"],
        parameters=[NUMBER],
        request=s.GrantCreateSerializer,
        responses={201: s.GrantSerializer},
    )
    def post(self, request: Request, number: str) -> Response:
        """Give an individual or an organisation a permission on it."""
        actor = _actor(request)
        transaction = access.transaction_for(actor, number)
        access.require(actor, "manage_grants", transaction)
        data = _parse(s.GrantCreateSerializer(data=request.data))
        row = actions.grant(
            actor=actor,
            transaction=transaction,
            permission=data["permission"],
            individual=data.get("individual"),
            organization=data.get("organization"),
            channel=Channel.API,
        )
        shown = Grant.objects.select_related(
            "individual", "organization", "permission", "granted_by"
        ).get(pk=row.pk)
        return Response(s.GrantSerializer(shown).data, status=status.HTTP_201_CREATED)


class GrantDetail(PersonView):
    @extend_schema(tags=["grants"], parameters=[NUMBER], responses={204: None})
    def delete(self, request: Request, number: str, grant_id: int) -> Response:
        actor = _actor(request)
        transaction = access.transaction_for(actor, number)
        access.require(actor, "manage_grants", transaction)
        row = get_object_or_404(
            Grant.objects.select_related("permission", "individual", "organization"),
            pk=grant_id,
            transaction=transaction,
        )
        row.transaction = transaction
        actions.revoke(actor=actor, grant_row=row, channel=Channel.API)
        return Response(status=status.HTTP_204_NO_CONTENT)
