"""The API's entry check: a logged-in person who may still log in. Everything finer
(which transaction, which action) is asked of `portico.access` by the services and by
the access helpers the views call."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions
from rest_framework.request import Request

from portico import access
from portico.api.models import ApiToken


class IsActivePerson(permissions.BasePermission):
    message = "Log in, or send a personal access token."

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated) and access.may_log_in(
            request.user
        )


class NotWithToken(permissions.BasePermission):
    """For making tokens: a token cannot mint another token, so a leaked one cannot
    outlive its own expiry or revocation."""

    message = "Make new tokens while logged in (session), not with a token."

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS or request.method == "DELETE":
            return True
        return not isinstance(request.auth, ApiToken)
