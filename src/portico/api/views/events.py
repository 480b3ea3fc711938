"""The event feed, `GET /api/v1/events/`: the audit trail's events the caller may see,
oldest first, for integrations that pull rather than receive webhooks.

Each item is what a webhook delivery carries (`portico.events.payload`), built for the
caller. Who sees what is `access.readable_events`: the staff only; a transaction's events
if they may see it, those about its internal notes if they may read them; log-ins, API
tokens, exports and webhook pings only for Systems Admin.

The cursor is an event id: `after=<id>` lists the events recorded after it. Events are
read in id order in growing batches and decided a batch at a time, because who may see
an event depends on grants per transaction (as `access.recent_readable_events` walks an
actor's trail). A page stops after `WALK_LIMIT` rows read, so a viewer who may see little
of a busy trail still gets a bounded answer: an emptier page whose `next` continues after
the last row read, hidden ones included (an id says nothing an id gap would not).

An event is listed only once it is `PORTICO_EVENT_FEED_DELAY` seconds old. Ids are taken
when a row is inserted, not when its transaction commits; on PostgreSQL a slow write may
commit its event after a later id is already visible, and a cursor that had passed it
would never list it. The delay is longer than any action's transaction, and the page
also stops at the first row still too young, so a clock a little ahead on one server
cannot push the cursor past an older row.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.fields import DateTimeField
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from portico import access
from portico.api.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from portico.api.permissions import IsActivePerson
from portico.audit.models import Event
from portico.events import payload, registry
from portico.service.models import Transaction

TAGS = ["events"]
# At most this many events are read for one page, whatever the page size: the cost of a
# page for someone who may see one event in a thousand.
WALK_LIMIT = 2_000
# The first batch read: a page's worth, then four times as many each time, so a caller
# who sees most events reads one batch and one who sees few reads at most a handful.
GROWTH = 4

PARAMETERS = [
    OpenApiParameter(
        "after",
        {"type": "integer", "minimum": 0},
        description="List the events after this event id: the last `id` you processed, or "
        "the `after` of the `next` link. Leave it out to start at the oldest.",
    ),
    OpenApiParameter(
        "event",
        {"type": "array", "items": {"type": "string", "enum": list(registry.NAMES)}},
        description="Only these event names; repeat the parameter or separate with commas.",
        explode=True,
    ),
    OpenApiParameter(
        "transaction",
        OpenApiTypes.STR,
        description="Only the events of this transaction, by its number (e.g. SI-000123).",
    ),
    OpenApiParameter(
        "since",
        OpenApiTypes.DATETIME,
        description="Only the events that happened at or after this time (ISO 8601 with a "
        "time zone).",
    ),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        description=f"Events per page, {DEFAULT_PAGE_SIZE} unless given; at most {MAX_PAGE_SIZE}.",
    ),
]

ITEM_FIELDS: dict[str, serializers.Field[Any, Any, Any, Any]] = {
    "id": serializers.IntegerField(help_text="The event's id; the cursor for `after`."),
    "event": serializers.ChoiceField(choices=registry.NAMES),
    "occurred_at": serializers.DateTimeField(),
    "data": serializers.DictField(
        help_text="What the event says, as a webhook delivery's `data`: the actor, the "
        "channel, the transaction (number, title, link) and the event's own keys."
    ),
}
PAGE = inline_serializer(
    "EventFeedPage",
    {
        "next": serializers.URLField(
            help_text="Where to continue: always given, also on the last page (ask it "
            "again later for newer events)."
        ),
        "more": serializers.BooleanField(
            help_text="True if more events can be read now; false once you have caught up."
        ),
        "results": inline_serializer("FeedEvent", ITEM_FIELDS, many=True),
    },
)


class EventFeed(APIView):
    permission_classes = [IsActivePerson]

    @extend_schema(operation_id="events_list", tags=TAGS, parameters=PARAMETERS, responses=PAGE)
    def get(self, request: Request) -> Response:
        """The events the caller may see, oldest first, a page at a time. To the service
        staff only: a transaction's events if they may see it (those about an internal
        note only if they may read its internal notes); log-ins, API tokens, exports and
        webhook tests only to Systems Admin. Each item is a webhook delivery's body
        without `sent_at`."""
        if not access.is_staff(request.user):
            # Not an empty list: a customer's integration would wait for events forever.
            raise PermissionDenied("Only the service team reads the event feed.")
        query = _Query.parse(request)
        rows = query.rows(request.user)
        shown, last_read, more = _walk(request.user, rows, after=query.after, size=query.size)
        data = payload.payloads_of_readable(request.user, shown)
        position = last_read if last_read is not None else query.after
        return Response(
            {
                "next": replace_query_param(request.build_absolute_uri(), "after", position),
                "more": more,
                "results": [payload.envelope(event, data[event.pk]) for event in shown],
            }
        )


class _Query:
    """The feed's parameters, checked: a bad one is a 400 that names it."""

    def __init__(
        self,
        *,
        after: int,
        size: int,
        names: list[str],
        number: str | None,
        since: datetime.datetime | None,
    ) -> None:
        self.after = after
        self.size = size
        self.names = names
        self.number = number
        self.since = since

    @classmethod
    def parse(cls, request: Request) -> _Query:
        params = request.query_params
        errors: dict[str, list[str]] = {}
        after = _whole(params.get("after"), "after", 0, 2**63 - 1, errors)
        size = _whole(params.get("page_size"), "page_size", 1, MAX_PAGE_SIZE, errors)
        names = [n.strip() for raw in params.getlist("event") for n in raw.split(",")]
        names = [n for n in names if n]
        unknown = [n for n in names if n not in registry.REGISTRY]
        if unknown:
            errors["event"] = [
                f"“{n[:80]}” is not an event name; the names are listed in the API "
                "description (GET /api/v1/schema/)."
                for n in unknown
            ]
        since = None
        if raw_since := params.get("since"):
            try:
                since = DateTimeField().to_internal_value(raw_since)
            except serializers.ValidationError:
                errors["since"] = ["Give a date and time, e.g. 2026-12-01T09:00:00Z."]
        number = (params.get("transaction") or "").strip() or None
        if errors:
            raise ValidationError(errors)
        return cls(
            after=after if after is not None else 0,
            size=size if size is not None else DEFAULT_PAGE_SIZE,
            names=names,
            number=number,
            since=since,
        )

    def rows(self, user: Any) -> QuerySet[Event]:
        """The events the filters allow, in id order, before access decides: filters in
        SQL, so a narrow filter walks only its own rows."""
        rows = Event.objects.order_by("id")
        if self.names:
            rows = rows.filter(action__in=self.names)
        if self.since is not None:
            rows = rows.filter(occurred_at__gte=self.since)
        if self.number is not None:
            # The same answer for a number that does not exist and one the caller may
            # not see, so numbers leak nothing.
            found = access.visible_transactions(user).filter(number=self.number).first()
            if found is None:
                raise ValidationError({"transaction": ["There is no such transaction."]})
            rows = rows.filter(
                subject_type=ContentType.objects.get_for_model(Transaction),
                subject_id=str(found.pk),
            )
        return rows


def _whole(
    raw: str | None, name: str, low: int, high: int, errors: dict[str, list[str]]
) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        errors[name] = [f"Give a whole number from {low} to {high}."]
        return None
    return value


def _walk(
    user: Any, rows: QuerySet[Event], *, after: int, size: int
) -> tuple[list[Event], int | None, bool]:
    """The next `size` events after `after` the person may see, the id of the last row
    the walk settled (the next page starts after it), and whether more can be read now.

    Stops at a full page, at the end, at the first event too young to list (see the
    module's docstring), or after `WALK_LIMIT` rows read."""
    settled = timezone.now() - datetime.timedelta(seconds=settings.PORTICO_EVENT_FEED_DELAY)
    shown: list[Event] = []
    last: int | None = None
    read = 0
    batch_size = size
    while True:
        batch = list(rows.filter(id__gt=last if last is not None else after)[:batch_size])
        read += len(batch)
        young = next((i for i, event in enumerate(batch) if event.occurred_at > settled), None)
        if young is not None:
            batch = batch[:young]
        for event in access.readable_events(user, batch):
            shown.append(event)
            if len(shown) == size:
                return shown, event.pk, True
        if batch:
            last = batch[-1].pk
        if young is not None or len(batch) < batch_size:
            return shown, last, False
        if read >= WALK_LIMIT:
            return shown, last, True
        batch_size = min(batch_size * GROWTH, WALK_LIMIT - read)
