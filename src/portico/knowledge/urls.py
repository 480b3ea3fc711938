"""The shared knowledge pages under /help/, and the editors' pages in the console."""

from django.urls import path

from portico.knowledge import editor, views

app_name = "knowledge"
urlpatterns = [
    path("help/", views.home, name="home"),
    path("help/search/", views.search_page, name="search"),
    path("help/suggest/", views.suggest, name="suggest"),
    path("help/articles/<slug:slug>/", views.article, name="article"),
    path("help/articles/<slug:slug>/feedback/", views.feedback, name="feedback"),
    path("help/articles/<slug:slug>/solved/", views.solved, name="solved"),
    path("help/topics/<slug:slug>/", views.category, name="category"),
    path("help/faqs/", views.faqs, name="faqs"),
    path("help/faqs/<int:faq_id>/", views.faq, name="faq"),
    path("help/downloads/", views.documents, name="documents"),
    path("help/downloads/<int:document_id>/", views.download, name="download"),
    path("help/news/", views.news, name="news"),
    path("help/news/<int:news_id>/", views.news_item, name="news-item"),
    path("console/knowledge/", editor.articles, name="editor"),
    path("console/knowledge/new/", editor.edit, name="new"),
    path("console/knowledge/<int:article_id>/edit/", editor.edit, name="edit"),
    path(
        "console/transactions/<str:number>/draft-article/",
        editor.draft_from_transaction,
        name="draft-from-transaction",
    ),
]
