"""A person's own API tokens on their profile page, the same for the three portals and
the console: the form, the table's rows and the two POSTs. The rules (name, lifetime,
whose token) are `api.services`'s; this only turns HTTP into service calls and back.

The secret of a new token is handed back to the page that renders it, once: it is never
put in a flash message, the session or the database (which keeps only its hash)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from portico import pages
from portico.api import services
from portico.api.models import ApiToken
from portico.parties.models import User

DEFAULT_LIFETIME = datetime.timedelta(days=90)


def default_expiry() -> datetime.date:
    return timezone.localdate() + DEFAULT_LIFETIME


def expiry_moment(day: datetime.date) -> datetime.datetime:
    """A token chosen to expire on a day stops working as that day begins (local time)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class TokenForm(forms.Form):
    """What a person chooses for a new token. Only the browser hints live here; what is
    allowed (a name, an expiry within a year) is `services.create_token`'s to say."""

    name = forms.CharField(
        label="Token name",
        required=False,
        strip=False,
        help_text="Say what uses it, e.g. “nightly export script”.",
        widget=forms.TextInput(
            attrs={"maxlength": services.NAME_MAX, "autocomplete": "off", "required": True}
        ),
    )
    expires_at = forms.DateField(
        label="Expires on",
        help_text="At most a year ahead. The token stops working as this day begins.",
        error_messages={"required": "Choose the day the token expires."},
        widget=forms.DateInput(attrs={"type": "date", "required": True}, format="%Y-%m-%d"),
    )

    mandatory = frozenset({"name", "expires_at"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"expires_at": default_expiry()})
        kwargs.setdefault("prefix", "token")
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["expires_at"].widget.attrs.update(
            min=(today + datetime.timedelta(days=1)).isoformat(),
            max=(today + services.MAX_LIFETIME).isoformat(),
        )


@dataclass(frozen=True)
class TokenRow:
    token: ApiToken
    revoke_url: str  # empty once the token no longer works

    @property
    def expired(self) -> bool:
        return self.token.revoked_at is None and not self.token.is_usable


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # behind a zone, so logged in
    return user


def tokens_context(
    request: HttpRequest,
    *,
    create_url: str,
    revoke_url: Callable[[int], str],
    form: TokenForm | None = None,
    new_token: services.NewToken | None = None,
) -> dict[str, Any]:
    """What `api/_tokens.html` needs, under the one name `tokens`."""
    rows = [
        TokenRow(token=token, revoke_url=revoke_url(token.pk) if token.is_usable else "")
        for token in ApiToken.objects.filter(owner=_actor(request)).order_by("-created_at", "-id")
    ]
    return {
        "tokens": {
            "rows": rows,
            "form": form or TokenForm(),
            "create_url": create_url,
            "new": new_token,
        }
    }


def create_from_post(request: HttpRequest) -> tuple[TokenForm, services.NewToken | None]:
    """The form as posted and, when the service made the token, the token with its
    secret (to be shown in this response only)."""
    form = TokenForm(request.POST)
    if not form.is_valid():
        return form, None
    try:
        made = services.create_token(
            actor=_actor(request),
            name=form.cleaned_data["name"] or "",
            expires_at=expiry_moment(form.cleaned_data["expires_at"]),
        )
    except ValidationError as error:
        pages.add_service_errors(form, error)
    except PermissionDenied as error:
        form.add_error(None, str(error))
    else:
        return TokenForm(), made
    return form, None


def revoke_from_post(request: HttpRequest, token_id: int) -> ApiToken:
    """Revoke one of the person's own tokens; anyone else's is not found (404)."""
    token = get_object_or_404(ApiToken, pk=token_id, owner=_actor(request))
    return services.revoke_token(actor=_actor(request), token=token)


def never_cached(response: HttpResponse) -> HttpResponse:
    """The page that shows a new secret must not be kept by the browser or a proxy."""
    add_never_cache_headers(response)
    return response
