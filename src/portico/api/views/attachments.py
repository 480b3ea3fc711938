"""The files attached to a transaction: list, upload, read, delete and download."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http.response import HttpResponseBase
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from portico import access
from portico.api import serializers as s
from portico.api.views.base import (
    _FILE_RESPONSES,
    NUMBER,
    DownloadRenderer,
    PersonView,
    _actor,
    _parse,
)
from portico.service import actions, selectors
from portico.service.models import Attachment, Channel
from portico.service.views import serve_attachment


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
        attachment = actions.add_attachment(
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
        actions.delete_attachment(actor=actor, attachment=attachment, channel=Channel.API)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AttachmentContent(PersonView):
    renderer_classes = [JSONRenderer, DownloadRenderer]

    @extend_schema(tags=["attachments"], parameters=[NUMBER], responses=_FILE_RESPONSES)
    def get(self, request: Request, number: str, attachment_id: int) -> HttpResponseBase:
        """The file's bytes, with the same safety headers as the pages' downloads: a
        raster image keeps its type and may show inline; everything else is opaque
        bytes to download, sandboxed and never sniffed."""
        transaction = access.transaction_for(request.user, number)
        return serve_attachment(selectors.attachment_for(request.user, transaction, attachment_id))
