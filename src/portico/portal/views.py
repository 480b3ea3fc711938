from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portico import access


def _home(request: HttpRequest, title: str, intro: str) -> HttpResponse:
    return render(
        request,
        "home_section.html",
        {"title": title, "intro": intro, "individual": access.individual_of(request.user)},
    )


@access.zone_required(access.CUSTOMER_PORTAL)
def customer_home(request: HttpRequest) -> HttpResponse:
    return _home(
        request,
        "Customer portal",
        "Search the knowledge base, log a new issue and follow your open ones here.",
    )


@access.zone_required(access.PARTNER_PORTAL)
def partner_home(request: HttpRequest) -> HttpResponse:
    return _home(
        request,
        "Partner portal",
        "Register opportunities and follow the transactions shared with your organisation.",
    )


@access.zone_required(access.EMPLOYEE_PORTAL)
def employee_home(request: HttpRequest) -> HttpResponse:
    return _home(request, "Employee portal", "Raise internal requests and read company news here.")
