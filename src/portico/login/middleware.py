"""Two rules every request passes after the log-in is known: staff sessions end after
PORTICO_STAFF_IDLE_MINUTES without a request, and people who must use two-factor
authentication but have not set it up are sent to set it up before anything else."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from portico import access
from portico.login import services

LAST_SEEN = "portico.last_seen"
# The time of the last request is written at most this often: each write is a write to
# the session row, and a minute is fine enough for a timeout counted in minutes.
SEEN_RESOLUTION = 60
# Where someone who must set up two-factor authentication may still go: log-in, log-out,
# the set-up pages themselves, and what pages need to render.
MFA_SETUP_PATHS = ("/accounts/", "/static/", "/healthz", "/readyz")


class StaffIdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = request.user
        if user.is_authenticated and (access.is_staff(user) or user.is_superuser):
            now = int(time.time())
            seen = request.session.get(LAST_SEEN)
            idle = int(settings.PORTICO_STAFF_IDLE_MINUTES) * 60
            if isinstance(seen, int) and now - seen > idle:
                # logout() deletes the session row: the session is over on the server,
                # not just forgotten by this browser.
                logout(request)
                messages.info(
                    request,
                    f"You were logged out after {settings.PORTICO_STAFF_IDLE_MINUTES} "
                    "minutes without activity.",
                )
            elif not isinstance(seen, int) or now - seen >= SEEN_RESOLUTION:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


class MfaRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(MFA_SETUP_PATHS)
            and services.must_set_up_mfa(user)
        ):
            return self._set_up_first(request)
        return self.get_response(request)

    def _set_up_first(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "type": "mfa_required",
                    "detail": "Set up two-factor authentication in the browser first.",
                    "errors": {},
                },
                status=403,
            )
        return redirect(reverse("mfa_activate_totp"))
