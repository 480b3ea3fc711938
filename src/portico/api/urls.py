from django.urls import URLPattern, URLResolver, path, re_path
from drf_spectacular.renderers import (
    OpenApiJsonRenderer,
    OpenApiJsonRenderer2,
    OpenApiYamlRenderer,
    OpenApiYamlRenderer2,
)
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny

from portico.api import knowledge_views as knowledge
from portico.api import views
from portico.webhooks import api as webhooks

app_name = "api"

_TRANSACTION = "transactions/<str:number>/"
_KNOWLEDGE = "knowledge/"
_WEBHOOK = "webhooks/<int:pk>/"

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "schema/",
        SpectacularAPIView.as_view(
            permission_classes=[AllowAny],
            # The OpenAPI media types first (the default stays
            # application/vnd.oai.openapi+json), then the plain ones most clients and
            # tools send in Accept: application/json and application/yaml.
            renderer_classes=[
                OpenApiJsonRenderer,
                OpenApiYamlRenderer,
                OpenApiJsonRenderer2,
                OpenApiYamlRenderer2,
            ],
        ),
        name="schema",
    ),
    path("docs/", views.docs, name="docs"),
    path("organizations/", views.OrganizationList.as_view(), name="organizations"),
    path("organizations/<int:pk>/", views.OrganizationDetail.as_view(), name="organization"),
    path("individuals/", views.IndividualList.as_view(), name="individuals"),
    path("individuals/<int:pk>/", views.IndividualDetail.as_view(), name="individual"),
    path("applications/", views.ApplicationList.as_view(), name="applications"),
    path("applications/<slug:code>/", views.ApplicationDetail.as_view(), name="application"),
    path("classifications/", views.ClassificationList.as_view(), name="classifications"),
    path(
        "classifications/<slug:code>/",
        views.ClassificationDetail.as_view(),
        name="classification",
    ),
    path("priorities/", views.PriorityList.as_view(), name="priorities"),
    path("permissions/", views.PermissionList.as_view(), name="permissions"),
    path("transactions/", views.TransactionList.as_view(), name="transactions"),
    path(_TRANSACTION, views.TransactionDetail.as_view(), name="transaction"),
    path(f"{_TRANSACTION}status/", views.TransactionStatus.as_view(), name="status"),
    path(f"{_TRANSACTION}assign/", views.TransactionAssign.as_view(), name="assign"),
    path(f"{_TRANSACTION}withdraw/", views.TransactionWithdraw.as_view(), name="withdraw"),
    path(f"{_TRANSACTION}reopen/", views.TransactionReopen.as_view(), name="reopen"),
    path(f"{_TRANSACTION}notes/", views.NoteList.as_view(), name="notes"),
    path(f"{_TRANSACTION}attachments/", views.AttachmentList.as_view(), name="attachments"),
    path(
        f"{_TRANSACTION}attachments/<int:attachment_id>/",
        views.AttachmentDetail.as_view(),
        name="attachment",
    ),
    path(
        f"{_TRANSACTION}attachments/<int:attachment_id>/content/",
        views.AttachmentContent.as_view(),
        name="attachment-content",
    ),
    path(f"{_TRANSACTION}history/", views.EventList.as_view(), name="history"),
    path(f"{_TRANSACTION}grants/", views.GrantList.as_view(), name="grants"),
    path(f"{_TRANSACTION}grants/<int:grant_id>/", views.GrantDetail.as_view(), name="grant"),
    path(f"{_TRANSACTION}relations/", views.RelationList.as_view(), name="relations"),
    path("tasks/", views.TaskList.as_view(), name="tasks"),
    path("tokens/", views.TokenList.as_view(), name="tokens"),
    path("tokens/<int:pk>/", views.TokenDetail.as_view(), name="token"),
    path(f"{_KNOWLEDGE}articles/", knowledge.ArticleList.as_view(), name="knowledge-articles"),
    path(
        f"{_KNOWLEDGE}articles/<slug:slug>/",
        knowledge.ArticleDetail.as_view(),
        name="knowledge-article",
    ),
    path(f"{_KNOWLEDGE}search/", knowledge.KnowledgeSearch.as_view(), name="knowledge-search"),
    path(f"{_KNOWLEDGE}faqs/", knowledge.FaqList.as_view(), name="knowledge-faqs"),
    path(f"{_KNOWLEDGE}faqs/<int:faq_id>/", knowledge.FaqDetail.as_view(), name="knowledge-faq"),
    path(f"{_KNOWLEDGE}news/", knowledge.NewsList.as_view(), name="knowledge-news"),
    path(
        f"{_KNOWLEDGE}news/<int:news_id>/",
        knowledge.NewsDetail.as_view(),
        name="knowledge-news-item",
    ),
    path(f"{_KNOWLEDGE}downloads/", knowledge.DownloadList.as_view(), name="knowledge-downloads"),
    path(
        f"{_KNOWLEDGE}downloads/<int:document_id>/",
        knowledge.DownloadDetail.as_view(),
        name="knowledge-download",
    ),
    path(
        f"{_KNOWLEDGE}downloads/<int:document_id>/content/",
        knowledge.DownloadContent.as_view(),
        name="knowledge-download-content",
    ),
    path("webhooks/", webhooks.WebhookList.as_view(), name="webhooks"),
    path(_WEBHOOK, webhooks.WebhookDetail.as_view(), name="webhook"),
    path(
        f"{_WEBHOOK}rotate-secret/",
        webhooks.WebhookRotateSecret.as_view(),
        name="webhook-rotate-secret",
    ),
    path(f"{_WEBHOOK}ping/", webhooks.WebhookPing.as_view(), name="webhook-ping"),
    path(f"{_WEBHOOK}deliveries/", webhooks.WebhookDeliveries.as_view(), name="webhook-deliveries"),
    path(
        f"{_WEBHOOK}deliveries/<int:delivery_id>/redeliver/",
        webhooks.WebhookRedeliver.as_view(),
        name="webhook-redeliver",
    ),
    # Last: anything else under /api/v1/ is a 404 in the API's error shape.
    re_path(r"^", views.NotFound.as_view(), name="not-found"),
]
