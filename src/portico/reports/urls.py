from django.urls import path

from portico.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.service, name="service"),
    path("export.<str:fmt>", views.service_export, name="service-export"),
    path("products/", views.products, name="products"),
    path("people/", views.people, name="people"),
    path("portal/", views.portal, name="portal"),
    path("schedules/", views.schedule, name="schedule"),
    path("satisfaction/", views.satisfaction, name="satisfaction"),
]
