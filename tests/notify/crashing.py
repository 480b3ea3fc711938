"""For the outbox crash test only: an SMTP mail backend that kills its own process with
SIGKILL right after the mail server has accepted the Nth message (N from the
environment), so the deliverer dies between "sent" and "marked sent"."""

import os
import signal
from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend

KILL_AFTER = "PORTICO_TEST_KILL_AFTER_SENDS"


class KilledAfterSending(EmailBackend):
    sent = 0

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        count: int = super().send_messages(email_messages)
        KilledAfterSending.sent += count
        if (limit := os.environ.get(KILL_AFTER)) and KilledAfterSending.sent >= int(limit):
            os.kill(os.getpid(), signal.SIGKILL)
        return count
