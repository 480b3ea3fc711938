"""Transactions, their notes, history, attachments, grants and relations over the wire."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from portico import access
from portico.api.serializers.common import (
    CodeNameSerializer,
    MoneyAmount,
    PartyRefSerializer,
    SlugLookup,
    StatusRefSerializer,
    TypedText,
    _user,
)
from portico.audit import display
from portico.audit.models import Event
from portico.parties.models import Individual, Organization
from portico.service import rules
from portico.service.models import (
    Application,
    Attachment,
    Channel,
    Grant,
    Note,
    Permission,
    Priority,
    Relation,
    Transaction,
)


class TransactionSerializer(serializers.ModelSerializer[Transaction]):
    """A row of a list: what the portal's and console's lists show."""

    application = CodeNameSerializer(read_only=True)
    status = StatusRefSerializer(read_only=True)
    priority = CodeNameSerializer(read_only=True, allow_null=True)
    organization = PartyRefSerializer(read_only=True, allow_null=True)
    requester = PartyRefSerializer(read_only=True, allow_null=True)
    # The team by name only, as the portal shows it ("Handled by").
    team = serializers.CharField(source="team.name", read_only=True, allow_null=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Transaction
        fields: tuple[str, ...] = (
            "number",
            "url",
            "application",
            "title",
            "status",
            "priority",
            "organization",
            "requester",
            "team",
            "channel",
            "created_at",
            "updated_at",
            "due_at",
            "response_due_at",
            "resolution_due_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
        )
        read_only_fields: tuple[str, ...] = fields

    def get_url(self, transaction: Transaction) -> str:
        return reverse("api:transaction", args=[transaction.number])


class TransactionDetailSerializer(TransactionSerializer):
    """One transaction: the row, with its description, resolution, profile and what the
    person may do with it."""

    profile = serializers.SerializerMethodField(help_text="Values shown, by classification code.")
    actions = serializers.SerializerMethodField(
        help_text="What the person asking may do with it (portico.access actions)."
    )
    satisfaction = serializers.SerializerMethodField(
        help_text="The requester's survey answer (rating, comment, answered_at): staff see "
        "it, a customer only their own; null when unanswered or not theirs to see."
    )
    value = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        read_only=True,
        required=False,
        help_text="What the work is worth. Staff only: absent for anyone else.",
    )
    cost = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        read_only=True,
        required=False,
        help_text="What it cost the desk. Staff only: absent for anyone else.",
    )

    class Meta(TransactionSerializer.Meta):
        fields = (
            *TransactionSerializer.Meta.fields,
            "description",
            "resolution",
            "profile",
            "actions",
            "satisfaction",
            "value",
            "cost",
        )
        read_only_fields = fields

    def to_representation(self, instance: Transaction) -> dict[str, Any]:
        shown = dict(super().to_representation(instance))
        # The desk's own figures (access.may_see_money): left out, not nulled, for a
        # customer, a partner or an employee, as the portal never shows them.
        if not access.may_see_money(_user(self), instance):
            shown.pop("value", None)
            shown.pop("cost", None)
        return shown

    def get_profile(self, transaction: Transaction) -> dict[str, str]:
        from portico.service.selectors import profile_shown

        # Staff-only classifications (Root cause) are left out for anyone else.
        return {
            field.classification.code: value
            for field, value in profile_shown(_user(self), transaction)
        }

    def get_satisfaction(self, transaction: Transaction) -> dict[str, Any] | None:
        from portico import access

        row = access.satisfaction_answers(_user(self), transaction).first()
        if row is None:
            return None
        return {"rating": row.rating, "comment": row.comment, "answered_at": row.answered_at}

    def get_actions(self, transaction: Transaction) -> list[str]:
        from portico.service import actions

        # Withdraw and reopen are listed only while the transaction's state allows them.
        user = _user(self)
        allowed = access.allowed_actions(user, transaction) - actions.MOVES
        return sorted(allowed | actions.offered(user, transaction))


class ProfileValueText(serializers.CharField):
    """A profile value as sent (trimmed, as the pages' fields trim it): `clean_profile`
    judges it by its classification, in the words the pages use."""

    def run_validators(self, value: Any) -> None:
        """None: the length is in the schema only (see TypedText)."""


class ProfileValuesField(serializers.DictField):
    """Profile values by classification code: a choice's code, a number, a date
    (YYYY-MM-DD) or text; null or "" clears an optional one."""

    child = ProfileValueText(allow_blank=True, allow_null=True, max_length=rules.PROFILE_TEXT_MAX)


class TransactionCreateSerializer(serializers.Serializer[Any]):
    application = SlugLookup(
        slug_field="code", queryset=Application.objects.none(), help_text="Its code."
    )
    title = TypedText(rule=rules.TITLE)
    description = TypedText(rule=rules.DESCRIPTION, required=False, default="")
    priority = SlugLookup(
        slug_field="code",
        queryset=Priority.objects.all(),
        required=False,
        allow_null=True,
        help_text="Its code; the least urgent unless given.",
    )
    profile = ProfileValuesField(required=False, default=dict)
    requester = serializers.PrimaryKeyRelatedField(
        queryset=Individual.objects.none(),
        required=False,
        allow_null=True,
        help_text="Staff only: who it is for (others log their own).",
    )
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.none(),
        required=False,
        allow_null=True,
        help_text="Staff only: which organisation it refers to.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = _user(self)
        fields: Any = self.fields
        fields["application"].queryset = Application.objects.filter(
            pk__in=list(access.application_rights(user))
        )
        fields["requester"].queryset = access.visible_individuals(user)
        fields["organization"].queryset = access.visible_organizations(user)


class TransactionUpdateSerializer(serializers.Serializer[Any]):
    title = TypedText(rule=rules.TITLE, required=False)
    description = TypedText(rule=rules.DESCRIPTION, required=False)
    priority = SlugLookup(slug_field="code", queryset=Priority.objects.all(), required=False)
    profile = ProfileValuesField(required=False)
    value = MoneyAmount(
        required=False,
        help_text="What the work is worth: at least 0, at most 2 decimals and 12 digits "
        "before the point. Staff who may change the profile only.",
    )
    cost = MoneyAmount(
        required=False,
        help_text="What it cost the desk; the same rule as value.",
    )


class StatusChangeSerializer(serializers.Serializer[Any]):
    status = serializers.SlugField(max_length=40, help_text="The new status's code.")
    resolution = TypedText(
        rule=rules.RESOLUTION,
        required=False,
        default="",
        help_text="How it was resolved (the customer reads this); needed to resolve.",
    )


class ReasonSerializer(serializers.Serializer[Any]):
    # Blank is let through: the move's rule says it is missing, in the move's words.
    reason = TypedText(
        rule=rules.REASON,
        required=False,
        default="",
        help_text="Why (required; at most 50,000 characters). Added as a shared note.",
    )


class AssignSerializer(serializers.Serializer[Any]):
    assignees = serializers.PrimaryKeyRelatedField(
        queryset=Individual.objects.all(), many=True, help_text="Ids of members of staff."
    )


class NoteSerializer(serializers.ModelSerializer[Note]):
    author = PartyRefSerializer(read_only=True, allow_null=True)
    from_staff = serializers.SerializerMethodField()
    contact = PartyRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Note
        fields = (
            "id",
            "author",
            "from_staff",
            "channel",
            "direction",
            "contact",
            "visibility",
            "body",
            "corrects",
            "created_at",
        )
        read_only_fields = fields

    def get_from_staff(self, note: Note) -> bool:
        return access.is_staff_member(note.author)


class NoteCreateSerializer(serializers.Serializer[Any]):
    body = TypedText(rule=rules.NOTE_BODY, help_text="Markdown.")
    visibility = serializers.ChoiceField(choices=Note.Visibility.choices)
    channel = serializers.ChoiceField(
        choices=Channel.choices,
        default=Channel.INTERNAL,
        help_text="Staff: how the contact happened. Others' notes are always web.",
    )
    direction = serializers.ChoiceField(choices=Note.Direction.choices, default=Note.Direction.NONE)
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Individual.objects.none(), required=False, allow_null=True
    )
    corrects = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="The id of the note it mends."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["contact"].queryset = access.visible_individuals(_user(self))


class EventSerializer(serializers.ModelSerializer[Event]):
    """One event of a transaction's history, as the console's History panel shows it."""

    actor = serializers.CharField(source="actor_label", read_only=True)
    title = serializers.SerializerMethodField(help_text="What happened, in words.")
    detail = serializers.SerializerMethodField(help_text="The values, before → after.")

    class Meta:
        model = Event
        fields = ("id", "occurred_at", "actor", "action", "title", "detail", "channel")
        read_only_fields = fields

    def get_title(self, event: Event) -> str:
        return display.title(event)

    def get_detail(self, event: Event) -> str:
        return display.describe(event)


class AttachmentSerializer(serializers.ModelSerializer[Attachment]):
    uploaded_by = PartyRefSerializer(read_only=True, allow_null=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = (
            "id",
            "name",
            "content_type",
            "size",
            "sha256",
            "note",
            "uploaded_by",
            "created_at",
            "download_url",
        )
        read_only_fields = fields

    def get_download_url(self, attachment: Attachment) -> str:
        return reverse(
            "api:attachment-content", args=[attachment.transaction.number, attachment.pk]
        )


class AttachmentUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(allow_empty_file=True, use_url=False)
    note = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="The note it belongs to."
    )


class GrantSerializer(serializers.ModelSerializer[Grant]):
    individual = PartyRefSerializer(read_only=True, allow_null=True)
    organization = PartyRefSerializer(read_only=True, allow_null=True)
    permission = CodeNameSerializer(read_only=True)
    granted_by = PartyRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Grant
        fields = ("id", "individual", "organization", "permission", "granted_at", "granted_by")
        read_only_fields = fields


class GrantCreateSerializer(serializers.Serializer[Any]):
    permission = SlugLookup(
        slug_field="code", queryset=Permission.objects.all(), help_text="Its code."
    )
    individual = serializers.PrimaryKeyRelatedField(
        queryset=Individual.objects.all(), required=False, allow_null=True
    )
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True
    )


class RelatedTransactionSerializer(serializers.Serializer[Any]):
    # Field.label is DRF's own attribute; as a declared field it is only an output name.
    label = serializers.CharField(help_text="How the link reads from this end.")  # type: ignore[assignment]
    number = serializers.CharField(source="transaction.number")
    title = serializers.CharField(source="transaction.title")
    status = StatusRefSerializer(source="transaction.status")


class RelationCreateSerializer(serializers.Serializer[Any]):
    other = serializers.CharField(max_length=24, help_text="The other transaction's number.")
    kind = serializers.ChoiceField(choices=Relation.Kind.choices)
