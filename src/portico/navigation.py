"""The navigation: the sections a person's zones open, and nothing else (a zone the
group lacks is missing from the menu as well as closed)."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from portico import access

# (zone, label, url name) for each zone that has pages, in menu order.
SECTIONS: list[tuple[str, str, str]] = [
    (access.CONSOLE, "Console", "console:home"),
    (access.CONSOLE, "Transactions", "console:transactions"),
    (access.CONSOLE, "Find a caller", "console:find"),
    (access.CUSTOMER_PORTAL, "Customer portal", "portal:customer-home"),
    (access.PARTNER_PORTAL, "Partner portal", "portal:partner-home"),
    (access.EMPLOYEE_PORTAL, "Employee portal", "portal:employee-home"),
    (access.SYSTEMS_ADMIN, "Systems Admin", "admin:index"),
]


def sections_for(request: HttpRequest) -> list[dict[str, Any]]:
    zones = access.zones_of(request.user)
    items = []
    for zone, label, url_name in SECTIONS:
        if zone in zones:
            url = reverse(url_name)
            items.append({"label": label, "url": url, "current": request.path.startswith(url)})
    return items


def navigation(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {"navigation": sections_for(request), "unread_notifications": None}
    individual = access.individual_of(request.user)
    if individual is not None and access.may_enter(request.user, access.CONSOLE):
        from portico.notify.services import unread_for

        context["unread_notifications"] = unread_for(individual).count()
    return context
