"""API tokens over the wire."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from portico.api.models import ApiToken


class TokenSerializer(serializers.ModelSerializer[ApiToken]):
    class Meta:
        model = ApiToken
        fields: tuple[str, ...] = (
            "id",
            "name",
            "prefix",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
        )
        read_only_fields: tuple[str, ...] = fields


class NewTokenSerializer(TokenSerializer):
    token = serializers.SerializerMethodField(
        help_text="The secret: shown this once, never again. Send it as "
        "“Authorization: Bearer <token>”."
    )

    class Meta(TokenSerializer.Meta):
        fields = (*TokenSerializer.Meta.fields, "token")
        read_only_fields = fields

    def get_token(self, token: ApiToken) -> str:
        return str(self.context["secret"])


class TokenCreateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=80)
    expires_at = serializers.DateTimeField(help_text="At most a year from now.")
