"""A transaction's history, as the console's History panel shows it."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response

from portico import access
from portico.api import pagination
from portico.api import serializers as s
from portico.api.views.base import NUMBER, PersonView, _paged
from portico.service import selectors


class EventList(PersonView):
    pagination_class = pagination.EventPagination

    @extend_schema(tags=["history"], parameters=[NUMBER], responses=s.EventSerializer(many=True))
    def get(self, request: Request, number: str) -> Response:
        """The history, oldest first, as the console's History panel shows it: to the
        staff, and the events of internal notes (a note added, a file attached to one or
        deleted from it) only to those who may read them."""
        transaction = access.transaction_for(request.user, number)
        if not access.is_staff(request.user):
            raise exceptions.PermissionDenied("Only the service team sees the history.")
        rows = selectors.history_of(request.user, transaction)
        return _paged(request, self, rows, s.EventSerializer, self.pagination_class())
