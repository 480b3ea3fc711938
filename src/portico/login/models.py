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


class AttemptCount(models.Model):
    """How many log-in attempts one account, address or API token prefix has used in the
    current window. Counted by one `INSERT … ON CONFLICT DO UPDATE … RETURNING` (see
    portico.login.limits), so concurrent attempts in any number of workers each get their
    own number and never more than the limit are evaluated. The cache could not promise
    that: allauth's limiter reads and then writes it, and two workers read the same count.
    """

    # SHA-256 of "scope:identifier": what someone typed in the e-mail field (sometimes
    # their password) is never stored.
    key = models.CharField(max_length=64, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    # Seconds since the epoch: compared inside the one SQL statement on SQLite and
    # PostgreSQL alike, where a datetime would be text on one and a timestamp on the other.
    window_ends = models.BigIntegerField(db_index=True)

    class Meta:
        verbose_name = "log-in attempt count"

    def __str__(self) -> str:
        return f"{self.key[:12]}… {self.count}"
