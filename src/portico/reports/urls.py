from django.urls import path

from portico.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.service, name="service"),
    path("products/", views.products, name="products"),
]
