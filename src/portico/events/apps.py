from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "portico.events"
    verbose_name = "Events"

    def ready(self) -> None:
        # Each app's subscribers register themselves when imported.
        from portico.events import subscribers  # noqa: F401
