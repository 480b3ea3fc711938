from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    name = "portico.knowledge"
    verbose_name = "Knowledge base"
