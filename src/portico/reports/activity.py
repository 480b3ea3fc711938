"""Staff and portal activity per day, for the roll-ups (issue 24): what each member of
staff did (PersonDay), and each portal's self-service (PortalDay, PortalUser)."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType

from portico.audit.models import Event
from portico.knowledge.models import Deflection, Search
from portico.parties.models import Portal
from portico.reports.days import Days
from portico.reports.models import (
    PersonDay,
    PortalDay,
    PortalUser,
)
from portico.service.models import (
    Status,
    Transaction,
)
from portico.surveys.models import Answer


def people_days(days: Days, staff: dict[int, int]) -> list[PersonDay]:
    """Each member of staff's day: their events on transactions, and the answers about
    what they resolved. `staff`: user id to individual id (rollups.staff_of_console)."""
    kind = ContentType.objects.get_for_model(Transaction).pk
    touches = list(
        Event.objects.filter(
            occurred_at__gte=days.start,
            occurred_at__lt=days.end,
            subject_type_id=kind,
            actor_id__in=list(staff),
        ).values_list("occurred_at", "actor_id", "subject_id", "action", "data")
    )
    ids = sorted({int(subject) for _, _, subject, _, _ in touches})
    held: dict[int, tuple[str, int | None]] = {}
    for start in range(0, len(ids), 5000):
        for pk, team, requester in Transaction.objects.filter(
            pk__in=ids[start : start + 5000]
        ).values_list("pk", "team_id", "requester_id"):
            held[pk] = ("" if team is None else str(team), requester)
    resolved_names = set(
        Status.objects.filter(category=Status.Category.RESOLVED).values_list("name", flat=True)
    )
    figures: dict[tuple[int, str, int], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    served: dict[tuple[int, str, int], set[int]] = defaultdict(set)
    for moment, actor, subject, action, data in touches:
        t = held.get(int(subject))
        i = days.index(moment)
        if t is None or i is None:
            continue
        key = (i, t[0], staff[actor])
        figures[key][0] += 1
        after = ((data or {}).get("status") or {}).get("after")
        if action == "transaction.status_changed" and after in resolved_names:
            figures[key][1] += 1
        if t[1] is not None:
            served[key].add(t[1])
    for answered_at, resolver, team, satisfied in Answer.objects.filter(
        answered_at__gte=days.start, answered_at__lt=days.end, resolver_id__in=list(staff)
    ).values_list("answered_at", "resolver_id", "transaction__team_id", "satisfied"):
        i = days.index(answered_at)
        assert i is not None
        key = (i, "" if team is None else str(team), staff[resolver])
        figures[key][2] += 1
        figures[key][3] += bool(satisfied)
    return [
        PersonDay(
            day=days.days[i],
            team=team,
            individual_id=person,
            actions=actions,
            closes=closes,
            customers=len(served[(i, team, person)]),
            answered=answered,
            satisfied=satisfied,
        )
        for (i, team, person), (actions, closes, answered, satisfied) in figures.items()
    ]


def portal_days(days: Days) -> tuple[list[PortalDay], list[PortalUser]]:
    """Each portal's log-ins, searches and deflections a day, and who logged in to a
    portal in each month the days touch."""
    figures: dict[tuple[int, str], PortalDay] = {}

    def of(i: int, portal: str) -> PortalDay:
        return figures.setdefault((i, portal), PortalDay(day=days.days[i], portal=portal or ""))

    portals = [p for p in Portal.values if p != Portal.CONSOLE]
    users: set[tuple[datetime.date, int, str]] = set()
    logins = Event.objects.filter(
        action="session.logged_in",
        occurred_at__gte=days.start,
        occurred_at__lt=days.end,
        portal__in=portals,
        actor__isnull=False,
    ).values_list(
        "occurred_at", "portal", "actor__individual__pk", "actor__individual__organization_id"
    )
    for moment, portal, person, organization in logins:
        i = days.index(moment)
        assert i is not None
        of(i, portal).logins += 1
        if person is not None:
            month = days.days[i].replace(day=1)
            users.add((month, person, "" if organization is None else str(organization)))
    for moment, portal, results in Search.objects.filter(
        created_at__gte=days.start, created_at__lt=days.end
    ).values_list("created_at", "portal", "results"):
        i = days.index(moment)
        assert i is not None
        row = of(i, portal)
        row.searches += 1
        row.empty_searches += results == 0
    for moment, portal in Deflection.objects.filter(
        created_at__gte=days.start, created_at__lt=days.end
    ).values_list("created_at", "portal"):
        i = days.index(moment)
        assert i is not None
        of(i, portal).deflections += 1
    return list(figures.values()), [
        PortalUser(month=month, individual_id=person, organization=organization)
        for month, person, organization in users
    ]
