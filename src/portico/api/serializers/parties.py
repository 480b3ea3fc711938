"""Organisations and individuals over the wire."""

from __future__ import annotations

from rest_framework import serializers

from portico.parties.models import Individual, Organization

# E-mail and web addresses are optional: "" where none is known, so not "format: email".
_OPTIONAL_ADDRESS = "An address, or empty when none is known."


class OrganizationSerializer(serializers.ModelSerializer[Organization]):
    email = serializers.CharField(read_only=True, help_text=_OPTIONAL_ADDRESS)
    website = serializers.CharField(read_only=True, help_text=_OPTIONAL_ADDRESS)

    class Meta:
        model = Organization
        fields = (
            "id",
            "name",
            "kind",
            "account_number",
            "territory",
            "area",
            "address",
            "city",
            "postcode",
            "country",
            "phone",
            "email",
            "website",
            "active",
        )
        read_only_fields = fields


class IndividualSerializer(serializers.ModelSerializer[Individual]):
    name = serializers.CharField(read_only=True)
    email = serializers.CharField(read_only=True, help_text=_OPTIONAL_ADDRESS)

    class Meta:
        model = Individual
        fields = (
            "id",
            "name",
            "first_name",
            "last_name",
            "job_title",
            "email",
            "phone",
            "mobile",
            "organization",
            "active",
        )
        read_only_fields = fields
