"""The REST API's endpoints. Each one parses the request, asks `portico.access` for the
transaction (404 for missing and not-yours alike), calls one service or selector, and
writes the answer. Refusals are exceptions, turned into the one error shape by
`portico.api.exceptions.handle`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction as db
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from portico import access
from portico.api import idempotency, pagination
from portico.api import serializers as s
from portico.api import services as api_services
from portico.api.models import ApiToken
from portico.api.permissions import IsActivePerson, NotWithToken
from portico.parties.models import User
from portico.service import content, filters, lifecycle, selectors, services
from portico.service.models import (
    Application,
    Attachment,
    Channel,
    Choice,
    Classification,
    Grant,
    Note,
    Permission,
    Priority,
    ProfileField,
    Status,
)
from portico.service.selectors import RelatedTransaction
from portico.service.views import serve_attachment

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


# --- parties ----------------------------------------------------------------------------


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


# --- set-up -----------------------------------------------------------------------------


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


# --- transactions -----------------------------------------------------------------------

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
                made = services.create_transaction(
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
        services.record_view(actor=_actor(request), transaction=transaction, channel=Channel.API)
        return Response(s.TransactionDetailSerializer(transaction, context=_context(request)).data)

    @extend_schema(
        tags=["transactions"],
        parameters=[NUMBER],
        request=s.TransactionUpdateSerializer,
        responses=s.TransactionDetailSerializer,
    )
    def patch(self, request: Request, number: str) -> Response:
        """Change the title and description (edit_text), and the profile values and
        priority (edit_profile); all of it or none."""
        actor = _actor(request)
        transaction = access.transaction_for(actor, number)
        data = _parse(s.TransactionUpdateSerializer(data=request.data))
        with db.atomic():
            if "title" in data or "description" in data:
                services.edit_text(
                    actor=actor,
                    transaction=transaction,
                    title=data.get("title"),
                    description=data.get("description"),
                    channel=Channel.API,
                )
            if "profile" in data or "priority" in data:
                with _profile_errors({"priority"}):
                    services.update_profile(
                        actor=actor,
                        transaction=transaction,
                        values=data.get("profile") or {},
                        priority=data.get("priority"),
                        channel=Channel.API,
                    )
        transaction = access.transaction_for(actor, number)
        return Response(s.TransactionDetailSerializer(transaction, context=_context(request)).data)


class TransactionStatus(PersonView):
    @extend_schema(
        tags=["transactions"],
        parameters=[NUMBER],
        request=s.StatusChangeSerializer,
        examples=[
            OpenApiExample("Start work", request_only=True, value={"status": "in-progress"}),
            OpenApiExample(
                "Resolve",
                request_only=True,
                value={"status": "resolved", "resolution": "Replaced the flow sensor."},
            ),
        ],
        responses=s.TransactionDetailSerializer,
    )
    def post(self, request: Request, number: str) -> Response:
        """Move it along its application's status flow."""
        actor = _actor(request)
        transaction = access.transaction_for(actor, number)
        access.require(actor, "change_status", transaction)
        data = _parse(s.StatusChangeSerializer(data=request.data))
        new = Status.objects.filter(
            application_id=transaction.application_id, code=data["status"]
        ).first()
        if new is None:
            raise ValidationError(
                {"status": [f"“{data['status']}” is not a status of this transaction."]}
            )
        services.change_status(
            actor=actor,
            transaction=transaction,
            status=new,
            resolution=data["resolution"],
            channel=Channel.API,
        )
        transaction = access.transaction_for(actor, number)
        return Response(s.TransactionDetailSerializer(transaction, context=_context(request)).data)


class _Move(PersonView):
    """Withdraw or reopen, with a reason: the portal's buttons, for a script."""

    move = ""

    def post(self, request: Request, number: str) -> Response:
        actor = _actor(request)
        transaction = access.transaction_for(actor, number)
        access.require(actor, self.move, transaction)
        data = _parse(s.ReasonSerializer(data=request.data))
        act = lifecycle.withdraw if self.move == "withdraw" else lifecycle.reopen
        act(actor=actor, transaction=transaction, reason=data["reason"], channel=Channel.API)
        transaction = access.transaction_for(actor, number)
        return Response(s.TransactionDetailSerializer(transaction, context=_context(request)).data)


class TransactionWithdraw(_Move):
    move = "withdraw"

    @extend_schema(
        tags=["transactions"],
        parameters=[NUMBER],
        request=s.ReasonSerializer,
        examples=[
            OpenApiExample(
                "No longer needed",
                request_only=True,
                value={"reason": "The pump restarted after a power cycle."},
            )
        ],
        responses=s.TransactionDetailSerializer,
    )
    def post(self, request: Request, number: str) -> Response:
        """Withdraw an unfinished request one no longer needs (it becomes Withdrawn);
        for whoever may add notes to it. The reason is added as a shared note."""
        return super().post(request, number)


class TransactionReopen(_Move):
    move = "reopen"

    @extend_schema(
        tags=["transactions"],
        parameters=[NUMBER],
        request=s.ReasonSerializer,
        examples=[
            OpenApiExample(
                "Not fixed", request_only=True, value={"reason": "The alarm came back today."}
            )
        ],
        responses=s.TransactionDetailSerializer,
    )
    def post(self, request: Request, number: str) -> Response:
        """Reopen a resolved request within its application's reopen period (14 days
        by default); for whoever may add notes to it. The reason is added as a shared
        note."""
        return super().post(request, number)


class TransactionAssign(PersonView):
    @extend_schema(
        tags=["transactions"],
        parameters=[NUMBER],
        request=s.AssignSerializer,
        responses=s.GrantSerializer(many=True),
    )
    def post(self, request: Request, number: str) -> Response:
        """Assign for action (puts it on each one's task list); answers the new grants."""
        actor = _actor(request)
        transaction = access.transaction_for(actor, number)
        access.require(actor, "assign", transaction)
        data = _parse(s.AssignSerializer(data=request.data))
        made = services.assign(
            actor=actor, transaction=transaction, assignees=data["assignees"], channel=Channel.API
        )
        return Response(s.GrantSerializer(made, many=True).data)


class TaskList(PersonView):
    pagination_class = pagination.DuePagination

    @extend_schema(tags=["transactions"], responses=s.TransactionSerializer(many=True))
    def get(self, request: Request) -> Response:
        """The person's task list: unresolved transactions assigned to them for action."""
        rows = selectors.for_list(selectors.task_list(request.user))
        return _paged(request, self, rows, s.TransactionSerializer, self.pagination_class())


# --- notes ------------------------------------------------------------------------------


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
            note = services.add_note(
                actor=actor,
                transaction=transaction,
                body=data["body"],
                visibility=data["visibility"],
                channel=data["channel"],
                direction=data["direction"],
                contact=data.get("contact"),
                corrects=corrects,
            )
            shown = Note.objects.select_related("author__user_group", "contact").get(pk=note.pk)
            return status.HTTP_201_CREATED, dict(s.NoteSerializer(shown).data)

        return idempotency.respond(request, actor, create)


# --- attachments ------------------------------------------------------------------------


class AttachmentList(PersonView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=["attachments"], parameters=[NUMBER], responses=s.AttachmentSerializer(many=True)
    )
    def get(self, request: Request, number: str) -> Response:
        """The files the person may download."""
        transaction = access.transaction_for(request.user, number)
        rows = selectors.attachments_for(request.user, transaction).select_related("transaction")
        return Response(s.AttachmentSerializer(rows, many=True).data)

    @extend_schema(
        tags=["attachments"],
        parameters=[NUMBER],
        request={"multipart/form-data": s.AttachmentUploadSerializer},
        responses={201: s.AttachmentSerializer},
    )
    def post(self, request: Request, number: str) -> Response:
        """Upload a file (multipart/form-data, field `file`)."""
        actor = _actor(request)
        transaction = access.transaction_for(actor, number)
        access.require(actor, "attach_files", transaction)
        data = _parse(s.AttachmentUploadSerializer(data=request.data))
        note = None
        if data.get("note") is not None:
            note = selectors.notes_for(actor, transaction).filter(pk=data["note"]).first()
            if note is None:
                raise ValidationError({"note": ["No such note on this transaction."]})
        upload = data["file"]
        attachment = services.add_attachment(
            actor=actor,
            transaction=transaction,
            upload=upload,
            name=upload.name or "file",
            note=note,
            channel=Channel.API,
        )
        shown = Attachment.objects.select_related("transaction", "uploaded_by").get(
            pk=attachment.pk
        )
        return Response(s.AttachmentSerializer(shown).data, status=status.HTTP_201_CREATED)


class AttachmentDetail(PersonView):
    @extend_schema(tags=["attachments"], parameters=[NUMBER], responses=s.AttachmentSerializer)
    def get(self, request: Request, number: str, attachment_id: int) -> Response:
        transaction = access.transaction_for(request.user, number)
        attachment = selectors.attachment_for(request.user, transaction, attachment_id)
        return Response(s.AttachmentSerializer(attachment).data)

    @extend_schema(tags=["attachments"], parameters=[NUMBER], responses={204: None})
    def delete(self, request: Request, number: str, attachment_id: int) -> Response:
        """Delete a file: hidden from everyone, the bytes removed, the trail kept."""
        actor = _actor(request)
        transaction = access.transaction_for(actor, number)
        access.require(actor, "delete_attachment", transaction)
        attachment = selectors.attachment_for(actor, transaction, attachment_id)
        services.delete_attachment(actor=actor, attachment=attachment, channel=Channel.API)
        return Response(status=status.HTTP_204_NO_CONTENT)


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


_FILE_RESPONSES = {
    (200, media): OpenApiResponse(OpenApiTypes.BINARY, description="The file.")
    for media in ("application/octet-stream", *sorted(content.INLINE_CONTENT_TYPES))
}


class AttachmentContent(PersonView):
    renderer_classes = [JSONRenderer, DownloadRenderer]

    @extend_schema(tags=["attachments"], parameters=[NUMBER], responses=_FILE_RESPONSES)
    def get(self, request: Request, number: str, attachment_id: int) -> FileResponse:
        """The file's bytes, with the same safety headers as the pages' downloads: a
        raster image keeps its type and may show inline; everything else is opaque
        bytes to download, sandboxed and never sniffed."""
        transaction = access.transaction_for(request.user, number)
        return serve_attachment(selectors.attachment_for(request.user, transaction, attachment_id))


# --- history ----------------------------------------------------------------------------


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


# --- grants and relations ---------------------------------------------------------------


class GrantList(PersonView):
    @extend_schema(tags=["grants"], parameters=[NUMBER], responses=s.GrantSerializer(many=True))
    def get(self, request: Request, number: str) -> Response:
        """Who has which permission on it: shown to the staff, as on the console's page
        (the portals do not show it)."""
        transaction = access.transaction_for(request.user, number)
        if not access.is_staff(request.user):
            raise exceptions.PermissionDenied("Only the service team sees who has access.")
        rows = (
            Grant.objects.filter(transaction=transaction)
            .select_related("individual", "organization", "permission", "granted_by")
            .order_by("permission__name", "id")
        )
        return Response(s.GrantSerializer(rows, many=True).data)

    @extend_schema(
        tags=["grants"],
        parameters=[NUMBER],
        request=s.GrantCreateSerializer,
        responses={201: s.GrantSerializer},
    )
    def post(self, request: Request, number: str) -> Response:
        """Give an individual or an organisation a permission on it."""
        actor = _actor(request)
        transaction = access.transaction_for(actor, number)
        access.require(actor, "manage_grants", transaction)
        data = _parse(s.GrantCreateSerializer(data=request.data))
        row = services.grant(
            actor=actor,
            transaction=transaction,
            permission=data["permission"],
            individual=data.get("individual"),
            organization=data.get("organization"),
            channel=Channel.API,
        )
        shown = Grant.objects.select_related(
            "individual", "organization", "permission", "granted_by"
        ).get(pk=row.pk)
        return Response(s.GrantSerializer(shown).data, status=status.HTTP_201_CREATED)


class GrantDetail(PersonView):
    @extend_schema(tags=["grants"], parameters=[NUMBER], responses={204: None})
    def delete(self, request: Request, number: str, grant_id: int) -> Response:
        actor = _actor(request)
        transaction = access.transaction_for(actor, number)
        access.require(actor, "manage_grants", transaction)
        row = get_object_or_404(
            Grant.objects.select_related("permission", "individual", "organization"),
            pk=grant_id,
            transaction=transaction,
        )
        row.transaction = transaction
        services.revoke(actor=actor, grant_row=row, channel=Channel.API)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RelationList(PersonView):
    @extend_schema(
        tags=["relations"], parameters=[NUMBER], responses=s.RelatedTransactionSerializer(many=True)
    )
    def get(self, request: Request, number: str) -> Response:
        """Links from both ends, to the transactions the person may see."""
        transaction = access.transaction_for(request.user, number)
        rows = selectors.relations_of(request.user, transaction)
        return Response(s.RelatedTransactionSerializer(rows, many=True).data)

    @extend_schema(
        tags=["relations"],
        parameters=[NUMBER],
        request=s.RelationCreateSerializer,
        examples=[
            OpenApiExample(
                "Related", request_only=True, value={"other": "SI-000002", "kind": "related"}
            )
        ],
        responses={201: s.RelatedTransactionSerializer},
    )
    def post(self, request: Request, number: str) -> Response:
        actor = _actor(request)
        transaction = access.transaction_for(actor, number)
        access.require(actor, "relate", transaction)
        data = _parse(s.RelationCreateSerializer(data=request.data))
        try:
            other = access.transaction_for(actor, data["other"].strip())
        except Http404:  # the same answer for missing and not-yours
            raise ValidationError({"other": ["No such transaction."]}) from None
        relation = services.relate(
            actor=actor,
            transaction=transaction,
            other=other,
            kind=data["kind"],
            channel=Channel.API,
        )
        shown = RelatedTransaction(relation.get_kind_display(), other)
        return Response(s.RelatedTransactionSerializer(shown).data, status=status.HTTP_201_CREATED)


# --- tokens -----------------------------------------------------------------------------


class TokenList(PersonView):
    permission_classes = [IsActivePerson, NotWithToken]

    @extend_schema(tags=["tokens"], responses=s.TokenSerializer(many=True))
    def get(self, request: Request) -> Response:
        """One's own tokens, newest first, without their secrets."""
        rows = ApiToken.objects.filter(owner=_actor(request)).order_by("-created_at", "-id")
        return Response(s.TokenSerializer(rows, many=True).data)

    @extend_schema(
        tags=["tokens"],
        request=s.TokenCreateSerializer,
        responses={201: s.NewTokenSerializer},
        examples=[
            OpenApiExample(
                "A token for a script",
                request_only=True,
                value={"name": "Nightly export", "expires_at": "2030-01-31T00:00:00Z"},
            )
        ],
    )
    def post(self, request: Request) -> Response:
        """Make a token (while logged in, not with another token). Its secret is in this
        answer only: Portico keeps just its hash."""
        data = _parse(s.TokenCreateSerializer(data=request.data))
        made = api_services.create_token(
            actor=_actor(request), name=data["name"], expires_at=data["expires_at"]
        )
        body = s.NewTokenSerializer(made.token, context={"secret": made.secret}).data
        return Response(body, status=status.HTTP_201_CREATED)


class TokenDetail(PersonView):
    @extend_schema(tags=["tokens"], responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        """Revoke one of one's own tokens; it stops working at once."""
        actor = _actor(request)
        token = get_object_or_404(ApiToken, pk=pk, owner=actor)
        api_services.revoke_token(actor=actor, token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- the rest ---------------------------------------------------------------------------


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
