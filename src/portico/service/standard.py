"""The standard service set-up: the six permissions of seed 001, P1–P4 of seed 000, a
business calendar, the applications Portico starts with and which user groups see them.
Administrators change all of it afterwards; `create_standard` only adds what is missing.

It is written against a model getter so that the data migration can pass historical
models and the demo loader the real ones.
"""

from collections.abc import Callable
from typing import Any

# code, name, description, decides_access, capabilities
PERMISSIONS: list[tuple[str, str, str, bool, set[str]]] = [
    (
        "full",
        "Full access",
        "Anything can be edited or updated.",
        True,
        {
            "view",
            "edit_profile",
            "edit_text",
            "add_shared_note",
            "add_internal_note",
            "read_internal_notes",
            "attach_files",
            "download_files",
            "manage_grants",
        },
    ),
    (
        "customer",
        "Customer access",
        "Read only on most of the transaction, but may add notes and files.",
        True,
        {"view", "add_shared_note", "attach_files", "download_files"},
    ),
    (
        "worknotes",
        "Update worknotes",
        "May add to all notes and comments but not change the profile.",
        True,
        {
            "view",
            "add_shared_note",
            "add_internal_note",
            "read_internal_notes",
            "attach_files",
            "download_files",
        },
    ),
    (
        "read",
        "Read only",
        "Sees the transaction; changes nothing.",
        True,
        {"view", "download_files"},
    ),
    (
        "assigned",
        "Assigned to for action",
        "Dealing with it: on their task list, may work it.",
        True,
        {
            "view",
            "edit_profile",
            "add_shared_note",
            "add_internal_note",
            "read_internal_notes",
            "attach_files",
            "download_files",
            "on_task_list",
        },
    ),
    (
        "linked",
        "Linked to",
        "A relationship with the transaction; no processing rights.",
        False,
        set(),
    ),
]

# code, name, response minutes, resolution minutes
PRIORITIES = [
    ("P1", "Site down", 30, 4 * 60),
    ("P2", "Major impact", 60, 8 * 60),
    ("P3", "Minor impact", 4 * 60, 3 * 8 * 60),
    ("P4", "Question or request", 8 * 60, None),
]

# Classifications for the staff's own analysis: never offered to anyone else (issue 19).
# Existing databases have it from migration 0008.
STAFF_ONLY_CLASSIFICATIONS = ["root-cause"]

# code, name, kind, choices
CLASSIFICATIONS: list[tuple[str, str, str, list[str]]] = [
    (
        "issue-type",
        "Issue type",
        "choice",
        [
            "Fault",
            "Installation",
            "Configuration",
            "Delivery problem",
            "Damaged goods",
            "Billing",
            "How-to question",
            "Other",
        ],
    ),
    (
        "product",
        "Product",
        "choice",
        [
            "AquaSense controller",
            "AquaSense sensor pack",
            "ClearFlow dosing pump",
            "ClearFlow filter unit",
            "HydroLink gateway",
            "HydroLink cloud dashboard",
        ],
    ),
    ("area", "Area", "choice", ["North East", "Central Belt", "West", "East", "Highlands"]),
    (
        "root-cause",
        "Root cause",
        "choice",
        [
            "Hardware failure",
            "Software defect",
            "Configuration error",
            "User error",
            "Third-party",
            "Not yet known",
        ],
    ),
    (
        "category",
        "Category",
        "choice",
        ["Product", "Service", "Delivery", "Staff", "Billing", "Other"],
    ),
    ("preferred-time", "Preferred call-back time", "choice", ["Morning", "Afternoon", "Any time"]),
    ("close-date", "Expected close date", "date", []),
    ("deal-value", "Deal value", "money", []),
    ("units", "Units affected", "number", []),
]

# A customer withdraws their own open request by moving it to the status of this code
# (service/actions/status.py); it is finished (category closed) but says who ended it, so
# neither the customer nor the staff read it as work we closed.
WITHDRAWN = "withdrawn"
STANDARD_FLOW = [
    # code, name, category, initial, next codes
    ("new", "New", "new", True, ["in-progress", "waiting", "resolved", "closed", WITHDRAWN]),
    ("in-progress", "In progress", "open", False, ["waiting", "resolved", WITHDRAWN]),
    ("waiting", "Waiting on customer", "waiting", False, ["in-progress", "resolved", WITHDRAWN]),
    ("resolved", "Resolved", "resolved", False, ["closed", "in-progress"]),
    ("closed", "Closed", "closed", False, []),
    (WITHDRAWN, "Withdrawn", "closed", False, []),
]
SALES_FLOW = [
    ("new", "New", "new", True, ["qualified", "lost", WITHDRAWN]),
    ("qualified", "Qualified", "open", False, ["proposal", "lost", WITHDRAWN]),
    ("proposal", "Proposal sent", "waiting", False, ["won", "lost", "qualified", WITHDRAWN]),
    ("won", "Won", "closed", False, []),
    ("lost", "Lost", "closed", False, []),
    (WITHDRAWN, "Withdrawn", "closed", False, []),
]

# code, name, prefix, uses priority, flow, profile [(classification, mandatory)],
# default grants [(principal, permission)]
SERVICE_GRANTS = [("requester_org", "read"), ("requester", "worknotes"), ("team", "full")]
APPLICATIONS: list[
    tuple[str, str, str, bool, list[Any], list[tuple[str, bool]], list[tuple[str, str]]]
] = [
    (
        "service-issue",
        "Service issue",
        "SI",
        True,
        STANDARD_FLOW,
        [
            ("issue-type", True),
            ("product", True),
            ("area", False),
            ("root-cause", False),
            ("units", False),
        ],
        SERVICE_GRANTS,
    ),
    (
        "complaint",
        "Complaint",
        "CO",
        True,
        STANDARD_FLOW,
        [("category", True), ("product", False)],
        SERVICE_GRANTS,
    ),
    (
        "compliment",
        "Compliment",
        "CM",
        False,
        STANDARD_FLOW,
        [("category", False)],
        [("requester", "customer"), ("team", "full")],
    ),
    ("enquiry", "Enquiry", "EN", True, STANDARD_FLOW, [("product", False)], SERVICE_GRANTS),
    (
        "sales-opportunity",
        "Sales opportunity",
        "SO",
        False,
        SALES_FLOW,
        [("product", False), ("deal-value", False), ("close-date", False)],
        # The partner who registers it follows it; their organisation is only linked.
        [("requester", "customer"), ("requester_org", "linked"), ("team", "full")],
    ),
    (
        "call-back",
        "Call-back request",
        "CB",
        True,
        STANDARD_FLOW,
        [("preferred-time", True)],
        [("requester", "customer"), ("team", "full")],
    ),
]

# group -> [(application, may_create, default permission or None)]
PORTAL_APPS = ["service-issue", "complaint", "compliment", "enquiry", "call-back"]
ALL_APPS = [a[0] for a in APPLICATIONS]
RIGHTS: dict[str, list[tuple[str, bool, str | None]]] = {
    "Staff": [(a, True, "full") for a in ALL_APPS],
    "Supervisors": [(a, True, "full") for a in ALL_APPS],
    "Systems administrators": [(a, True, "full") for a in ALL_APPS],
    "Customers": [(a, True, None) for a in PORTAL_APPS],
    "Partners": [*((a, False, None) for a in PORTAL_APPS), ("sales-opportunity", True, None)],
    "Employees": [("service-issue", True, None), ("enquiry", True, None)],
}


def create_standard(model: Callable[[str], Any]) -> None:
    permission_model = model("Permission")
    permissions = {}
    for code, name, description, decides, capabilities in PERMISSIONS:
        fields = dict.fromkeys(capabilities, True)
        permissions[code], _ = permission_model.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "description": description,
                "is_standard": True,
                "decides_access": decides,
                **fields,
            },
        )
    for position, (code, name, response, resolution) in enumerate(PRIORITIES, start=1):
        model("Priority").objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "position": position,
                "response_minutes": response,
                "resolution_minutes": resolution,
            },
        )
    calendar_model = model("BusinessCalendar")
    if not calendar_model.objects.filter(is_default=True).exists():
        calendar_model.objects.get_or_create(
            name="Office hours (Scotland)", defaults={"is_default": True}
        )
    classifications = {}
    classification_model = model("Classification")
    # The data migration that made the standard set-up predates the audience field.
    has_audience = any(f.name == "audience" for f in classification_model._meta.get_fields())
    for code, name, kind, labels in CLASSIFICATIONS:
        defaults = {"name": name, "kind": kind}
        if has_audience and code in STAFF_ONLY_CLASSIFICATIONS:
            defaults["audience"] = "staff"
        classification, created = classification_model.objects.get_or_create(
            code=code, defaults=defaults
        )
        classifications[code] = classification
        if created:
            for position, label in enumerate(labels, start=1):
                classification.choices.create(code=_slug(label), label=label, position=position)
    for code, name, prefix, uses_priority, flow, profile, grants in APPLICATIONS:
        application, created = model("Application").objects.get_or_create(
            code=code, defaults={"name": name, "prefix": prefix, "uses_priority": uses_priority}
        )
        if not created:
            continue
        statuses = {}
        for position, (s_code, s_name, category, initial, _next) in enumerate(flow, start=1):
            statuses[s_code] = application.statuses.create(
                code=s_code, name=s_name, category=category, initial=initial, position=position
            )
        for s_code, _name, _category, _initial, next_codes in flow:
            statuses[s_code].next_statuses.set([statuses[n] for n in next_codes])
        for position, (c_code, mandatory) in enumerate(profile, start=1):
            application.profile_fields.create(
                classification=classifications[c_code], mandatory=mandatory, position=position
            )
        for principal, permission in grants:
            application.default_grants.create(
                principal=principal, permission=permissions[permission]
            )
    applications = {a.code: a for a in model("Application").objects.all()}
    for group in model("UserGroup").objects.filter(name__in=RIGHTS):
        for app_code, may_create, default in RIGHTS[group.name]:
            model("ApplicationRight").objects.get_or_create(
                user_group=group,
                application=applications[app_code],
                defaults={
                    "may_create": may_create,
                    "default_permission": permissions[default] if default else None,
                },
            )


def _slug(label: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in label.lower()).strip("-")
