"""Django's log-in signals are the one place every log-in passes, whatever the form or
channel, so the audit trail of log-ins is written from here."""

import time
from typing import Any

from allauth.account.signals import password_reset
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from portico.audit import services as audit
from portico.login import limits
from portico.login.middleware import LAST_SEEN


@receiver(user_logged_in, dispatch_uid="portico.audit.logged_in")
def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit.record_login_attempt(request=request, action=audit.Action.LOGIN, user=user)
    if request is not None and hasattr(request, "session"):
        # The idle clock starts now, written with the log-in's own session save rather
        # than by the first page after it.
        request.session[LAST_SEEN] = int(time.time())


@receiver(user_login_failed, dispatch_uid="portico.audit.login_failed")
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    tried = credentials.get("email") or credentials.get("username") or ""
    # A refusal by the limits never checked the password: it is told apart in the trail.
    action = audit.Action.LOGIN_THROTTLED if limits.was_refused(request) else None
    audit.record_login_attempt(
        request=request, action=action or audit.Action.LOGIN_FAILED, tried=tried
    )


@receiver(user_logged_out, dispatch_uid="portico.audit.logged_out")
def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit.record_login_attempt(request=request, action=audit.Action.LOGOUT, user=user)


@receiver(password_reset, dispatch_uid="portico.login.password_reset")
def _password_reset(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    # Whoever could read the account's e-mail has proved it is theirs: earlier wrong
    # passwords no longer count against them (as allauth's own limiter does).
    limits.clear(account=str(user.email).strip().lower())
