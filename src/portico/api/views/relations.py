"""The links between transactions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from portico import access
from portico.api import serializers as s
from portico.api.views.base import NUMBER, PersonView, _actor, _parse
from portico.service import actions, selectors
from portico.service.models import Channel
from portico.service.selectors import RelatedTransaction


class RelationList(PersonView):
    @extend_schema(
        tags=["relations"], parameters=[NUMBER], responses=s.RelatedTransactionSerializer(many=True)
    )
    def get(self, request: Request, number: str) -> Response:
        """Links from both ends, to the transactions the person may see."""
        transaction = access.transaction_for(request.user, number)
        rows = selectors.relations_of(request.user, transaction)
        return Response(s.RelatedTransactionSerializer(rows, many=True).data)

    @extend_schema(
        tags=["relations"],
        parameters=[NUMBER],
        request=s.RelationCreateSerializer,
        examples=[
            OpenApiExample(
                "Related", request_only=True, value={"other": "SI-000002", "kind": "related"}
            )
        ],
        responses={201: s.RelatedTransactionSerializer},
    )
    def post(self, request: Request, number: str) -> Response:
        actor = _actor(request)
        transaction = access.transaction_for(actor, number)
        access.require(actor, "relate", transaction)
        data = _parse(s.RelationCreateSerializer(data=request.data))
        try:
            other = access.transaction_for(actor, data["other"].strip())
        except Http404:  # the same answer for missing and not-yours
            raise ValidationError({"other": ["No such transaction."]}) from None
        relation = actions.relate(
            actor=actor,
            transaction=transaction,
            other=other,
            kind=data["kind"],
            channel=Channel.API,
        )
        shown = RelatedTransaction(relation.get_kind_display(), other)
        return Response(s.RelatedTransactionSerializer(shown).data, status=status.HTTP_201_CREATED)
