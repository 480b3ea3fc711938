from django.urls import path

from portico.surveys import views

app_name = "surveys"
urlpatterns = [
    path("survey/<str:token>/", views.answer, name="answer"),
]
