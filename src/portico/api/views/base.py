"""What every endpoint of the API shares: the path and header parameters, the
acting person, parsing, paging, and the renderer that lets a download through."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from portico.api import idempotency, pagination
from portico.api.permissions import IsActivePerson
from portico.parties.models import User
from portico.service import content

NUMBER = OpenApiParameter(
    "number", OpenApiTypes.STR, OpenApiParameter.PATH, description="E.g. SI-000123."
)
IDEMPOTENCY_KEY = OpenApiParameter(
    idempotency.HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Send the same key again to retry safely: the first answer comes back "
    "and nothing is made twice. The same key with a different request is refused (422).",
)


def _actor(request: Request) -> User:
    user = request.user
    if not isinstance(user, User):  # IsActivePerson has let only log-ins through
        raise exceptions.NotAuthenticated
    return user


def _context(request: Request) -> dict[str, Any]:
    return {"request": request}


def _parse[T: BaseSerializer[Any]](serializer: T) -> dict[str, Any]:
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _paged(
    request: Request,
    view: APIView,
    rows: QuerySet[Any],
    serializer: type[BaseSerializer[Any]],
    paginator: pagination.KeysetPagination,
) -> Response:
    page = paginator.paginate_queryset(rows, request, view)
    return paginator.get_paginated_response(
        serializer(page, many=True, context=_context(request)).data
    )


@contextmanager
def _profile_errors(fields: set[str]) -> Iterator[None]:
    """A service names a profile value's error by its classification code; over the API
    it reads profile.<code>, beside the body's own fields."""
    try:
        yield
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {
                key if key in fields else f"profile.{key}": messages
                for key, messages in error.message_dict.items()
            }
        ) from None


class PersonView(APIView):
    permission_classes = [IsActivePerson]


class DownloadRenderer(BaseRenderer):
    """Lets a client that asks for the file's own type reach the download; the file
    itself is a FileResponse and never passes through a renderer. Errors still go
    out as JSON."""

    media_type = "*/*"
    format = "download"
    charset = None

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Any = None,
    ) -> bytes:
        return JSONRenderer().render(data)


_FILE_RESPONSES: dict[int | tuple[int, str], OpenApiResponse] = {
    (200, media): OpenApiResponse(OpenApiTypes.BINARY, description="The file.")
    for media in ("application/octet-stream", *sorted(content.INLINE_CONTENT_TYPES))
}
_FILE_RESPONSES[302] = OpenApiResponse(
    description="Files kept on S3: `Location` is a signed URL that gives the file, with the"
    " same type and disposition, for PORTICO_DOWNLOAD_URL_SECONDS."
)
