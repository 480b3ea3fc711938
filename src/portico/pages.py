"""What the interface apps (console, portal) share about pages: turning a service's
ValidationError into form errors, and where to go after a successful POST."""

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's errors on the form: on the field they name where the form has
    one, else at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def done(request: HttpRequest, to: str) -> HttpResponse:
    """After a successful POST, a redirect: a reload never posts twice. An htmx request
    follows it too and swaps in the part of the page it asked for (hx-select)."""
    return redirect(to)
