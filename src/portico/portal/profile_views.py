"""The person's own page in each portal: contact details, e-mail settings and API
tokens. Bound to each portal in `portal.urls`, as the rest of `portal.views`; every
change is a service call, and a refused one comes back as errors on its form."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction as db
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST

from portico import pages
from portico.api import web as api_web
from portico.api.services import NewToken
from portico.audit.models import Channel as AuditChannel
from portico.automations import campaigns
from portico.mail import preferences
from portico.mail.forms import MailSettingsForm
from portico.parties import services as parties
from portico.parties.forms import ContactDetailsForm
from portico.portal.sites import Site
from portico.portal.views import _actor, _individual, _render

# --- contact details ----------------------------------------------------------------------


def profile(request: HttpRequest, site: Site) -> HttpResponse:
    individual = _individual(request)
    status = 200
    if request.method == "POST":
        form = ContactDetailsForm.for_individual(individual, request.POST)
        if form.is_valid():
            try:
                parties.update_contact_details(
                    actor=_actor(request),
                    individual=individual,
                    channel=AuditChannel.WEB,
                    **form.service_arguments(),
                )
            except ValidationError as error:
                pages.add_service_errors(form, error)
            else:
                messages.success(request, "Your contact details are saved.")
                return pages.done(request, site.url("profile"))
        status = 400
    else:
        form = ContactDetailsForm.for_individual(individual)
    return _profile_page(request, site, form=form, status=status)


@require_POST
def mail_settings(request: HttpRequest, site: Site) -> HttpResponse:
    """Which e-mail the person gets and in which language (portico.mail.preferences)."""
    individual = _individual(request)
    form = MailSettingsForm.for_individual(individual, request.POST)
    if form.is_valid():
        try:
            with db.atomic():  # both or neither
                preferences.set_opted_out(
                    person=individual,
                    opted_out=form.cleaned_data["only_own"],
                    via=preferences.PROFILE,
                    actor=_actor(request),
                )
                preferences.set_language(
                    person=individual,
                    language=form.cleaned_data["language"] or "",
                    actor=_actor(request),
                )
                campaigns.set_news(
                    person=individual,
                    opted_in=form.cleaned_data["news"],
                    via=campaigns.PROFILE,
                    actor=_actor(request),
                )
        except ValidationError as error:
            pages.add_service_errors(form, error)
        else:
            messages.success(request, "Your e-mail settings are saved.")
            return pages.done(request, f"{site.url('profile')}#mail-settings")
    return _profile_page(request, site, mail_form=form, status=400)


# --- API tokens (on the profile page) -----------------------------------------------------


@require_POST
def create_token(request: HttpRequest, site: Site) -> HttpResponse:
    """The new token's secret is shown in this response and nowhere else."""
    _individual(request)
    token_form, made = api_web.create_from_post(request)
    if made is None:
        return _profile_page(request, site, token_form=token_form, status=400)
    response = _profile_page(request, site, new_token=made)
    return api_web.never_cached(response)


@require_POST
def revoke_token(request: HttpRequest, site: Site, token_id: int) -> HttpResponse:
    token = api_web.revoke_from_post(request, token_id)
    messages.success(request, f"The token “{token.name}” is revoked.")
    return pages.done(request, f"{site.url('profile')}#api-tokens")


def _profile_page(
    request: HttpRequest,
    site: Site,
    *,
    form: ContactDetailsForm | None = None,
    mail_form: MailSettingsForm | None = None,
    token_form: api_web.TokenForm | None = None,
    new_token: NewToken | None = None,
    status: int = 200,
) -> HttpResponse:
    individual = _individual(request)
    context = {
        "individual": individual,
        "form": form or ContactDetailsForm.for_individual(individual),
        "mail_form": mail_form or MailSettingsForm.for_individual(individual),
        "mail_settings_url": site.url("mail-settings"),
        **api_web.tokens_context(
            request,
            create_url=site.url("create-token"),
            revoke_url=lambda pk: site.url("revoke-token", pk),
            form=token_form,
            new_token=new_token,
        ),
    }
    return _render(request, site, "portal/profile.html", context, status=status)
