"""Pages that belong to no section: the front door, the no-zones page, health checks."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portico import access


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
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any failure means "do not send traffic here"
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})
