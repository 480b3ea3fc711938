from django.urls import path

from portico.service import views

app_name = "service"
urlpatterns = [
    path(
        "transactions/<str:number>/files/<int:attachment_id>/",
        views.download_attachment,
        name="attachment",
    ),
]
