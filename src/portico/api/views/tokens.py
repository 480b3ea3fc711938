"""One's own API tokens."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from portico.api import serializers as s
from portico.api import services as api_services
from portico.api.models import ApiToken
from portico.api.permissions import IsActivePerson, NotWithToken
from portico.api.views.base import PersonView, _actor, _parse


class TokenList(PersonView):
    permission_classes = [IsActivePerson, NotWithToken]

    @extend_schema(tags=["tokens"], responses=s.TokenSerializer(many=True))
    def get(self, request: Request) -> Response:
        """One's own tokens, newest first, without their secrets."""
        rows = ApiToken.objects.filter(owner=_actor(request)).order_by("-created_at", "-id")
        return Response(s.TokenSerializer(rows, many=True).data)

    @extend_schema(
        tags=["tokens"],
        request=s.TokenCreateSerializer,
        responses={201: s.NewTokenSerializer},
        examples=[
            OpenApiExample(
                "A token for a script",
                request_only=True,
                value={"name": "Nightly export", "expires_at": "2030-01-31T00:00:00Z"},
            )
        ],
    )
    def post(self, request: Request) -> Response:
        """Make a token (while logged in, not with another token). Its secret is in this
        answer only: Portico keeps just its hash."""
        data = _parse(s.TokenCreateSerializer(data=request.data))
        made = api_services.create_token(
            actor=_actor(request), name=data["name"], expires_at=data["expires_at"]
        )
        body = s.NewTokenSerializer(made.token, context={"secret": made.secret}).data
        return Response(body, status=status.HTTP_201_CREATED)


class TokenDetail(PersonView):
    @extend_schema(tags=["tokens"], responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        """Revoke one of one's own tokens; it stops working at once."""
        actor = _actor(request)
        token = get_object_or_404(ApiToken, pk=pk, owner=actor)
        api_services.revoke_token(actor=actor, token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)
