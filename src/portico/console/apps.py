from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "portico.console"
    verbose_name = "Service console"
