from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "portico.service"
    verbose_name = "Service"

    def ready(self) -> None:
        from portico.access import setup

        # The set-up access keeps per process is forgotten when it changes.
        setup.connect()
