from django.urls import path

from portico.portal import views

app_name = "portal"
urlpatterns = [
    path("portal/", views.customer_home, name="customer-home"),
    path("partners/", views.partner_home, name="partner-home"),
    path("employees/", views.employee_home, name="employee-home"),
]
