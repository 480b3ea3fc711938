"""Feedback forms in the API: the forms open to the caller (as the portal lists them,
`access.answerable_forms`) and answering one (`surveys.feedback.submit`, the portal
page's rules and words). A form that is not the caller's is a 404, as on the page."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from portico import access
from portico.api import form_serializers as fs
from portico.api import idempotency
from portico.api.views.base import IDEMPOTENCY_KEY, PersonView, _actor, _parse
from portico.audit.models import Channel
from portico.surveys import feedback

TAGS = ["forms"]
FORM_ID = OpenApiParameter(
    "form_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Its id."
)


class FormList(PersonView):
    @extend_schema(tags=TAGS, responses=fs.FormSerializer(many=True))
    def get(self, request: Request) -> Response:
        """The feedback forms the caller may answer now, with their questions."""
        forms = access.answerable_forms(request.user).prefetch_related("questions")
        return Response(fs.FormSerializer(forms.order_by("closes_at", "pk"), many=True).data)


class FormResponses(PersonView):
    @extend_schema(
        tags=TAGS,
        parameters=[FORM_ID, IDEMPOTENCY_KEY],
        request=fs.AnswersSerializer,
        examples=[
            OpenApiExample(
                "Answers",
                request_only=True,
                value={"answers": {"1": "Every day", "2": ["Alerts", "Reports"], "3": 4}},
            )
        ],
        responses={201: fs.ResponseSerializer},
    )
    def post(self, request: Request, form_id: int) -> Response:
        """Answer a form. Every problem comes back at once, under answers.<question id>."""
        actor = _actor(request)
        form = access.form_for(actor, form_id)
        person = access.individual_of(actor)
        assert person is not None  # form_for found a form addressed to their group

        def create() -> tuple[int, dict[str, Any]]:
            data = _parse(fs.AnswersSerializer(data=request.data))
            try:
                made = feedback.submit(
                    form=form, person=person, data=data["answers"], channel=Channel.API
                )
            except ValidationError as error:
                raise ValidationError(
                    {
                        key if key == feedback.NON_FIELD else f"answers.{key}": messages
                        for key, messages in error.message_dict.items()
                    }
                ) from None
            return status.HTTP_201_CREATED, dict(fs.ResponseSerializer(made).data)

        return idempotency.respond(request, actor, create)
