"""The set-up a client needs to fill a transaction in: applications with their
status flows and profiles, classifications, priorities and permissions."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from portico import access
from portico.api import serializers as s
from portico.api.views.base import PersonView, _context
from portico.service.models import (
    Application,
    Choice,
    Classification,
    Permission,
    Priority,
    ProfileField,
    Status,
)


def _applications(request: Request) -> QuerySet[Application]:
    # Only the classifications the person may see and set (no Root cause for customers).
    profile = (
        ProfileField.objects.filter(access.classification_filter(request.user, "classification__"))
        .select_related("classification")
        .order_by("position")
    )
    return (
        Application.objects.filter(pk__in=list(access.application_rights(request.user)))
        .prefetch_related(
            Prefetch("statuses", queryset=Status.objects.prefetch_related("next_statuses")),
            Prefetch("profile_fields", queryset=profile),
        )
        .order_by("name")
    )


def _classifications(request: Request) -> QuerySet[Classification]:
    return (
        Classification.objects.filter(
            access.classification_filter(request.user),
            pk__in=ProfileField.objects.filter(
                application_id__in=list(access.application_rights(request.user))
            ).values("classification_id"),
        )
        .prefetch_related(
            Prefetch("choices", queryset=Choice.objects.order_by("position", "label"))
        )
        .order_by("name")
    )


class ApplicationList(PersonView):
    @extend_schema(tags=["set-up"], responses=s.ApplicationSerializer(many=True))
    def get(self, request: Request) -> Response:
        """The applications (kinds of transaction) the person's group sees."""
        data = s.ApplicationSerializer(_applications(request), many=True, context=_context(request))
        return Response(data.data)


class ApplicationDetail(PersonView):
    @extend_schema(tags=["set-up"], responses=s.ApplicationSerializer)
    def get(self, request: Request, code: str) -> Response:
        row = get_object_or_404(_applications(request), code=code)
        return Response(s.ApplicationSerializer(row, context=_context(request)).data)


class ClassificationList(PersonView):
    @extend_schema(tags=["set-up"], responses=s.ClassificationSerializer(many=True))
    def get(self, request: Request) -> Response:
        """The classifications in the profiles of the person's applications."""
        rows = _classifications(request)
        return Response(s.ClassificationSerializer(rows, many=True).data)


class ClassificationDetail(PersonView):
    @extend_schema(tags=["set-up"], responses=s.ClassificationSerializer)
    def get(self, request: Request, code: str) -> Response:
        row = get_object_or_404(_classifications(request), code=code)
        return Response(s.ClassificationSerializer(row).data)


class PriorityList(PersonView):
    @extend_schema(tags=["set-up"], responses=s.PrioritySerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(s.PrioritySerializer(Priority.objects.all(), many=True).data)


class PermissionList(PersonView):
    @extend_schema(tags=["set-up"], responses=s.PermissionSerializer(many=True))
    def get(self, request: Request) -> Response:
        """The permissions a grant can give."""
        return Response(s.PermissionSerializer(Permission.objects.all(), many=True).data)
