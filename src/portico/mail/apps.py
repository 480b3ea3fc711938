from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "portico.mail"
    verbose_name = "E-mail"

    def ready(self) -> None:
        # The periodic IMAP poll. What customers are sent is the automation rules' doing.
        from portico.mail import tasks  # noqa: F401
