"""The zones of the portal and the standard user groups (seed 001: user groups carry
default permissions and switch zones on and off). Administrators may change them
afterwards; `create_standard` only adds what is missing.

Written against the model classes it is given, so the data migration can pass its
historical models and the demo loader the real ones.
"""

from typing import Any

ZONES = [
    (
        "console",
        "Service console",
        "The staff's working area: queues, transactions, the 360° view.",
    ),
    ("customer-portal", "Customer portal", "Customers' home: their transactions and self-service."),
    ("partner-portal", "Partner portal", "Partners' home: shared transactions and opportunities."),
    ("employee-portal", "Employee portal", "Employees' home: internal requests and news."),
    ("service", "Service", "Logging and following service transactions."),
    ("knowledge", "Knowledge base", "Articles, FAQs and how-tos."),
    ("forums", "Forums", "Moderated discussion."),
    ("documents", "Documents", "Downloads and publications."),
    ("news", "News", "Company news."),
    ("events", "Events", "Event registration."),
    ("reports", "Reports", "Metrics and reports."),
    (
        "systems-admin",
        "Systems Admin",
        "Applications, classifications, permissions, groups, zones.",
    ),
]

STAFF_ZONES = ["console", "service", "knowledge", "forums", "documents", "news", "events"]
PORTAL_ZONES = ["service", "knowledge", "documents", "news", "events"]
# name, portal, zones
GROUPS = [
    ("Staff", "console", STAFF_ZONES),
    ("Supervisors", "console", [*STAFF_ZONES, "reports"]),
    ("Systems administrators", "console", [*STAFF_ZONES, "reports", "systems-admin"]),
    ("Customers", "customer", ["customer-portal", "forums", *PORTAL_ZONES]),
    ("Partners", "partner", ["partner-portal", *PORTAL_ZONES]),
    ("Employees", "employee", ["employee-portal", *PORTAL_ZONES]),
]


def create_standard(zone_model: Any, user_group_model: Any) -> None:
    zones = {}
    for position, (code, name, description) in enumerate(ZONES, start=1):
        zones[code], _ = zone_model.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "position": position}
        )
    for name, portal, codes in GROUPS:
        group, created = user_group_model.objects.get_or_create(
            name=name, defaults={"portal": portal}
        )
        if created:
            group.zones.set([zones[code] for code in codes])
