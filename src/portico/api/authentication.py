"""Who is calling: a personal access token (`Authorization: Bearer …`) or, for the
browser, the log-in session with its CSRF check. Either way the person must still be
allowed to log in, on every request: leaving ends API access at once."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from portico import access
from portico.api import services
from portico.api.models import ApiToken
from portico.login import limits
from portico.parties.models import User

REALM = "portico"


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.encode():
            return None  # not ours: the session may still authenticate
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the token as “Authorization: Bearer <token>”.")
            )
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("That token is not valid.")) from None
        token = services.token_for_secret(secret)
        if token is None:
            # Wrong tokens count against the same log-in limits as wrong passwords, per
            # address and per token prefix (the token's "account"); past them, 429.
            prefix = secret[len(services.TOKEN_MARKER) :][: services.PREFIX_LENGTH]
            if not limits.failed(request=request._request, account=f"token:{prefix}"):
                raise exceptions.Throttled(detail=_("Too many failed attempts; try later."))
            # One answer for unknown, revoked, expired and left: nothing to probe.
            raise exceptions.AuthenticationFailed(
                _("That token is not valid: it is unknown, revoked or expired.")
            )
        return token.owner, token

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (not 403) to a request without credentials.
        return f'Bearer realm="{REALM}"'


class PersonSessionAuthentication(authentication.SessionAuthentication):
    """Django's session, with CSRF enforced for unsafe methods, for people who may
    still log in (the session backend checks that too; this keeps the rule here)."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        found = super().authenticate(request)
        if found is None or not access.may_log_in(found[0]):
            return None
        return found


class BearerTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "portico.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        scheme: dict[str, Any] = build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix="Bearer",  # noqa: S106 - a scheme name
        )
        scheme["description"] = (
            "A personal access token, made with POST /api/v1/tokens/ while logged in."
        )
        return scheme


class PersonSessionScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "portico.api.authentication.PersonSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        from django.conf import settings

        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": "The browser's log-in session; unsafe methods also need the "
            "X-CSRFToken header.",
        }
