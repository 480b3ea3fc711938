"""The surveys' periodic work in the worker: the satisfaction e-mails an application's
delay held back, written once they fall due."""

from __future__ import annotations

import datetime

from portico.events.periodic import periodic
from portico.surveys import services


@periodic("surveys.send_due", every=datetime.timedelta(seconds=60))
def send_due_surveys() -> int:
    return services.send_due()
