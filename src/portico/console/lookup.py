"""Choosing an organisation by typing, not from a list: a company keeps thousands of
customers, and a select of every one of them is megabytes of HTML on every page that
offers it. One text box takes the organisation's name, its account number, or
"Name (account)" as the suggestions write it; htmx fills a datalist with the first
matches while the person types. The parameter stays the organisation, so an id from an
older link or saved view still works."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from portico import access
from portico.parties.models import Organization
from portico.parties.selectors import organization_typed

SUGGESTIONS = 15


def label(organization: Organization) -> str:
    if organization.account_number:
        return f"{organization.name} ({organization.account_number})"
    return organization.name


class OrganizationInput(forms.TextInput):
    """A text box whose suggestions come from the lookup endpoint as it is typed."""

    def __init__(self, list_id: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.list_id = list_id

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        attrs = {
            **(attrs or {}),
            "list": self.list_id,
            "autocomplete": "off",
            "hx-get": reverse("console:organization-lookup"),
            "hx-trigger": "input changed delay:250ms",
            "hx-target": f"#{self.list_id}",
            "hx-swap": "innerHTML",
        }
        return super().get_context(name, value, attrs)

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> Any:
        from django.utils.html import format_html

        return format_html(
            '{}<datalist id="{}"></datalist>',
            super().render(name, value, attrs, renderer),
            self.list_id,
        )


class OrganizationField(forms.Field):
    """An organisation from what was typed: its id, its account number, its exact name,
    or the "Name (account)" of a suggestion. Ambiguous or unknown text is an error."""

    def __init__(self, queryset: QuerySet[Organization], *, list_id: str, **kwargs: Any) -> None:
        kwargs.setdefault("widget", OrganizationInput(list_id))
        super().__init__(**kwargs)
        self.queryset = queryset
        # What the form found already for the text typed (`known`), not read again.
        self.known: tuple[str, Organization] | None = None

    def prepare_value(self, value: Any) -> Any:
        # Whatever identified it (an id, a name, an account number), the box shows the
        # organisation as the suggestions write it; what identifies nothing stays as typed.
        if self.known is not None and self.known[0] == str(value or ""):
            return label(self.known[1])
        try:
            found = self.to_python(value)
        except forms.ValidationError:
            return value
        return label(found) if found is not None else value

    def to_python(self, value: Any) -> Organization | None:
        if isinstance(value, Organization):
            return value
        return organization_typed(self.queryset, str(value or ""))


@access.zone_required(access.CONSOLE)
def organization_lookup(request: HttpRequest) -> HttpResponse:
    """The first matches for what has been typed, as <option>s for the datalist; only
    organisations the person may see."""
    text = " ".join(request.GET.get("q", request.GET.get("organization", "")).split())[:100]
    matches: list[Organization] = []
    if len(text) >= 2:
        matches = list(
            access.visible_organizations(request.user)
            .exclude(kind__in=[Organization.Kind.TEAM, Organization.Kind.OWN])
            .filter(Q(name__icontains=text) | Q(account_number__istartswith=text))
            .only("name", "account_number")
            .order_by("name")[:SUGGESTIONS]
        )
    return render(
        request, "console/partials/organization_options.html", {"options": map(label, matches)}
    )
