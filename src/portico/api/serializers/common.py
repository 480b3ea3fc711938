"""Shared fields and small references of the API's serializers."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portico.service import rules
from portico.service.models import (
    Status,
)


class TypedText(serializers.CharField):
    """Text handed to the service as it was sent: not trimmed, and none of DRF's own
    checks (length, NUL characters). The service's rules (`portico.service.rules`)
    judge it, in the words the portal and the console use too; an empty value that
    the rule requires is refused here already, in the rule's words. The rule's limits
    still show in the schema (maxLength, and minLength where it needs a value)."""

    def __init__(self, *, rule: rules.TextRule, **kwargs: Any) -> None:
        if rule.required:
            # Missing, null or empty is one mistake, said as the rule says it.
            kwargs["error_messages"] = dict.fromkeys(("required", "null", "blank"), rule.required)
        super().__init__(
            allow_blank=not rule.required,
            trim_whitespace=False,
            max_length=rule.max_length,
            **kwargs,
        )

    def run_validators(self, value: Any) -> None:
        """None: the validators are there for the schema only (see the class)."""


@extend_schema_field({"type": "string", "format": "decimal", "example": "1250.50"})
class MoneyAmount(serializers.Field):  # type: ignore[type-arg]
    """An amount as sent (a string such as "1250.50", or a JSON number), handed to the
    service untouched: `rules.clean_money` judges it, in the console's words."""

    def to_internal_value(self, data: Any) -> Any:
        return data

    def to_representation(self, value: Any) -> Any:
        return value


class SlugLookup(serializers.SlugRelatedField):  # type: ignore[type-arg]
    """A reference by code, slug or name. A value holding a NUL character is no such row,
    said as any other unknown value: PostgreSQL refuses to compare text holding one, and
    the lookup was a 500 (found by the API's schema fuzz)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return super().to_internal_value(data)


class PartyRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CodeNameSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


class StatusRefSerializer(serializers.Serializer[Status]):
    code = serializers.CharField()
    name = serializers.CharField()
    category = serializers.ChoiceField(choices=Status.Category.choices)


def _user(serializer: serializers.BaseSerializer[Any]) -> Any:
    """The person asking; None where there is no request (the schema generator)."""
    request = serializer.context.get("request")
    return request.user if request is not None else None
