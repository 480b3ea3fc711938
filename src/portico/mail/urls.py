from django.urls import path

from portico.mail import views

app_name = "mail"
urlpatterns = [
    path("mail/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("mail/news/<str:token>/", views.news, name="news"),
]
