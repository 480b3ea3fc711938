"""Import every app's subscribers, so that they are registered before any dispatch."""

from portico.automations import subscribers as automations  # noqa: F401
from portico.reports import subscribers as reports  # noqa: F401
from portico.webhooks import subscribers as webhooks  # noqa: F401
