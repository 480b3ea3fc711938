"""The unsubscribe pages, reached from the signed link in a message (no log-in): mail
not about one's own requests, and a campaign's news.

GET only says what the link does and offers a button: mail scanners and link previews
follow links, and must not opt anyone out. POST opts out — the button, and a mail
provider's one-click unsubscribe (RFC 8058), which POSTs "List-Unsubscribe=One-Click"
with no CSRF token. The token in the address is what authorises the POST, so CSRF
protection has nothing to add here. Any link that does not open (altered, expired,
another purpose's or person's) gets the same refusal."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from portico.access import links
from portico.audit.models import Channel
from portico.automations import campaigns
from portico.mail import outbound, preferences


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = links.open_link(token, outbound.UNSUBSCRIBE)
    except links.LinkRefused as refused:
        return render(
            request, "mail/unsubscribe_refused.html", {"reason": str(refused)}, status=404
        )
    person = link.person
    done = False
    if request.method == "POST":
        person = preferences.set_opted_out(
            person=person, opted_out=True, via=preferences.LINK, channel=Channel.EMAIL
        )
        done = True
    return render(
        request,
        "mail/unsubscribe.html",
        {"person": person, "done": done, "already": person.mail_opted_out_at is not None},
    )


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def news(request: HttpRequest, token: str) -> HttpResponse:
    """The opt-out link of a campaign's message: as `unsubscribe` above (GET asks, POST —
    the button or a one-click provider — does it), for product news and announcements."""
    try:
        link = campaigns.open_news_link(token)
    except links.LinkRefused as refused:
        return render(
            request, "mail/unsubscribe_refused.html", {"reason": str(refused)}, status=404
        )
    person = link.person
    done = False
    if request.method == "POST":
        person = campaigns.set_news(
            person=person,
            opted_in=False,
            via=campaigns.LINK,
            campaign=link.campaign,
            channel=Channel.EMAIL,
        )
        done = True
    return render(
        request,
        "mail/news.html",
        {"person": person, "done": done, "already": person.news_opted_in_at is None},
    )
