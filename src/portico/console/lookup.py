"""Choosing an organisation or a person by typing, not from a list: a company keeps
thousands of customers, and a select of every one of them is megabytes of HTML on every
page that offers it. One text box takes the organisation's name, its account number, or
"Name (account)" as the suggestions write it; htmx fills a datalist with the first
matches while the person types. The parameter stays the organisation, so an id from an
older link or saved view still works. A note's contact is chosen the same way from the
transaction's organisation's people (hundreds at scale L), written "Name <address>"."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET

from portico import access
from portico.parties.models import Individual, Organization
from portico.parties.selectors import organization_typed

SUGGESTIONS = 15


def label(organization: Organization) -> str:
    if organization.account_number:
        return f"{organization.name} ({organization.account_number})"
    return organization.name


class SuggestInput(forms.TextInput):
    """A text box whose suggestions htmx fetches from `lookup` (a URL; a form may set it
    once it knows its object) into a datalist of its own, when `trigger` says."""

    def __init__(
        self,
        list_id: str,
        lookup: str = "",
        trigger: str = "input changed delay:250ms",
        attrs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(attrs)
        self.list_id = list_id
        self.lookup = lookup
        self.trigger = trigger

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        attrs = {
            **(attrs or {}),
            "list": self.list_id,
            "autocomplete": "off",
            "hx-get": self.lookup or reverse("console:organization-lookup"),
            "hx-trigger": self.trigger,
            "hx-target": f"#{self.list_id}",
            "hx-swap": "innerHTML",
        }
        return super().get_context(name, value, attrs)

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> Any:
        return format_html(
            '{}<datalist id="{}"></datalist>',
            super().render(name, value, attrs, renderer),
            self.list_id,
        )


class OrganizationField(forms.Field):
    """An organisation from what was typed: its id, its account number, its exact name,
    or the "Name (account)" of a suggestion. Ambiguous or unknown text is an error."""

    def __init__(self, queryset: QuerySet[Organization], *, list_id: str, **kwargs: Any) -> None:
        kwargs.setdefault("widget", SuggestInput(list_id))
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
    return render(request, "console/partials/suggestions.html", {"options": map(label, matches)})


# --- a note's contact --------------------------------------------------------------------

CONTACTS = 20
_ADDRESS = re.compile(r"<([^<>\s]+@[^<>\s]+)>$")
_ID = re.compile(r"\(#(\d{1,18})\)$")


def person_label(person: Individual) -> str:
    """A person as the suggestions write them, and as the box shows the one chosen."""
    if person.email:
        return f"{person.name} <{person.email}>"
    return f"{person.name} (#{person.pk})"


class ContactField(forms.Field):
    """A person of `queryset` from what was typed: their id (as the select sent it),
    or "Name <address>" / "Name (#id)" as a suggestion writes them. Anything else is an
    error that says to choose from the suggestions."""

    def __init__(self, *, list_id: str, **kwargs: Any) -> None:
        # Suggestions as soon as the box is entered (the first people, by name), then
        # as it is typed.
        widget = SuggestInput(list_id, trigger="focus once, input changed delay:250ms")
        kwargs.setdefault("widget", widget)
        super().__init__(**kwargs)
        self.queryset: QuerySet[Individual] = Individual.objects.none()

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Individual):
            return person_label(value)
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            try:  # an id, from an older client: shown as the suggestions write it
                found = self.to_python(value)
            except forms.ValidationError:
                return value
            return person_label(found) if found is not None else value
        return value

    def to_python(self, value: Any) -> Individual | None:
        if isinstance(value, Individual):
            return value
        text = " ".join(str(value or "").split())
        if not text:
            return None
        address = _ADDRESS.search(text)
        by_id = _ID.search(text)
        if text.isdigit() and len(text) <= 18:  # larger would overflow the column
            found = list(self.queryset.filter(pk=int(text))[:1])
        elif by_id:
            found = list(self.queryset.filter(pk=int(by_id.group(1)))[:1])
        elif address:
            found = list(self.queryset.filter(email__iexact=address.group(1))[:2])
        else:
            found = []
        if len(found) == 1:
            return found[0]
        raise forms.ValidationError(
            f"No contact of this transaction is “{text}”: choose one from the suggestions.",
            code="invalid_choice",
        )


@access.zone_required(access.CONSOLE)
@require_GET
def contact_lookup(request: HttpRequest, number: str) -> HttpResponse:
    """The first people of the transaction's organisation (its requester, without
    one) matching what has been typed, as <option>s for the note form's datalist:
    only for the staff who may add a note to it."""
    with access.deciding_once():  # it only reads, from the fetch on
        transaction = access.transaction_for(request.user, number)
        if not access.may_look_up_contacts(request.user, transaction):
            raise PermissionDenied("You may not add notes to this transaction.")
    text = request.GET.get("q", request.GET.get("contact", ""))
    people = access.possible_contacts(transaction)
    # A chosen suggestion ("Name <address>") is matched by its words, the address too.
    for word in text.replace("<", " ").replace(">", " ").split()[:5]:
        word = word[:100]
        people = people.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        )
    matches = people.only("first_name", "last_name", "email").order_by(
        "last_name", "first_name", "id"
    )[:CONTACTS]
    return render(
        request,
        "console/partials/suggestions.html",
        {"options": map(person_label, matches)},
    )
