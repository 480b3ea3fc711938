"""The notes timeline of a transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
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
)
from portico.service import actions, selectors
from portico.service.models import Channel, Note


class NoteList(PersonView):
    pagination_class = pagination.KeysetPagination

    @extend_schema(tags=["notes"], parameters=[NUMBER], responses=s.NoteSerializer(many=True))
    def get(self, request: Request, number: str) -> Response:
        """The notes timeline, oldest first, as the person may read it (internal notes
        only for the staff who may)."""
        transaction = access.transaction_for(request.user, number)
        rows = selectors.notes_for(request.user, transaction).select_related("author__user_group")
        return _paged(request, self, rows, s.NoteSerializer, self.pagination_class())

    @extend_schema(
        tags=["notes"],
        parameters=[NUMBER, IDEMPOTENCY_KEY],
        request=s.NoteCreateSerializer,
        examples=[
            OpenApiExample(
                "A shared note",
                request_only=True,
                value={"body": "We have ordered the part.", "visibility": "shared"},
            )
        ],
        responses={201: s.NoteSerializer},
    )
    def post(self, request: Request, number: str) -> Response:
        actor = _actor(request)
        transaction = access.transaction_for(actor, number)

        def create() -> tuple[int, dict[str, Any]]:
            data = _parse(s.NoteCreateSerializer(data=request.data, context=_context(request)))
            corrects = None
            if data.get("corrects") is not None:
                corrects = (
                    selectors.notes_for(actor, transaction).filter(pk=data["corrects"]).first()
                )
                if corrects is None:
                    raise ValidationError({"corrects": ["No such note on this transaction."]})
            note = actions.add_note(
                actor=actor,
                transaction=transaction,
                body=data["body"],
                visibility=data["visibility"],
                # How a contact happened is the staff's record; anyone else's note came
                # through the web (add_note keeps e-mail only for mail-in's replies).
                channel=data["channel"] if access.is_staff(actor) else Channel.WEB,
                direction=data["direction"],
                contact=data.get("contact"),
                corrects=corrects,
            )
            shown = Note.objects.select_related("author__user_group", "contact").get(pk=note.pk)
            return status.HTTP_201_CREATED, dict(s.NoteSerializer(shown).data)

        return idempotency.respond(request, actor, create)
