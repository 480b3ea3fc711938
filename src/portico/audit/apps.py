from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "portico.audit"
    verbose_name = "Audit trail"
