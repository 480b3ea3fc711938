"""The set-up over the wire: applications, classifications, priorities, permissions."""

from __future__ import annotations

from rest_framework import serializers

from portico import access
from portico.api.serializers.common import (
    _user,
)
from portico.service.models import (
    Application,
    Choice,
    Classification,
    Permission,
    Priority,
    ProfileField,
    Status,
)


class StatusSerializer(serializers.ModelSerializer[Status]):
    next = serializers.SerializerMethodField(help_text="The codes it may move to.")

    class Meta:
        model = Status
        fields = ("code", "name", "category", "initial", "next")
        read_only_fields = fields

    def get_next(self, status: Status) -> list[str]:
        return [s.code for s in status.next_statuses.all()]


class ProfileFieldSerializer(serializers.ModelSerializer[ProfileField]):
    classification = serializers.CharField(source="classification.code")
    name = serializers.CharField(source="classification.name")
    kind = serializers.ChoiceField(
        source="classification.kind", choices=Classification.Kind.choices
    )

    class Meta:
        model = ProfileField
        fields = ("classification", "name", "kind", "mandatory")
        read_only_fields = fields


class ApplicationSerializer(serializers.ModelSerializer[Application]):
    may_create = serializers.SerializerMethodField()
    statuses = StatusSerializer(many=True, read_only=True)
    profile = ProfileFieldSerializer(source="profile_fields", many=True, read_only=True)

    class Meta:
        model = Application
        fields = (
            "code",
            "name",
            "prefix",
            "description",
            "uses_priority",
            "may_create",
            "statuses",
            "profile",
        )
        read_only_fields = fields

    def get_may_create(self, application: Application) -> bool:
        return access.may_create(_user(self), application)


class ChoiceSerializer(serializers.ModelSerializer[Choice]):
    class Meta:
        model = Choice
        fields = ("code", "label", "active")
        read_only_fields = fields


class ClassificationSerializer(serializers.ModelSerializer[Classification]):
    choices = ChoiceSerializer(many=True, read_only=True)

    class Meta:
        model = Classification
        fields = ("code", "name", "kind", "help_text", "choices")
        read_only_fields = fields


class PrioritySerializer(serializers.ModelSerializer[Priority]):
    class Meta:
        model = Priority
        fields = ("code", "name", "response_minutes", "resolution_minutes")
        read_only_fields = fields


class PermissionSerializer(serializers.ModelSerializer[Permission]):
    capabilities = serializers.SerializerMethodField()

    class Meta:
        model = Permission
        fields = ("code", "name", "description", "capabilities")
        read_only_fields = fields

    def get_capabilities(self, permission: Permission) -> list[str]:
        return sorted(permission.capabilities)
