"""Django's log-in signals are the one place every log-in passes, whatever the form or
channel, so the audit trail of log-ins is written from here."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from portico.audit import services as audit


@receiver(user_logged_in, dispatch_uid="portico.audit.logged_in")
def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit.record_login_attempt(request=request, action=audit.Action.LOGIN, user=user)


@receiver(user_login_failed, dispatch_uid="portico.audit.login_failed")
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    tried = credentials.get("email") or credentials.get("username") or ""
    audit.record_login_attempt(request=request, action=audit.Action.LOGIN_FAILED, tried=tried)


@receiver(user_logged_out, dispatch_uid="portico.audit.logged_out")
def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record_login_attempt(request=request, action=audit.Action.LOGOUT, user=user)
