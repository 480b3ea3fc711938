"""The e-mail channel in Systems Admin. Mail in: portico.mail.inbound_admin."""

from portico.mail import inbound_admin  # noqa: F401 - registers the mail-in admin
