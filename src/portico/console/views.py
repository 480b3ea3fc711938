from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portico import access


@access.zone_required(access.CONSOLE)
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "home_section.html",
        {
            "title": "Service console",
            "intro": "Your task list, your team's queue and what breaches soon will appear here.",
            "individual": access.individual_of(request.user),
        },
    )
