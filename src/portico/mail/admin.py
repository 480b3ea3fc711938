"""Systems Admin pages of the e-mail channel."""

from portico.mail import admin_outbound  # noqa: F401  (registers the outbound pages)
