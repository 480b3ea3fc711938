from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "portico.notify"
    verbose_name = "Notifications"
