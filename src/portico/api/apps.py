from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "portico.api"
    verbose_name = "REST API"
