from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models


class LoginSession(AbstractBaseSession):
    """Django's database session with the log-in it belongs to, so that a person's
    sessions can be ended on the server the moment they leave or log out everywhere."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="login_sessions",
    )

    class Meta:
        verbose_name = "log-in session"

    @classmethod
    def get_session_store_class(cls) -> type:
        from portico.login.sessions import SessionStore

        return SessionStore
