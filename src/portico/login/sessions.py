"""The session engine: Django's database store, writing which log-in owns a session."""

from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.base_session import AbstractBaseSession
from django.utils import timezone

from portico.login.models import LoginSession
from portico.statements import Statement

# Read on every request: by key alone, so its SQL is written once (portico.statements);
# the expiry is compared here instead, with the same meaning as Django's filter.
_BY_KEY = Statement(lambda key: LoginSession.objects.filter(session_key=key), key=str)


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls) -> type[AbstractBaseSession]:
        return LoginSession

    def _get_session_from_db(self) -> AbstractBaseSession | None:
        key = self.session_key
        if key is not None:
            session = _BY_KEY.one(key=key)
            if session is not None and session.expire_date > timezone.now():
                return session
        self._session_key = None
        return None

    def create_model_instance(self, data: dict[str, Any]) -> AbstractBaseSession:
        instance = super().create_model_instance(data)
        user_id = data.get(SESSION_KEY)
        instance.user_id = int(user_id) if user_id is not None else None  # type: ignore[attr-defined]
        return instance
