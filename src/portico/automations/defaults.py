"""The rules every Portico starts with, switched on (issue 22).

They are the customer messages of the e-mail channel and the staff notices that were
built in before rules existed, now rules an administrator can change or switch off —
the only way those messages are sent, so none goes twice — plus the team notices seed
003 asks for, the service-level escalation and the closing of requests left waiting or
resolved. The data migration automations/0002 writes them; `install` writes any that
are missing (a test database emptied between tests). Plain data: the migration imports
it without models."""

from __future__ import annotations

from typing import Any

MINUTE = 1
HOUR = 60 * MINUTE
DAY = 24 * HOUR

# Each: code, name, description, trigger ("event"/"time"), event or timer,
# conditions (field, operator, value), actions (dicts of Action fields).
Rule = dict[str, Any]

DEFAULT_RULES: list[Rule] = [
    {
        "code": "acknowledge",
        "name": "Acknowledge a new request",
        "description": "Seed 002's auto-reply: the number, the respond-by time and a link.",
        "event": "transaction.created",
        "conditions": [("application", "is_not", "compliment")],
        "actions": [{"kind": "email_customer", "mail_kind": "acknowledgement"}],
    },
    {
        "code": "thank-compliment",
        "name": "Thank the customer for a compliment",
        "event": "transaction.created",
        "conditions": [("application", "is", "compliment")],
        "actions": [{"kind": "email_customer", "mail_kind": "thanks"}],
    },
    {
        "code": "complaint-to-supervisor",
        "name": "A complaint is logged: tell the team's supervisor",
        "description": "Seed 003: the team is made aware when someone raises a complaint.",
        "event": "transaction.created",
        "conditions": [("application", "is", "complaint")],
        "actions": [
            {
                "kind": "notify",
                "target": "team_supervisor",
                "notice": "complaint",
                "text": "Complaint logged: {{ number }} {{ title }}",
            }
        ],
    },
    {
        "code": "customer-note-to-assignees",
        "name": "A customer adds a note: tell the assignees",
        "event": "note.added",
        "conditions": [("note_by", "is", "customer")],
        "actions": [
            {
                "kind": "notify",
                "target": "assignees",
                "notice": "customer_updated",
                "text": "{{ by }} added a note to {{ number }}",
            }
        ],
    },
    {
        "code": "staff-note-to-customer",
        "name": "Send the service team's shared notes to the customer",
        "description": "The note in full, with its files, to the requester and its CCs.",
        "event": "note.added",
        "conditions": [("note_by", "is", "staff"), ("note_visibility", "is", "shared")],
        "actions": [{"kind": "email_customer", "mail_kind": "note"}],
    },
    {
        "code": "status-to-customer",
        "name": "Tell the customer: waiting on them, resolved, closed",
        "event": "transaction.status_changed",
        "conditions": [("status_category", "one_of", "waiting, resolved, closed")],
        "actions": [{"kind": "email_customer", "mail_kind": "by_status"}],
    },
    {
        "code": "assigned",
        "name": "Tell those assigned, and their supervisors",
        "description": "Seed 002: dispatch “with notice to the supervisor”.",
        "event": "transaction.assigned",
        "conditions": [],
        "actions": [
            {
                "kind": "notify",
                "target": "new_assignees",
                "notice": "assigned",
                "text": "{{ number }} assigned to you: {{ title }}",
            },
            {
                "kind": "notify",
                "target": "new_assignees_supervisors",
                "notice": "team_assigned",
                "text": "{{ number }} dispatched to {{ names }}: {{ title }}",
            },
        ],
    },
    {
        "code": "forwarded",
        "name": "Tell the team a transaction is forwarded to",
        "event": "transaction.forwarded",
        "conditions": [],
        "actions": [
            {
                "kind": "notify",
                "target": "forwarded_team",
                "notice": "forwarded",
                "text": "{{ number }} forwarded to {{ team }}: {{ title }}",
            }
        ],
    },
    {
        "code": "withdrawn",
        "name": "A customer withdraws a request: tell the assignees",
        "event": "transaction.withdrawn",
        "conditions": [],
        "actions": [
            {
                "kind": "notify",
                "target": "assignees",
                "notice": "withdrawn",
                "text": "{{ by }} withdrew {{ number }}: {{ reason }}",
            }
        ],
    },
    {
        "code": "reopened",
        "name": "A customer reopens a request: tell the assignees",
        "event": "transaction.reopened",
        "conditions": [],
        "actions": [
            {
                "kind": "notify",
                "target": "assignees",
                "notice": "reopened",
                "text": "{{ by }} reopened {{ number }}: {{ reason }}",
            }
        ],
    },
    {
        "code": "person-left-to-account-owner",
        "name": "A person of a customer or partner leaves: tell the account's owner",
        "description": "Seed 003: the team is made aware “if someone leaves”.",
        "event": "individual.deactivated",
        "conditions": [("organization_kind", "one_of", "customer, partner")],
        "actions": [
            {
                "kind": "notify",
                "target": "account_owner",
                "notice": "person_left",
                "text": "{{ person }} of {{ organization }} has been deactivated",
            }
        ],
    },
    {
        "code": "response-escalation",
        "name": "Escalate a response about to miss its service level",
        "description": "15 minutes before: the assignees; at the breach: their supervisors; "
        "30 minutes after: the team holding it.",
        "trigger": "time",
        "timer": "response_due",
        "conditions": [],
        "actions": [
            {
                "kind": "notify",
                "target": "assignees",
                "notice": "escalated",
                "after_minutes": -15,
                "text": "Response due in 15 minutes: {{ number }} {{ title }}",
            },
            {
                "kind": "notify",
                "target": "assignees_supervisors",
                "notice": "escalated",
                "after_minutes": 0,
                "text": "Response overdue: {{ number }} {{ title }}",
            },
            {
                "kind": "notify",
                "target": "holding_team",
                "notice": "escalated",
                "after_minutes": 30,
                "text": "Response 30 minutes overdue: {{ number }} {{ title }}",
            },
        ],
    },
    {
        "code": "resolution-escalation",
        "name": "Escalate a resolution about to miss its service level",
        "description": "An hour before: the assignees; at the breach: their supervisors; "
        "an hour after: the team holding it.",
        "trigger": "time",
        "timer": "resolution_due",
        "conditions": [],
        "actions": [
            {
                "kind": "notify",
                "target": "assignees",
                "notice": "escalated",
                "after_minutes": -HOUR,
                "text": "Resolution due within the hour: {{ number }} {{ title }}",
            },
            {
                "kind": "notify",
                "target": "assignees_supervisors",
                "notice": "escalated",
                "after_minutes": 0,
                "text": "Resolution overdue: {{ number }} {{ title }}",
            },
            {
                "kind": "notify",
                "target": "holding_team",
                "notice": "escalated",
                "after_minutes": HOUR,
                "text": "Resolution an hour overdue: {{ number }} {{ title }}",
            },
        ],
    },
    {
        "code": "waiting-reminder-then-close",
        "name": "Remind a customer we are waiting on, then close",
        "description": "After 3 days a reminder; after 7 days closed, with a note.",
        "trigger": "time",
        "timer": "waiting",
        # A sale's "Proposal sent" waits on the customer too, but it is won or lost, as a
        # person decides; nor is a partner reminded of a proposal as of a question.
        "conditions": [("application", "is_not", "sales-opportunity")],
        "actions": [
            {"kind": "email_customer", "mail_kind": "reminder", "after_minutes": 3 * DAY},
            {
                "kind": "close",
                "after_minutes": 7 * DAY,
                "text": "Closed: we have not heard back in 7 days. Reply or write to us "
                "again at any time and we will pick it up.",
            },
        ],
    },
    {
        "code": "close-resolved",
        "name": "Close a resolved request when its reopen period ends",
        "description": "The reopen period is the application's (14 days unless changed).",
        "trigger": "time",
        "timer": "resolved",
        "conditions": [],
        "actions": [{"kind": "close", "after_minutes": None, "text": ""}],
    },
    {
        "code": "ask-satisfaction",
        "name": "Ask the requester if they were satisfied",
        "description": "Seed 002's survey after close (issue 23): per application, "
        "and not more than once in PORTICO_SATISFACTION_QUIET_DAYS days per person.",
        "event": "transaction.status_changed",
        "conditions": [("status_category", "is", "resolved")],
        "actions": [{"kind": "ask_satisfaction"}],
    },
    {
        "code": "not-satisfied-to-supervisor",
        "name": "Not satisfied: a follow-up for the team's supervisor",
        "description": "Assigned to the supervisor, with the customer's comment in an "
        "internal note (issue 23).",
        "event": "satisfaction.answered",
        "conditions": [("satisfied", "is", "no")],
        "actions": [
            {"kind": "assign", "target": "team_supervisor"},
            {"kind": "internal_note", "text": "Not satisfied: {{ comment }}"},
        ],
    },
    {
        "code": "product-flagged-to-owner",
        "name": "A flagged product: tell its owner",
        "description": "Seed 002: products with abnormally high incident volumes flagged "
        "for reengineering (issue 24's anomaly flag).",
        "event": "product.flagged",
        "conditions": [],
        "actions": [
            {
                "kind": "notify",
                "target": "product_owner",
                "text": "{{ product }}: {{ count }} incidents in the last 7 days, against "
                "{{ expected }} in an ordinary week. Reports › Products has the evidence.",
            }
        ],
    },
]

CODES: tuple[str, ...] = tuple(rule["code"] for rule in DEFAULT_RULES)


def write(
    rule_model: Any, condition_model: Any, action_model: Any, *, only_missing: bool = True
) -> int:
    """Write the default rules (those missing, by code). Works with the migration's
    historical models and with the real ones. Returns how many it wrote."""
    have = set(rule_model.objects.filter(code__in=CODES).values_list("code", flat=True))
    written = 0
    for position, spec in enumerate(DEFAULT_RULES, start=1):
        if spec["code"] in have and only_missing:
            continue
        rule = rule_model.objects.create(
            code=spec["code"],
            name=spec["name"],
            description=spec.get("description", ""),
            trigger=spec.get("trigger", "event"),
            event=spec.get("event", ""),
            timer=spec.get("timer", ""),
            position=position * 10,
            active=True,
        )
        condition_model.objects.bulk_create(
            condition_model(rule=rule, field=field, operator=operator, value=value)
            for field, operator, value in spec["conditions"]
        )
        action_model.objects.bulk_create(
            action_model(rule=rule, position=index, **action)
            for index, action in enumerate(spec["actions"], start=1)
        )
        written += 1
    return written


def install() -> int:
    """The default rules, for a database that has lost them (tests empty tables)."""
    from portico.automations.models import Action, Condition
    from portico.automations.models import Rule as RuleModel

    return write(RuleModel, Condition, Action)
