"""The workloads: who asks for what, and what a correct answer looks like."""

from __future__ import annotations

import datetime
import urllib.parse
from dataclasses import dataclass

from django.utils import timezone

from bench.client import PASSWORD, Request
from bench.dataset import Targets
from portico.demo.people import PEOPLE


def _email(first: str, last: str) -> str:
    return next(p.email for p in PEOPLE if (p.first_name, p.last_name) == (first, last))


__all__ = ["PASSWORD", "PERSONAS", "Workload", "workloads"]

PERSONAS = {
    "csr": _email("Fiona", "MacLeod"),
    "technician": _email("Tom", "Reid"),
    "customer": _email("Ewan", "Grant"),
    "supervisor": _email("Morag", "Campbell"),
}


# What customers type: keywords, questions, a misspelling, a synonym.
SEARCHES = (
    "E42 alarm",
    "how do I reset my password",
    "chlorine sensor calibration",
    "dosing pump calibartion",
    "gateway offline",
    "controller clock wrong",
    "where is my bill",
    "replace filter cartridge",
)


@dataclass(frozen=True)
class Workload:
    key: str
    label: str
    kind: str  # "GET", "POST", "floor" or "n/a"
    persona: str | None = None
    request: Request | None = None
    why_missing: str = ""


def workloads(targets: Targets, *, priority_id: int) -> list[Workload]:
    org = targets.busy_organization
    create = urllib.parse.urlencode(
        {
            "application": "service-issue",
            "title": "Dosing pump alarm on line 2",
            "description": "Alarm E42 since this morning; line 2 on manual dosing.",
            "priority": str(priority_id),
            "profile_issue-type": "fault",
            "profile_product": "aquasense-controller",
        }
    )
    note = urllib.parse.urlencode(
        {
            "channel": "phone",
            "direction": "in",
            "visibility": "internal",
            "contact": "",
            "body": "Customer called: the alarm came back at 10:15. Logged for the engineer.",
        }
    )
    today = timezone.localdate()
    two_years = urllib.parse.urlencode(
        {"since": (today - datetime.timedelta(days=730)).isoformat(), "until": today.isoformat()}
    )
    return [
        Workload(
            "floor-trivial",
            "floor: trivial view",
            "floor",
            request=Request("GET", ("/bench/floor/trivial/",)),
        ),
        Workload(
            "floor-rows",
            "floor: 50-row template",
            "floor",
            request=Request("GET", ("/bench/floor/rows/",)),
        ),
        Workload(
            "console-queue",
            "console queue (first page by due time)",
            "GET",
            "csr",
            Request("GET", ("/console/transactions/",)),
        ),
        Workload(
            "console-queue-filtered",
            "filtered queue (organisation + status)",
            "GET",
            "csr",
            Request("GET", (f"/console/transactions/?organization={org}&status=open",)),
        ),
        Workload(
            "transaction-50-notes",
            "transaction page, 50 notes",
            "GET",
            "csr",
            Request("GET", (f"/console/transactions/{targets.fifty_notes}/",)),
        ),
        # Issue 25: one ordinary transaction as its customer and as staff see it.
        Workload(
            "portal-transaction",
            "customer's transaction page, 3 notes",
            "GET",
            "customer",
            Request("GET", (f"/portal/t/{targets.three_notes}/",)),
        ),
        Workload(
            "transaction-3-notes",
            "staff transaction page, 3 notes",
            "GET",
            "csr",
            Request("GET", (f"/console/transactions/{targets.three_notes}/",)),
        ),
        Workload(
            "organization-360",
            "360° of the busiest organisation",
            "GET",
            "csr",
            Request("GET", (f"/console/organizations/{org}/",)),
        ),
        Workload(
            "task-list",
            "task list (console home, technician)",
            "GET",
            "technician",
            Request("GET", ("/console/",)),
        ),
        Workload(
            "portal-home",
            "customer portal home",
            "GET",
            "customer",
            Request("GET", ("/portal/",)),
        ),
        Workload(
            "portal-create",
            "portal create-transaction POST",
            "POST",
            "customer",
            Request("POST", ("/portal/new/",), body=create, expected=302),
        ),
        Workload(
            "add-note",
            "add-note POST (console)",
            "POST",
            "csr",
            Request(
                "POST",
                tuple(f"/console/transactions/{n}/notes/" for n in targets.note_targets),
                body=note,
                expected=302,
            ),
        ),
        # The reports (issue 24) read the roll-ups `generate` builds: 90 days (the default)
        # and two years, as the supervisor who sees two teams.
        Workload(
            "report-service",
            "Service report, 90 days by team",
            "GET",
            "supervisor",
            Request("GET", ("/console/reports/",)),
        ),
        Workload(
            "report-service-2y",
            "Service report, two years by product",
            "GET",
            "supervisor",
            Request("GET", (f"/console/reports/?{two_years}&by=product",)),
        ),
        Workload(
            "report-service-org-2y",
            "Service report, two years by organisation (the 50 busiest)",
            "GET",
            "supervisor",
            Request("GET", (f"/console/reports/?{two_years}&by=organization",)),
        ),
        Workload(
            "report-products",
            "Products report with the anomaly flag, 90 days",
            "GET",
            "supervisor",
            Request("GET", ("/console/reports/products/",)),
        ),
        Workload(
            "report-people",
            "People report, 90 days",
            "GET",
            "supervisor",
            Request("GET", ("/console/reports/people/",)),
        ),
        Workload(
            "report-money",
            "Money report, 90 days by product",
            "GET",
            "supervisor",
            Request("GET", ("/console/reports/money/",)),
        ),
        Workload(
            "report-money-2y",
            "Money report, two years by organisation",
            "GET",
            "supervisor",
            Request("GET", (f"/console/reports/money/?{two_years}&by=organization",)),
        ),
        Workload(
            "report-portal",
            "Portal uptake and self-service report, 90 days",
            "GET",
            "supervisor",
            Request("GET", ("/console/reports/portal/",)),
        ),
        Workload(
            "report-satisfaction",
            "Satisfaction report, 90 days by resolver",
            "GET",
            "supervisor",
            Request("GET", ("/console/reports/satisfaction/",)),
        ),
        Workload(
            "kb-search",
            "knowledge-base search (10,000 articles)",
            "GET",
            "customer",
            Request(
                "GET",
                tuple(
                    "/help/search/?" + urllib.parse.urlencode({"q": query}) for query in SEARCHES
                ),
            ),
        ),
        Workload(
            "kb-suggest",
            "deflection widget (typing a title)",
            "GET",
            "customer",
            Request(
                "GET",
                tuple(
                    "/help/suggest/?" + urllib.parse.urlencode({"title": query[:-2]})
                    for query in SEARCHES
                ),
            ),
        ),
    ]
