"""The one place that turns failures into API answers, all in one shape:

    {"type": "<short machine word>", "detail": "<a sentence for a person>",
     "errors": {"<field>": ["<message>", ...]}}

Services raise Django's ValidationError and PermissionDenied; access helpers raise
Http404; DRF raises its own exceptions for parsing, authentication, negotiation and
throttling. Each becomes the same shape here, so a client needs one error parser."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.signals import got_request_exception
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import set_rollback

logger = logging.getLogger("portico.api")

NON_FIELD = "non_field_errors"


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"
    default_detail = (
        "This Idempotency-Key was already used for a different request. Use a new key "
        "for a new request."
    )


class IdempotencyKeyInvalid(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"
    default_detail = "The Idempotency-Key header must be 1 to 200 printable ASCII characters."


def error_body(
    kind: str, detail: str, errors: Mapping[str, list[str]] | None = None
) -> dict[str, Any]:
    return {"type": kind, "detail": detail, "errors": dict(errors or {})}


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error details as {"field" or "a.b.0.c": [messages]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, Mapping):
        for key, value in detail.items():
            name = NON_FIELD if key == "__all__" else str(key)
            for field, messages in _flatten(value, f"{prefix}.{name}" if prefix else name).items():
                out.setdefault(field, []).extend(messages)
    elif isinstance(detail, Sequence) and not isinstance(detail, str):
        if all(not isinstance(item, Mapping | list) for item in detail):
            out.setdefault(prefix or NON_FIELD, []).extend(str(item) for item in detail)
        else:
            for index, item in enumerate(detail):
                if not item:
                    continue
                for field, messages in _flatten(
                    item, f"{prefix}.{index}" if prefix else str(index)
                ).items():
                    out.setdefault(field, []).extend(messages)
    else:
        out.setdefault(prefix or NON_FIELD, []).append(str(detail))
    return out


def _summary(errors: Mapping[str, list[str]]) -> str:
    messages = [message for field in errors.values() for message in field]
    if len(messages) == 1:
        return messages[0]
    return f"The request has {len(messages)} problems; see errors."


def _django_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return _flatten(error.message_dict)
    return {NON_FIELD: list(error.messages)}


def handle(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]."""
    headers: dict[str, str] = {}
    body: dict[str, Any]
    code: int
    if isinstance(exc, DjangoValidationError):
        errors = _django_errors(exc)
        body = error_body("invalid", _summary(errors), errors)
        code = status.HTTP_400_BAD_REQUEST
    elif isinstance(exc, Http404):
        body = error_body("not_found", str(exc) or "Not found.")
        code = status.HTTP_404_NOT_FOUND
    elif isinstance(exc, PermissionDenied):
        body = error_body("permission_denied", str(exc) or "You may not do that.")
        code = status.HTTP_403_FORBIDDEN
    elif isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        body = error_body("invalid", _summary(errors), errors)
        code = exc.status_code
    elif isinstance(exc, exceptions.APIException):
        code = exc.status_code
        if code == status.HTTP_401_UNAUTHORIZED or getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = str(getattr(exc, "auth_header", ""))
        wait = getattr(exc, "wait", None)
        if isinstance(exc, exceptions.Throttled) and wait is not None:
            headers["Retry-After"] = str(int(wait) + 1)
        detail = exc.detail
        if isinstance(detail, Mapping | list):
            errors = _flatten(detail)
            body = error_body(exc.default_code, _summary(errors), errors)
        else:
            body = error_body(exc.default_code, str(detail))
    else:
        # A bug: log it with its traceback, answer in the same shape, change nothing.
        request = context.get("request")
        path = request.path if isinstance(request, Request) else "?"
        logger.error("API request failed: %s", path, exc_info=exc)
        if isinstance(request, Request):
            # Error reporters (and Django's test client) listen for this signal.
            got_request_exception.send(sender=None, request=request._request)
        set_rollback()
        return Response(
            error_body("server_error", "Something went wrong on our side; it has been logged."),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    set_rollback()
    return Response(body, status=code, headers={k: v for k, v in headers.items() if v})
