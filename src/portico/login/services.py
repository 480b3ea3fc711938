from django.contrib.auth.base_user import AbstractBaseUser

from portico.login.models import LoginSession


def end_sessions(*, user: AbstractBaseUser) -> int:
    """End every session of a log-in on the server; their next request is anonymous."""
    deleted, _ = LoginSession.objects.filter(user_id=user.pk).delete()
    return deleted
