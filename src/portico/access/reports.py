"""Who sees which report rows (issue 24). The Reports zone opens the pages; within
them an administrator (the Systems Admin zone) sees every team, anyone else the teams
they supervise and the team they belong to. The roll-ups carry the team on every row,
so a figure adds up only those teams' rows: a report never counts a transaction of a
team its reader does not see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from portico.access.roles import individual_of, may_enter
from portico.parties.zones import REPORTS, SYSTEMS_ADMIN

if TYPE_CHECKING:
    from portico.access.roles import Person


def may_see_reports(user: Person | None) -> bool:
    return may_enter(user, REPORTS)


def report_teams(user: Person | None) -> frozenset[str] | None:
    """The team keys whose figures `user` reads: None for all of them (administrators),
    an empty set for no one's (without the Reports zone)."""
    if not may_see_reports(user):
        return frozenset()
    if may_enter(user, SYSTEMS_ADMIN):
        return None
    from portico.parties.models import Organization

    individual = individual_of(user)
    if individual is None:
        return frozenset()
    teams = {
        str(pk)
        for pk in Organization.objects.filter(supervisor=individual, kind="team").values_list(
            "pk", flat=True
        )
    }
    home = individual.organization
    if home is not None and home.kind == "team":
        teams.add(str(home.pk))
    return frozenset(teams)
