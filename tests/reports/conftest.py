from tests.mail.conftest import smtp_server

# The real SMTP receiver (aiosmtpd) that scheduled reports are sent to.
__all__ = ["smtp_server"]
