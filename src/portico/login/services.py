from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser

from portico import access
from portico.login.models import LoginSession


def end_sessions(*, user: AbstractBaseUser) -> int:
    """End every session of a log-in on the server; their next request is anonymous."""
    deleted, _ = LoginSession.objects.filter(user_id=user.pk).delete()
    return deleted


def mfa_required(user: Any) -> bool:
    """Must this person log in with a second factor? Yes when their user group says so,
    and, with PORTICO_MFA_REQUIRED_FOR_STAFF (on in production), for all staff and the
    rescue superuser, whose log-ins open every customer's data."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    individual = access.individual_of(user)
    if individual is not None and individual.user_group.mfa_required:
        return True
    if not settings.PORTICO_MFA_REQUIRED_FOR_STAFF:
        return False
    return access.is_staff(user) or (individual is None and bool(user.is_superuser))


def has_mfa(user: Any) -> bool:
    """Has this person an authenticator app set up (recovery codes alone do not count)?"""
    from allauth.mfa.models import Authenticator

    found = Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP)
    return bool(found.exists())


def must_set_up_mfa(user: Any) -> bool:
    return mfa_required(user) and not has_mfa(user)
