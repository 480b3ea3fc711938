"""Organisations and individuals, as far as the person may see them."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from portico import access
from portico.api import pagination
from portico.api import serializers as s
from portico.api.views.base import PersonView, _context, _paged


class OrganizationList(PersonView):
    pagination_class = pagination.NamePagination

    @extend_schema(tags=["parties"], responses=s.OrganizationSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Organisations: every one for the staff, one's own for anyone else."""
        rows = access.visible_organizations(request.user)
        return _paged(request, self, rows, s.OrganizationSerializer, self.pagination_class())


class OrganizationDetail(PersonView):
    @extend_schema(tags=["parties"], responses=s.OrganizationSerializer)
    def get(self, request: Request, pk: int) -> Response:
        row = get_object_or_404(access.visible_organizations(request.user), pk=pk)
        return Response(s.OrganizationSerializer(row, context=_context(request)).data)


class IndividualList(PersonView):
    pagination_class = pagination.LastNamePagination

    @extend_schema(tags=["parties"], responses=s.IndividualSerializer(many=True))
    def get(self, request: Request) -> Response:
        """People: everyone for the staff; one's own organisation's for anyone else."""
        rows = access.visible_individuals(request.user)
        return _paged(request, self, rows, s.IndividualSerializer, self.pagination_class())


class IndividualDetail(PersonView):
    @extend_schema(tags=["parties"], responses=s.IndividualSerializer)
    def get(self, request: Request, pk: int) -> Response:
        row = get_object_or_404(access.visible_individuals(request.user), pk=pk)
        return Response(s.IndividualSerializer(row, context=_context(request)).data)
