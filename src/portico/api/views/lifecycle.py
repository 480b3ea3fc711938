"""Moving a transaction along: its status, withdrawing and reopening it, and
assigning it for action."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from portico import access
from portico.api import serializers as s
from portico.api.views.base import NUMBER, PersonView, _actor, _context, _parse
from portico.service import actions
from portico.service.models import Channel, Status


class TransactionStatus(PersonView):
    @extend_schema(
        tags=["transactions"],
        parameters=[NUMBER],
        request=s.StatusChangeSerializer,
        examples=[
            OpenApiExample("Start work", request_only=True, value={"status": "in-progress"}),
            OpenApiExample(
                "Resolve",
                request_only=True,
                value={"status": "resolved", "resolution": "Replaced the flow sensor."},
            ),
        ],
        responses=s.TransactionDetailSerializer,
    )
    def post(self, request: Request, number: str) -> Response:
        """Move it along its application's status flow."""
        actor = _actor(request)
        transaction = access.transaction_for(actor, number)
        access.require(actor, "change_status", transaction)
        data = _parse(s.StatusChangeSerializer(data=request.data))
        new = Status.objects.filter(
            application_id=transaction.application_id, code=data["status"]
        ).first()
        if new is None:
            raise ValidationError(
                {"status": [f"“{data['status']}” is not a status of this transaction."]}
            )
        actions.change_status(
            actor=actor,
            transaction=transaction,
            status=new,
            resolution=data["resolution"],
            channel=Channel.API,
        )
        transaction = access.transaction_for(actor, number)
        return Response(s.TransactionDetailSerializer(transaction, context=_context(request)).data)


class _Move(PersonView):
    """Withdraw or reopen, with a reason: the portal's buttons, for a script."""

    move = ""

    def post(self, request: Request, number: str) -> Response:
        actor = _actor(request)
        transaction = access.transaction_for(actor, number)
        access.require(actor, self.move, transaction)
        data = _parse(s.ReasonSerializer(data=request.data))
        act = actions.withdraw if self.move == "withdraw" else actions.reopen
        act(actor=actor, transaction=transaction, reason=data["reason"], channel=Channel.API)
        transaction = access.transaction_for(actor, number)
        return Response(s.TransactionDetailSerializer(transaction, context=_context(request)).data)


class TransactionWithdraw(_Move):
    move = "withdraw"

    @extend_schema(
        tags=["transactions"],
        parameters=[NUMBER],
        request=s.ReasonSerializer,
        examples=[
            OpenApiExample(
                "No longer needed",
                request_only=True,
                value={"reason": "The pump restarted after a power cycle."},
            )
        ],
        responses=s.TransactionDetailSerializer,
    )
    def post(self, request: Request, number: str) -> Response:
        """Withdraw an unfinished request one no longer needs (it becomes Withdrawn);
        for whoever may add notes to it. The reason is added as a shared note."""
        return super().post(request, number)


class TransactionReopen(_Move):
    move = "reopen"

    @extend_schema(
        tags=["transactions"],
        parameters=[NUMBER],
        request=s.ReasonSerializer,
        examples=[
            OpenApiExample(
                "Not fixed", request_only=True, value={"reason": "The alarm came back today."}
            )
        ],
        responses=s.TransactionDetailSerializer,
    )
    def post(self, request: Request, number: str) -> Response:
        """Reopen a resolved request within its application's reopen period (14 days
        by default); for whoever may add notes to it. The reason is added as a shared
        note."""
        return super().post(request, number)


class TransactionAssign(PersonView):
    @extend_schema(
        tags=["transactions"],
        parameters=[NUMBER],
        request=s.AssignSerializer,
        responses=s.GrantSerializer(many=True),
    )
    def post(self, request: Request, number: str) -> Response:
        """Assign for action (puts it on each one's task list); answers the new grants."""
        actor = _actor(request)
        transaction = access.transaction_for(actor, number)
        access.require(actor, "assign", transaction)
        data = _parse(s.AssignSerializer(data=request.data))
        made = actions.assign(
            actor=actor, transaction=transaction, assignees=data["assignees"], channel=Channel.API
        )
        return Response(s.GrantSerializer(made, many=True).data)
