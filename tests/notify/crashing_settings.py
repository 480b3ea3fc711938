"""Settings for the deliverer processes the outbox crash test starts and kills:
Portico's production settings (SMTP to EMAIL_HOST:EMAIL_PORT), with the mail backend
that dies after sending (tests.notify.crashing)."""

from portico.settings import *  # noqa: F403
from portico.settings import MAILERS

MAILERS = {"default": {**MAILERS["default"], "BACKEND": "tests.notify.crashing.KilledAfterSending"}}
