from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "portico.webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        # Registers the periodic sweep (`@periodic`) with the worker.
        from portico.webhooks import tasks  # noqa: F401
