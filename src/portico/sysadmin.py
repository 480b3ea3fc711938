"""The Systems Admin zone is Django's admin, entered only by groups that open the zone."""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib.admin import AdminSite
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase

from portico import access


class SystemsAdminSite(AdminSite):
    site_header = "Portico · Systems Admin"
    site_title = "Portico Systems Admin"
    index_title = "Systems Admin"

    def has_permission(self, request: HttpRequest) -> bool:
        return access.may_administer(request.user)

    def admin_view[V: Callable[..., HttpResponseBase]](self, view: V, cacheable: bool = False) -> V:
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            # Django's admin sends anyone without permission to its own log-in form. Here
            # there is one log-in page for everyone, and a person already logged in gets a
            # plain 403 instead (never a redirect, never a loop).
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not self.has_permission(request):
                raise PermissionDenied("Your user group does not open the Systems Admin zone.")
            return inner(request, *args, **kwargs)

        return cast("V", guarded)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        # One log-in page for everyone; someone logged in without the zone gets a plain
        # 403 instead of the admin's own log-in form (which would invite a loop).
        if request.user.is_authenticated:
            raise PermissionDenied("Your user group does not open the Systems Admin zone.")
        return redirect_to_login(request.GET.get("next", "/admin/"))
