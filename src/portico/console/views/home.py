"""The console home (the CSR's day at a glance) and the notifications page.

Home has four panels, each one query capped at ten rows, all starting from
`access.visible_transactions`: my task list, my team's queue, what breaches soon, and
what customers changed since I last looked (seed 003: the people working a transaction
hear at once when the customer adds something)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.db.models import F, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from portico import access
from portico.console.models import ConsoleVisit
from portico.notify import services as notify
from portico.pages import done
from portico.service import selectors
from portico.service.models import Grant, Transaction

PANEL_SIZE = 10
# "Breaching soon": already late, or late within this long if nobody acts.
BREACH_HORIZON = datetime.timedelta(hours=2)
# With no earlier visit to compare with, "since I last looked" means the last day.
FIRST_VISIT_WINDOW = datetime.timedelta(days=1)
NOTIFICATIONS_SHOWN = 50


# 13 queries: four panels (the task list with its follow-ups, the team queue with who is
# on it, breaches read as two lists, customer updates), the visit read and recorded, the
# team's name, and the session, user and unread count every console page reads.
@access.zone_required(access.CONSOLE)
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    user = request.user
    individual = access.individual_of(user)
    visible = selectors.listed(access.visible_transactions(user))

    tasks = list(selectors.task_list(user)[:PANEL_SIZE])

    team_queue: list[Transaction] = []
    if individual is not None and individual.organization_id is not None:
        team_queue = list(
            visible.filter(team_id=individual.organization_id, resolved_at__isnull=True)
            .prefetch_related(_assignments())
            .order_by(F("due_at").asc(nulls_last=True), "id")[:PANEL_SIZE]
        )

    # Late by the horizon = late now or within it: asked about a moment two hours on,
    # the breach selector answers both at once.
    breaching = selectors.breaching_first(user, now=now + BREACH_HORIZON, limit=PANEL_SIZE)

    previous_visit: datetime.datetime | None = None
    if individual is not None:
        previous_visit = ConsoleVisit.objects.record(individual=individual, at=now)
    since = previous_visit or now - FIRST_VISIT_WINDOW
    customer_updates = list(
        visible.filter(customer_updated_at__gt=since, customer_updated_at__lte=now).order_by(
            "-customer_updated_at", "-id"
        )[:PANEL_SIZE]
    )
    selectors.fill_lookups(tasks, team_queue, customer_updates, user=user)  # breaching comes filled

    context: dict[str, Any] = {
        "individual": individual,
        "now": now,
        "tasks": tasks,
        "team_queue": team_queue,
        "team": individual.organization if individual is not None else None,
        "breaching": breaching,
        "customer_updates": customer_updates,
        "since": since,
        "first_visit": previous_visit is None,
        "panel_size": PANEL_SIZE,
        "my_tasks_url": (
            f"{reverse('console:transactions')}?assignee={individual.pk}" if individual else ""
        ),
        "team_url": (
            f"{reverse('console:transactions')}?team={individual.organization_id}"
            if individual is not None and individual.organization_id is not None
            else ""
        ),
        "overdue_url": f"{reverse('console:transactions')}?due=overdue",
        "may_search_knowledge": access.may_search_knowledge(request.user),
        "may_edit_knowledge": access.may_edit_knowledge(request.user),
    }
    return render(request, "console/home.html", context)


def _assignments() -> Prefetch[Any]:
    """Who is on each row, in one extra query for the whole panel."""
    return Prefetch(
        "grants",
        queryset=Grant.objects.filter(
            individual__isnull=False, permission__on_task_list=True
        ).select_related("individual"),
        to_attr="assignments",
    )


@access.zone_required(access.CONSOLE)
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    """The person's notifications, newest first; POST marks one or all of them read."""
    individual = access.individual_of(request.user)
    if request.method == "POST":
        if individual is not None:
            raw = request.POST.get("notification")
            if raw is None:
                count = notify.mark_read(individual=individual)
                messages.success(
                    request,
                    f"Marked {count} notification{'s' if count != 1 else ''} as read."
                    if count
                    else "Nothing was unread.",
                )
            elif raw.isdigit():
                notify.mark_read(individual=individual, ids=[int(raw)])
            else:
                messages.error(request, "That notification could not be found.")
        return done(request, reverse("console:notifications"))

    rows = list(
        access.readable_notifications(request.user)
        .select_related("transaction")
        .order_by("-created_at", "-id")[:NOTIFICATIONS_SHOWN]
    )
    return render(
        request,
        "console/notifications.html",
        {
            "notifications": rows,
            "unread_shown": sum(1 for n in rows if n.read_at is None),
            "limit": NOTIFICATIONS_SHOWN,
        },
    )
