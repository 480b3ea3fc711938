from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "portico.surveys"
    label = "surveys"
    verbose_name = "Surveys"
