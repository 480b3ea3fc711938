"""The mail tests' real SMTP receiver, for the campaigns and greetings that must arrive."""

from tests.mail.conftest import smtp_server  # noqa: F401  (a fixture)
