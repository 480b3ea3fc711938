"""The survey tests send to the mail tests' real SMTP receiver."""

from tests.mail.conftest import smtp_server

__all__ = ["smtp_server"]
