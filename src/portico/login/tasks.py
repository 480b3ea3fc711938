"""Background work of log-ins."""

import datetime

from portico.events.periodic import periodic
from portico.login.sessions import SessionStore


@periodic("login.expired_sessions_retention", every=datetime.timedelta(hours=1))
def forget_expired_sessions() -> None:
    """Delete sessions past their expiry (they already let no one in)."""
    SessionStore.clear_expired()
