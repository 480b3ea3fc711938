from django.contrib import admin
from django.urls import include, path

from portico import views
from portico.operations import metrics

urlpatterns = [
    path("", views.home, name="home"),
    path("no-sections/", views.no_zones, name="no-zones"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include("portico.api.urls")),
    path("", include("portico.knowledge.urls")),
    path("console/reports/", include("portico.reports.urls")),
    path("console/", include("portico.console.urls")),
    path("", include("portico.service.urls")),
    path("", include("portico.portal.urls")),
    path("", include("portico.mail.urls")),
    path("", include("portico.surveys.urls")),
    path("admin/", admin.site.urls),
]
