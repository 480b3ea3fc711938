"""What the interface apps (console, portal) share about pages: turning a service's
ValidationError into form errors, and answering htmx with a fragment."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's errors on the form: on the field they name where the form has
    one, else at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def done(
    request: HttpRequest,
    to: str,
    fragment: str | None = None,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """After a successful POST: htmx gets the fragment to swap in; a plain form post
    (no JavaScript) gets a redirect, so a reload never posts twice."""
    if fragment and is_htmx(request):
        return render(request, fragment, context or {})
    return redirect(to)
