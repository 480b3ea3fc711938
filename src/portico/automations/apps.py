from django.apps import AppConfig


class AutomationsConfig(AppConfig):
    name = "portico.automations"
    label = "automations"
    verbose_name = "Automations"

    def ready(self) -> None:
        # The rules' subscriber, and their periodic jobs.
        from portico.automations import subscribers, tasks  # noqa: F401
