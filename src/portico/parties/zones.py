"""The zone codes the code refers to. Zones are data (an administrator may add more);
these are the ones pages belong to, created by this app's first data migration
(`parties.standard`). They sit here, below `portico.access`, so that access and anything
the access rules are built on can name a zone without importing the rules."""

CONSOLE = "console"
CUSTOMER_PORTAL = "customer-portal"
PARTNER_PORTAL = "partner-portal"
EMPLOYEE_PORTAL = "employee-portal"
SERVICE = "service"
KNOWLEDGE = "knowledge"
FORUMS = "forums"
DOCUMENTS = "documents"
NEWS = "news"
EVENTS = "events"
REPORTS = "reports"
SYSTEMS_ADMIN = "systems-admin"
