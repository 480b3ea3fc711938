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
    (access.KNOWLEDGE, "Knowledge base", "knowledge:home"),
    (access.REPORTS, "Reports", "reports:service"),
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


def profile_url_for(request: HttpRequest) -> str:
    """Where "My profile" leads: the console's page for the staff, else the profile page
    of the person's own portal (or of the first portal they may enter); "" for a log-in
    that is no person, or a person with no such page."""
    user = request.user
    if access.individual_of(user) is None:
        return ""
    if access.may_enter(user, access.CONSOLE):
        return reverse("console:me")
    own = access.portal_of(user)
    portals = sorted(access.PORTAL_HOMES.items(), key=lambda item: item[0] != own)
    for portal, (_url_name, _prefix, zone) in portals:
        if zone != access.CONSOLE and access.may_enter(user, zone):
            return reverse(f"portal:{portal}-profile")
    return ""


def navigation(request: HttpRequest) -> dict[str, Any]:
    profile_url = profile_url_for(request)
    context: dict[str, Any] = {
        "navigation": sections_for(request),
        "unread_notifications": None,
        "profile_url": profile_url,
        "profile_current": bool(profile_url) and request.path == profile_url,
        # The console home links the feedback forms' results for those who read them
        # (zones are read once a request: no query).
        "may_read_form_results": access.may_read_form_results(request.user),
    }
    if access.individual_of(request.user) is not None and access.may_enter(
        request.user, access.CONSOLE
    ):
        unread = access.readable_notifications(request.user).filter(read_at__isnull=True)
        context["unread_notifications"] = unread.count()
    return context
