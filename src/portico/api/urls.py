from django.urls import URLPattern, URLResolver, path, re_path
from drf_spectacular.renderers import (
    OpenApiJsonRenderer,
    OpenApiJsonRenderer2,
    OpenApiYamlRenderer,
    OpenApiYamlRenderer2,
)
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny

from portico.api.views import (
    attachments,
    events,
    forms,
    grants,
    history,
    knowledge,
    lifecycle,
    notes,
    parties,
    reference,
    relations,
    setup,
    tokens,
    transactions,
)
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
    path("docs/", reference.docs, name="docs"),
    path("organizations/", parties.OrganizationList.as_view(), name="organizations"),
    path("organizations/<int:pk>/", parties.OrganizationDetail.as_view(), name="organization"),
    path("individuals/", parties.IndividualList.as_view(), name="individuals"),
    path("individuals/<int:pk>/", parties.IndividualDetail.as_view(), name="individual"),
    path("applications/", setup.ApplicationList.as_view(), name="applications"),
    path("applications/<slug:code>/", setup.ApplicationDetail.as_view(), name="application"),
    path("classifications/", setup.ClassificationList.as_view(), name="classifications"),
    path(
        "classifications/<slug:code>/",
        setup.ClassificationDetail.as_view(),
        name="classification",
    ),
    path("priorities/", setup.PriorityList.as_view(), name="priorities"),
    path("permissions/", setup.PermissionList.as_view(), name="permissions"),
    path("transactions/", transactions.TransactionList.as_view(), name="transactions"),
    path(_TRANSACTION, transactions.TransactionDetail.as_view(), name="transaction"),
    path(f"{_TRANSACTION}status/", lifecycle.TransactionStatus.as_view(), name="status"),
    path(f"{_TRANSACTION}assign/", lifecycle.TransactionAssign.as_view(), name="assign"),
    path(f"{_TRANSACTION}withdraw/", lifecycle.TransactionWithdraw.as_view(), name="withdraw"),
    path(f"{_TRANSACTION}reopen/", lifecycle.TransactionReopen.as_view(), name="reopen"),
    path(f"{_TRANSACTION}notes/", notes.NoteList.as_view(), name="notes"),
    path(f"{_TRANSACTION}attachments/", attachments.AttachmentList.as_view(), name="attachments"),
    path(
        f"{_TRANSACTION}attachments/<int:attachment_id>/",
        attachments.AttachmentDetail.as_view(),
        name="attachment",
    ),
    path(
        f"{_TRANSACTION}attachments/<int:attachment_id>/content/",
        attachments.AttachmentContent.as_view(),
        name="attachment-content",
    ),
    path(f"{_TRANSACTION}history/", history.EventList.as_view(), name="history"),
    path(f"{_TRANSACTION}grants/", grants.GrantList.as_view(), name="grants"),
    path(f"{_TRANSACTION}grants/<int:grant_id>/", grants.GrantDetail.as_view(), name="grant"),
    path(f"{_TRANSACTION}relations/", relations.RelationList.as_view(), name="relations"),
    path("tasks/", transactions.TaskList.as_view(), name="tasks"),
    path("events/", events.EventFeed.as_view(), name="events"),
    path("tokens/", tokens.TokenList.as_view(), name="tokens"),
    path("tokens/<int:pk>/", tokens.TokenDetail.as_view(), name="token"),
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
    path("forms/", forms.FormList.as_view(), name="forms"),
    path("forms/<int:form_id>/responses/", forms.FormResponses.as_view(), name="form-responses"),
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
    re_path(r"^", reference.NotFound.as_view(), name="not-found"),
]
