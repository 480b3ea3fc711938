from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "portico.demo"
    verbose_name = "Demo data"
