from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from portico import access
from portico.audit import services as audit


class PorticoAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # People get their log-in from the service team, tied to their organisation and
        # user group; a stranger must not be able to make one (seed 004: access is based
        # on who the user is).
        return False

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return access.home_url(request.user)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            audit.record_login_attempt(
                request=request,
                action=audit.Action.LOGIN_THROTTLED,
                tried=str(credentials.get("email") or credentials.get("username") or ""),
            )
            raise
