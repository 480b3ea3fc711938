"""The e-mail channel in Systems Admin: what customers are sent (templates, which
messages an application sends, addresses that bounced) in admin_outbound; mail in
(mailboxes, the inbound messages and their review) in inbound_admin."""

from portico.mail import admin_outbound, inbound_admin  # noqa: F401  (they register the pages)
