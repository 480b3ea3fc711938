from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "portico.operations"
    verbose_name = "Operations"
