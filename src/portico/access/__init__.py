"""The one place that decides who may do what.

Pages, the admin, the API and tasks ask here; nothing else looks at groups, zones,
grants or flags to decide access. It answers two kinds of question: may this person
enter a zone (seed 001: a user group's default permissions switch zones of the portal on
and off), and what may this person do with a transaction (its grants, most specific
first, then the group's default for the application).

Callers use the package (`from portico import access; access.can(...)`); the modules
split it by concern:

- `roles`: the person behind a log-in, zones, staff, homes, `zone_required`;
- `transactions`: capabilities, `can`/`require`, `visible_transactions`, classifications;
- `people`: organisations and individuals one may see, who may be assigned or a contact;
- `notes`: notes and files of a transaction;
- `history`: the audit trail and notifications;
- `knowledge`: articles, FAQs, downloads and news;
- `surveys`: who reads a satisfaction answer;
- `reports`: whose figures a report adds up;
- `forms`: feedback forms one may answer, and who reads their results;
- `links`: signed links that work without logging in (`from portico.access import links`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from portico.access.forms import (
    answerable_forms,
    form_for,
    has_answerable_forms,
    is_addressed_to,
    may_read_form_results,
    require_form_results,
)
from portico.access.history import (
    ADMIN_ONLY_EVENT_SUBJECTS,
    HISTORY_SHOWN,
    WALK_LIMIT,
    may_read_history,
    may_see_event,
    readable_events,
    readable_history,
    readable_history_rows,
    readable_notifications,
    recent_readable_events,
)
from portico.access.knowledge import (
    PUBLICATION_ZONES,
    may_edit_knowledge,
    may_read_zone,
    may_search_knowledge,
    readable_articles,
    require_editor,
    require_reading_zone,
    visible_publications,
)
from portico.access.notes import (
    may_read_note,
    publishable_notes,
    readable_attachment_rows,
    readable_attachments,
    readable_note_rows,
    readable_notes,
    recent_readable_notes,
)
from portico.access.people import (
    assignable_individuals,
    may_be_assigned,
    may_be_contact,
    may_change_contact_details,
    may_look_up_contacts,
    possible_contacts,
    sees_who_works,
    visible_individuals,
    visible_organizations,
)
from portico.access.reports import may_see_reports, report_teams
from portico.access.roles import (
    AUTOMATION_EMAIL,
    AUTOMATION_GROUP,
    PORTAL_HOMES,
    all_zone_codes,
    home_url,
    individual_of,
    is_automation,
    is_staff,
    is_staff_member,
    may_administer,
    may_enter,
    may_log_in,
    portal_of,
    staff_individuals,
    zone_required,
    zones_of,
)
from portico.access.surveys import satisfaction_answers
from portico.access.transactions import (
    ACTIONS,
    EachRowExists,
    allowed_actions,
    application_rights,
    attach_applications,
    can,
    capabilities,
    classification_filter,
    creatable_applications,
    deciding_once,
    may_create,
    may_open_requests,
    may_see_classification,
    may_see_money,
    may_set_money,
    require,
    require_money,
    sees_staff_only_classifications,
    transaction_for,
    visible_transactions,
)
from portico.access.webhooks import (
    may_change_webhook,
    may_manage_webhooks,
    may_receive_webhooks,
)
from portico.parties.zones import (
    CONSOLE,
    CUSTOMER_PORTAL,
    DOCUMENTS,
    EMPLOYEE_PORTAL,
    EVENTS,
    FORUMS,
    KNOWLEDGE,
    NEWS,
    PARTNER_PORTAL,
    REPORTS,
    SERVICE,
    SYSTEMS_ADMIN,
)

if TYPE_CHECKING:
    from portico.access.roles import Person as Person

__all__ = [
    "ACTIONS",
    "ADMIN_ONLY_EVENT_SUBJECTS",
    "AUTOMATION_EMAIL",
    "AUTOMATION_GROUP",
    "CONSOLE",
    "CUSTOMER_PORTAL",
    "DOCUMENTS",
    "EMPLOYEE_PORTAL",
    "EVENTS",
    "FORUMS",
    "HISTORY_SHOWN",
    "KNOWLEDGE",
    "NEWS",
    "PARTNER_PORTAL",
    "PORTAL_HOMES",
    "PUBLICATION_ZONES",
    "REPORTS",
    "SERVICE",
    "SYSTEMS_ADMIN",
    "WALK_LIMIT",
    "EachRowExists",
    "all_zone_codes",
    "allowed_actions",
    "answerable_forms",
    "application_rights",
    "assignable_individuals",
    "attach_applications",
    "can",
    "capabilities",
    "classification_filter",
    "creatable_applications",
    "deciding_once",
    "form_for",
    "has_answerable_forms",
    "home_url",
    "individual_of",
    "is_addressed_to",
    "is_automation",
    "is_staff",
    "is_staff_member",
    "may_administer",
    "may_be_assigned",
    "may_be_contact",
    "may_change_contact_details",
    "may_change_webhook",
    "may_create",
    "may_edit_knowledge",
    "may_enter",
    "may_log_in",
    "may_look_up_contacts",
    "may_manage_webhooks",
    "may_open_requests",
    "may_read_form_results",
    "may_read_history",
    "may_read_note",
    "may_read_zone",
    "may_receive_webhooks",
    "may_search_knowledge",
    "may_see_classification",
    "may_see_event",
    "may_see_money",
    "may_see_reports",
    "may_set_money",
    "portal_of",
    "possible_contacts",
    "publishable_notes",
    "readable_articles",
    "readable_attachment_rows",
    "readable_attachments",
    "readable_events",
    "readable_history",
    "readable_history_rows",
    "readable_note_rows",
    "readable_notes",
    "readable_notifications",
    "recent_readable_events",
    "recent_readable_notes",
    "report_teams",
    "require",
    "require_editor",
    "require_form_results",
    "require_money",
    "require_reading_zone",
    "satisfaction_answers",
    "sees_staff_only_classifications",
    "sees_who_works",
    "staff_individuals",
    "transaction_for",
    "visible_individuals",
    "visible_organizations",
    "visible_publications",
    "visible_transactions",
    "zone_required",
    "zones_of",
]
