"""Forms for parties, shared by every page that changes them (the portals' profile page,
the console's person page). A form carries what was typed and the browser hints; the
rules are `parties.services.update_contact_details`'s, so the portal and the console
cannot drift apart (seed 003: the same mandatory fields and formatting rules)."""

from __future__ import annotations

from typing import Any

from django import forms

from portico.parties.models import Individual
from portico.parties.services import CONTACT_FIELDS, JOB_TITLE_MAX, NAME_MAX, PHONE_MAX
from portico.widgets import TypedText


def _text(autocomplete: str, maxlength: int, **attrs: Any) -> forms.TextInput:
    return forms.TextInput(attrs={"autocomplete": autocomplete, "maxlength": maxlength, **attrs})


def _phone(autocomplete: str) -> forms.TextInput:
    return forms.TextInput(
        attrs={
            "type": "tel",
            "autocomplete": autocomplete,
            "inputmode": "tel",
            "maxlength": PHONE_MAX,
        }
    )


class ContactDetailsForm(forms.Form):
    """A person's name, job title and phone numbers. Fields are not required here: the
    service reports every mistake at once, in the words it uses everywhere."""

    first_name = TypedText(
        label="First name",
        widget=_text("given-name", NAME_MAX, required=True),
    )
    last_name = TypedText(
        label="Last name",
        widget=_text("family-name", NAME_MAX, required=True),
    )
    job_title = TypedText(
        label="Job title",
        widget=_text("organization-title", JOB_TITLE_MAX),
    )
    phone = TypedText(
        label="Phone",
        help_text="With the area code, e.g. +44 141 496 0100.",
        widget=_phone("work tel"),
    )
    mobile = TypedText(
        label="Mobile",
        widget=_phone("mobile tel"),
    )

    mandatory = frozenset({"first_name", "last_name"})

    @classmethod
    def for_individual(
        cls, individual: Individual, data: Any = None, **kwargs: Any
    ) -> ContactDetailsForm:
        initial = {field: getattr(individual, field) for field in CONTACT_FIELDS}
        return cls(data, initial=initial, **kwargs)

    def service_arguments(self) -> dict[str, str]:
        """The keyword arguments for `update_contact_details`."""
        return {field: self.cleaned_data.get(field) or "" for field in CONTACT_FIELDS}
