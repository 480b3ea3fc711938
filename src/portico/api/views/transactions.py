"""Transactions: the list with its filters, logging one, reading and editing one, and
the task list."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction as db
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from portico import access
from portico.api import idempotency, pagination
from portico.api import serializers as s
from portico.api.views.base import (
    IDEMPOTENCY_KEY,
    NUMBER,
    PersonView,
    _actor,
    _context,
    _paged,
    _parse,
    _profile_errors,
)
from portico.service import actions, filters, selectors
from portico.service.models import Channel

_CREATE_FIELDS = {"application", "title", "description", "priority", "requester", "organization"}


def _no_such(field: str, thing: str) -> ValidationError:
    return ValidationError({field: [f"There is no such {thing}."]})


class TransactionList(PersonView):
    pagination_class = pagination.DuePagination

    @extend_schema(
        tags=["transactions"],
        parameters=s.TRANSACTION_FILTERS,
        responses=s.TransactionSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        """The transactions the person may see, soonest due first (none due last),
        narrowed by the same filters, with the same meaning, as the console's list and
        the portals' lists; all open ones unless `status` says."""
        chosen = filters.parse(request.user, request.query_params)
        rows = selectors.for_list(selectors.transaction_list(request.user, chosen))
        return _paged(request, self, rows, s.TransactionSerializer, self.pagination_class())

    @extend_schema(
        tags=["transactions"],
        parameters=[IDEMPOTENCY_KEY],
        request=s.TransactionCreateSerializer,
        examples=[
            OpenApiExample(
                "A service issue",
                request_only=True,
                value={
                    "application": "service-issue",
                    "title": "Dosing pump alarm on line 2",
                    "description": "The pump shows **E42** since this morning.",
                    "priority": "P2",
                    "profile": {"issue-type": "fault", "product": "clearflow-dosing-pump"},
                },
            )
        ],
        responses={201: s.TransactionDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        """Log a transaction. People outside the staff log their own: requester and
        organisation are set for them."""
        actor = _actor(request)

        def create() -> tuple[int, dict[str, Any]]:
            data = _parse(
                s.TransactionCreateSerializer(data=request.data, context=_context(request))
            )
            with _profile_errors(_CREATE_FIELDS):
                made = actions.create_transaction(
                    actor=actor,
                    application=data["application"],
                    title=data["title"],
                    description=data["description"],
                    priority=data.get("priority"),
                    profile=data["profile"],
                    requester=data.get("requester"),
                    organization=data.get("organization"),
                    channel=Channel.API,
                )
            shown = access.transaction_for(actor, made.number)
            body = s.TransactionDetailSerializer(shown, context=_context(request)).data
            return status.HTTP_201_CREATED, dict(body)

        return idempotency.respond(request, actor, create)


class TransactionDetail(PersonView):
    @extend_schema(
        tags=["transactions"], parameters=[NUMBER], responses=s.TransactionDetailSerializer
    )
    def get(self, request: Request, number: str) -> Response:
        transaction = access.transaction_for(request.user, number)
        actions.record_view(actor=_actor(request), transaction=transaction, channel=Channel.API)
        return Response(s.TransactionDetailSerializer(transaction, context=_context(request)).data)

    @extend_schema(
        tags=["transactions"],
        parameters=[NUMBER],
        request=s.TransactionUpdateSerializer,
        responses=s.TransactionDetailSerializer,
    )
    def patch(self, request: Request, number: str) -> Response:
        """Change the title and description (edit_text), the profile values and
        priority (edit_profile), and the value and cost (staff with edit_profile); all
        of it or none."""
        actor = _actor(request)
        transaction = access.transaction_for(actor, number)
        data = _parse(s.TransactionUpdateSerializer(data=request.data))
        with db.atomic():
            if "title" in data or "description" in data:
                actions.edit_text(
                    actor=actor,
                    transaction=transaction,
                    title=data.get("title"),
                    description=data.get("description"),
                    channel=Channel.API,
                )
            if "profile" in data or "priority" in data:
                with _profile_errors({"priority"}):
                    actions.update_profile(
                        actor=actor,
                        transaction=transaction,
                        values=data.get("profile") or {},
                        priority=data.get("priority"),
                        channel=Channel.API,
                    )
            if "value" in data or "cost" in data:
                actions.set_money(
                    actor=actor,
                    transaction=transaction,
                    value=data.get("value"),
                    cost=data.get("cost"),
                    channel=Channel.API,
                )
        transaction = access.transaction_for(actor, number)
        return Response(s.TransactionDetailSerializer(transaction, context=_context(request)).data)


class TaskList(PersonView):
    pagination_class = pagination.DuePagination

    @extend_schema(tags=["transactions"], responses=s.TransactionSerializer(many=True))
    def get(self, request: Request) -> Response:
        """The person's task list: unresolved transactions assigned to them for action."""
        rows = selectors.for_list(selectors.task_list(request.user))
        return _paged(request, self, rows, s.TransactionSerializer, self.pagination_class())
