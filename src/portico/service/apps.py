from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "portico.service"
    verbose_name = "Service"
