from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

from portico import access
from portico.login import limits, services


class PorticoAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # People get their log-in from the service team, tied to their organisation and
        # user group; a stranger must not be able to make one (seed 004: access is based
        # on who the user is).
        return False

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return access.home_url(request.user)

    def authenticate(self, request: HttpRequest, **credentials: Any) -> AbstractBaseUser | None:
        # allauth's own "login_failed" limit is off (settings.ACCOUNT_RATE_LIMITS): it
        # reads and writes the cache in two steps, so concurrent workers overrun it. The
        # backend counts in the database instead (portico.login.limits); a refusal there
        # gets allauth's own words.
        user: AbstractBaseUser | None = super().authenticate(request, **credentials)
        if user is None and limits.was_refused(request):
            raise self.validation_error("too_many_login_attempts")
        return user


class PorticoMFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Any) -> bool:
        # Someone whose group (or staff role in production) requires a second factor may
        # replace their authenticator app but not switch two-factor off.
        if services.mfa_required(authenticator.user):
            return False
        return bool(super().can_delete_authenticator(authenticator))
