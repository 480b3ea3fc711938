"""The API's own addresses: the browsable reference, and the 404 for every other
address."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.views import APIView


class NotFound(APIView):
    """Every other address under the API: a 404 in the API's own error shape."""

    permission_classes = [AllowAny]
    schema = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        raise exceptions.NotFound("There is no such address in the API.")


def docs(request: HttpRequest) -> HttpResponse:
    """The browsable reference: Swagger UI from the vendored sidecar files, started by
    our own nonce'd script, so the page keeps the site's strict CSP."""
    return render(request, "api/docs.html", {"schema_url": reverse("api:schema")})
