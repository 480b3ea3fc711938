from django.apps import AppConfig


class LoginConfig(AppConfig):
    name = "portico.login"
    verbose_name = "Log-in"

    def ready(self) -> None:
        from portico.login import receivers  # noqa: F401  (connects the auth signals)
