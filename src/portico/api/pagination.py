"""Keyset ("cursor") pages that cost the same on page 1 and page 10,000: each page is a
seek on an index of (key, id) that stops after page-size + 1 rows. No OFFSET, no COUNT.

The key may be empty (a transaction without a due time); such rows come last, in id
order, in both halves of the same two-range read the console's list uses, because one
query with "key > x OR key IS NULL" could not seek. Ties on the key are broken by id,
so no row is skipped or repeated however many share a due time."""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from rest_framework import exceptions
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
_DAMAGED = "That cursor is damaged or out of date; start again from the first page."


@dataclass(frozen=True)
class Position:
    """After the row with this key value and id."""

    value: Any
    pk: int


class KeysetPagination(BasePagination):
    key = "created_at"
    nullable = False
    # Newest first (news): the seek runs the other way; not with empty keys, which no
    # newest-first list has.
    descending = False
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    next_url: str | None = None

    # --- reading a page ---------------------------------------------------------------

    def paginate_queryset(
        self, queryset: QuerySet[Any] | Sequence[Any], request: Request, view: Any = None
    ) -> list[Any]:
        assert isinstance(queryset, QuerySet), "keyset pages need a queryset"
        size = self._page_size(request)
        after = self._decode(request, queryset.model)
        rows = self._rows(queryset, after=after, size=size)
        self.next_url = None
        if len(rows) > size:
            rows = rows[:size]
            last = rows[-1]
            cursor = self._encode(Position(getattr(last, self.key), last.pk))
            self.next_url = replace_query_param(
                request.build_absolute_uri(), self.cursor_query_param, cursor
            )
        return rows

    def _rows(self, queryset: QuerySet[Any], *, after: Position | None, size: int) -> list[Any]:
        key = self.key
        rows: list[Any] = []
        if self.descending:
            assert not self.nullable, "a newest-first list has no empty keys"
            keyed = queryset.order_by(f"-{key}", "-id")
            if after is not None:
                keyed = keyed.filter(**{f"{key}__lte": after.value}).exclude(
                    **{key: after.value, "id__gte": after.pk}
                )
            return list(keyed[: size + 1])
        if after is None or after.value is not None:
            keyed = queryset.order_by(key, "id")
            if self.nullable:
                keyed = keyed.filter(**{f"{key}__isnull": False})
            if after is not None:
                keyed = keyed.filter(**{f"{key}__gte": after.value}).exclude(
                    **{key: after.value, "id__lte": after.pk}
                )
            rows = list(keyed[: size + 1])
        if self.nullable:
            # Runs even when the keyed half filled the page, so every page costs the
            # same number of queries whatever the data (the query count is tested).
            empty = queryset.filter(**{f"{key}__isnull": True}).order_by("id")
            if after is not None and after.value is None:
                empty = empty.filter(id__gt=after.pk)
            rows += list(empty[: size + 1])
        return rows

    def get_paginated_response(self, data: Sequence[Any]) -> Response:
        return Response({"next": self.next_url, "results": data})

    # --- parameters -------------------------------------------------------------------

    def _page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return DEFAULT_PAGE_SIZE
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [f"Give a whole number from 1 to {MAX_PAGE_SIZE}."]}
            )
        return min(size, MAX_PAGE_SIZE)

    def _encode(self, position: Position) -> str:
        value = position.value
        if isinstance(value, datetime.datetime):
            value = value.isoformat()
        raw = json.dumps([value, position.pk], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def _decode(self, request: Request, model: type[Model]) -> Position | None:
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:
            return None
        damaged = exceptions.ValidationError({self.cursor_query_param: [_DAMAGED]})
        try:
            text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
            value, pk = json.loads(text)
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
            raise damaged from None
        if not isinstance(pk, int) or isinstance(pk, bool) or not 0 <= pk < 2**63:
            raise damaged
        if value is None:
            if not self.nullable:
                raise damaged
            return Position(None, pk)
        if not isinstance(value, str) or len(value) > 400:
            raise damaged
        try:
            parsed = model._meta.get_field(self.key).to_python(value)  # type: ignore[union-attr]
        except DjangoValidationError:
            raise damaged from None
        if isinstance(parsed, datetime.datetime) and parsed.tzinfo is None:
            raise damaged
        return Position(parsed, pk)

    # --- the schema -------------------------------------------------------------------

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where the page starts: the `next` link of the page before.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page, {DEFAULT_PAGE_SIZE} unless given; at most "
                f"{MAX_PAGE_SIZE}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
            },
        ]

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page, or null on the last one.",
                },
                "results": schema,
            },
        }


class DuePagination(KeysetPagination):
    """Transactions: soonest due first, those with no due time last."""

    key = "due_at"
    nullable = True


class NamePagination(KeysetPagination):
    key = "name"


class LastNamePagination(KeysetPagination):
    key = "last_name"


class EventPagination(KeysetPagination):
    """A transaction's history, oldest first."""

    key = "occurred_at"


class TitlePagination(KeysetPagination):
    """Articles and documents, by title as their pages list them."""

    key = "title"


class QuestionPagination(KeysetPagination):
    key = "question"


class NewestPagination(KeysetPagination):
    """News: the latest first."""

    key = "published_at"
    descending = True
