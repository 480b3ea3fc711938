"""Pages that belong to no section: the front door, the no-zones page, health checks."""

from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portico import access
from portico.operations.cache import SharedRedisCache


@never_cache
def home(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(access.home_url(request.user))


def no_zones(request: HttpRequest) -> HttpResponse:
    return render(request, "no_zones.html")


@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """The process is up; says nothing of the database (that is /readyz)."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    """Ready while the database answers. Redis, when there is one, is reported but not
    required: without it pages are served and rate limits fail open, so taking every
    server out of the load balancer for it would turn a degraded service into none."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any failure means "do not send traffic here"
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    state = {"status": "ok", "database": "up"}
    backend = caches["default"]
    if isinstance(backend, SharedRedisCache):
        state["cache"] = "up" if backend.ping() else "down"
    return JsonResponse(state)
