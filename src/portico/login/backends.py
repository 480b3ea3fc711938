"""The authentication backend: Portico's own (e-mail and password, people who have left
refused), with every password check counted against the log-in limits first.

Who may log in and who may use the admin are `portico.access` questions
(`may_log_in`, `may_administer`); this module only speaks Django's backend protocol."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from portico import access
from portico.login import limits
from portico.statements import Statement

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.db.models import QuerySet
    from django.http import HttpRequest

    from portico.parties.models import User


def _user(pk: int) -> QuerySet[User]:
    from portico.parties.models import User

    # The organisation too: the portals greet the person by it, and a transaction they
    # log is their organisation's (a query of its own on each such page).
    return User.objects.select_related("individual__user_group", "individual__organization").filter(
        pk=pk
    )


# Read on every request, so its SQL is written once per process.
_USER = Statement(_user, pk=int)


class PorticoBackend(ModelBackend):
    """Authenticates by e-mail and password, refuses anyone who has left, and gives the
    Django admin's model permissions to those whose group opens Systems Admin."""

    def authenticate(  # type: ignore[override]
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        email: str | None = None,
        **kwargs: Any,
    ) -> AbstractBaseUser | None:
        return super().authenticate(
            request, username=(email or username or "").strip().lower(), password=password
        )

    def user_can_authenticate(self, user: Any) -> bool:
        return access.may_log_in(user)

    def get_user(self, user_id: Any) -> User | None:
        user = _USER.one(pk=int(user_id))
        return user if user is not None and access.may_log_in(user) else None

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return access.may_administer(user_obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return self.has_perm(user_obj, app_label)


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
