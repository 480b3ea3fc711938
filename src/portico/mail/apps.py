from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "portico.mail"
    verbose_name = "E-mail"

    def ready(self) -> None:
        # The subscribers that write customer e-mail, and the periodic IMAP poll.
        from portico.mail import subscribers, tasks  # noqa: F401
