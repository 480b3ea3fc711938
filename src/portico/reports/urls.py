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
    path("people/export.<str:fmt>", views.people_export, name="people-export"),
    path("products/export.<str:fmt>", views.products_export, name="products-export"),
    path("portal/export.<str:fmt>", views.portal_export, name="portal-export"),
    path("satisfaction/", views.satisfaction, name="satisfaction"),
    path("money/", views.money, name="money"),
    path("money/export.<str:fmt>", views.money_export, name="money-export"),
]
