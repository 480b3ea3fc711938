"""Systems Admin for the automations."""

from portico.automations import admin_campaigns  # noqa: F401  (it registers the pages)
