"""Log-in attempts for the audit trail. Every other event is recorded by its action
through `portico.events.services.record`."""

from typing import Any

from django.http import HttpRequest

from portico import access
from portico.audit.models import Action, Channel, Event
from portico.events import services as events

__all__ = ["Action", "Channel", "record_login_attempt"]


def client_address(request: HttpRequest | None) -> str | None:
    # REMOTE_ADDR is the peer; behind a proxy the proxy sets it right (uvicorn's
    # --proxy-headers with --forwarded-allow-ips), so a client cannot forge it here.
    return request.META.get("REMOTE_ADDR") if request is not None else None


def record_login_attempt(
    *, request: HttpRequest | None, action: str, user: Any = None, tried: str = ""
) -> Event:
    return events.record(
        action,
        actor=user,
        actor_label=(user.email if user is not None else tried)[:254],
        channel=Channel.ADMIN if _path(request).startswith("/admin/") else Channel.WEB,
        portal=access.portal_of(user, next_url=_next(request)),
        ip_address=client_address(request),
    )


def _path(request: HttpRequest | None) -> str:
    return request.path if request is not None else ""


def _next(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return str(request.POST.get("next") or request.GET.get("next") or "")
