"""The three portals' URLs, one family of pages each, bound to its portal's zone.

URL names are "<portal>-<page>": customer-home, partner-transaction, employee-profile…
"""

from collections.abc import Callable
from functools import wraps
from typing import Concatenate

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path

from portico import access
from portico.portal import form_views, profile_views, views
from portico.portal.sites import CUSTOMER, EMPLOYEE, PARTNER, Site


def _bind[**P](
    site: Site, view: Callable[Concatenate[HttpRequest, Site, P], HttpResponse]
) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """The page for one portal, behind that portal's zone (403 for other groups)."""

    @wraps(view)
    def page(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        return view(request, site, *args, **kwargs)

    return access.zone_required(site.zone)(page)


def _site_patterns(site: Site, prefix: str) -> list[URLPattern]:
    pages: list[tuple[str, Callable[..., HttpResponse], str]] = [
        ("", views.home, "home"),
        ("transactions/", views.transaction_list, "transactions"),
        ("new/", views.create, "create"),
        ("t/<str:number>/", views.transaction_page, "transaction"),
        ("t/<str:number>/notes/", views.add_note, "add-note"),
        ("t/<str:number>/files/", views.upload, "upload"),
        ("t/<str:number>/withdraw/", views.withdraw, "withdraw"),
        ("t/<str:number>/reopen/", views.reopen, "reopen"),
        ("t/<str:number>/satisfaction/", views.satisfaction, "satisfaction"),
        ("profile/", profile_views.profile, "profile"),
        ("profile/mail/", profile_views.mail_settings, "mail-settings"),
        ("profile/tokens/", profile_views.create_token, "create-token"),
        ("profile/tokens/<int:token_id>/revoke/", profile_views.revoke_token, "revoke-token"),
        ("forms/", form_views.form_list, "forms"),
        ("forms/<int:pk>/", form_views.form_page, "form"),
    ]
    return [
        path(f"{prefix}{route}", _bind(site, view), name=f"{site.key}-{name}")
        for route, view, name in pages
    ]


app_name = "portal"
urlpatterns = [
    *_site_patterns(CUSTOMER, "portal/"),
    *_site_patterns(PARTNER, "partners/"),
    *_site_patterns(EMPLOYEE, "employees/"),
]
