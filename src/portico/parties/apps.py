from django.apps import AppConfig


class PartiesConfig(AppConfig):
    name = "portico.parties"
    verbose_name = "Parties"
