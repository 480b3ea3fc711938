"""The staff's own profile ("My profile"): their contact details, judged by the same
form and service as the portals' profile page, and their API tokens (the same section
as the portals', from `api.web`)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from portico import access, pages
from portico.api import web as api_web
from portico.api.services import NewToken
from portico.audit.models import Channel as AuditChannel
from portico.parties import services as parties
from portico.parties.forms import ContactDetailsForm
from portico.parties.models import Individual, User


def _me(request: HttpRequest) -> tuple[User, Individual]:
    user = request.user
    assert isinstance(user, User)  # zone_required has let only a log-in through
    individual = access.individual_of(user)
    if individual is None:  # the rescue account: every zone, no person
        raise PermissionDenied("A profile is for people; this log-in is not one.")
    return user, individual


@access.zone_required(access.CONSOLE)
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user, individual = _me(request)
    if request.method != "POST":
        return _page(request, individual, form=ContactDetailsForm.for_individual(individual))
    form = ContactDetailsForm.for_individual(individual, request.POST)
    if form.is_valid():
        try:
            parties.update_contact_details(
                actor=user,
                individual=individual,
                channel=AuditChannel.WEB,
                **form.service_arguments(),
            )
        except ValidationError as error:
            pages.add_service_errors(form, error)
        else:
            messages.success(request, "Your contact details are saved.")
            return pages.done(request, reverse("console:me"))
    return _page(request, individual, form=form, status=400)


@access.zone_required(access.CONSOLE)
@require_POST
def create_token(request: HttpRequest) -> HttpResponse:
    """The new token's secret is shown in this response and nowhere else."""
    _user, individual = _me(request)
    token_form, made = api_web.create_from_post(request)
    if made is None:
        return _page(request, individual, token_form=token_form, status=400)
    return api_web.never_cached(_page(request, individual, new_token=made))


@access.zone_required(access.CONSOLE)
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    token = api_web.revoke_from_post(request, token_id)
    messages.success(request, f"The token “{token.name}” is revoked.")
    return pages.done(request, f"{reverse('console:me')}#api-tokens")


def _page(
    request: HttpRequest,
    individual: Individual,
    *,
    form: ContactDetailsForm | None = None,
    token_form: api_web.TokenForm | None = None,
    new_token: NewToken | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "individual": individual,
        "form": form or ContactDetailsForm.for_individual(individual),
        **api_web.tokens_context(
            request,
            create_url=reverse("console:me-create-token"),
            revoke_url=lambda pk: reverse("console:me-revoke-token", args=[pk]),
            form=token_form,
            new_token=new_token,
        ),
    }
    return render(request, "console/me.html", context, status=status)
