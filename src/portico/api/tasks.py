"""Background work of the API."""

import datetime

from portico.api.services import purge_idempotency_keys
from portico.events.periodic import periodic


@periodic("api.idempotency_keys_retention", every=datetime.timedelta(hours=1))
def forget_old_idempotency_keys() -> int:
    """A key older than a day no longer protects a retry (api.services)."""
    return purge_idempotency_keys()
