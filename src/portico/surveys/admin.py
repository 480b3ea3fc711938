"""Systems Admin pages of the surveys app; each part in its own module."""

from portico.surveys import admin_forms  # noqa: F401  (registers the feedback forms)
