"""The authentication backend: Portico's own (e-mail and password, people who have left
refused), with every password check counted against the log-in limits first."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from portico.access import PorticoBackend
from portico.login import limits


class LimitedBackend(PorticoBackend):
    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        email: str | None = None,
        **kwargs: Any,
    ) -> AbstractBaseUser | None:
        account = (email or username or "").strip().lower()
        if password is None or not account:
            return None
        if not limits.begin(request=request, account=account):
            # PermissionDenied stops Django's authenticate() at once (no other backend
            # is asked) and it still sends user_login_failed for the audit trail.
            raise PermissionDenied("Too many failed log-in attempts.")
        # The parent hashes the password even for an unknown address, so a known and an
        # unknown address take the same time to refuse.
        user = super().authenticate(request, email=account, password=password, **kwargs)
        if user is not None:
            limits.succeeded(request=request, account=account)
        return user
