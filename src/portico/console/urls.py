from django.urls import path

from portico.console import lookup
from portico.console.views import export, forms, home, lists, phone, transaction
from portico.console.views import me as my_profile

app_name = "console"
urlpatterns = [
    path("", home.home, name="home"),
    path("notifications/", home.notifications, name="notifications"),
    path("transactions/", lists.transaction_list, name="transactions"),
    path("transactions/export.<str:fmt>", export.transactions, name="transactions-export"),
    path("transactions/views/", lists.save_view, name="save-view"),
    path("transactions/views/<int:pk>/delete/", lists.delete_view, name="delete-view"),
    path("transactions/new/", phone.create, name="create"),
    path("transactions/<str:number>/", transaction.detail, name="transaction"),
    path("transactions/<str:number>/profile/", transaction.profile, name="profile"),
    path("transactions/<str:number>/money/", transaction.money, name="money"),
    path("transactions/<str:number>/status/", transaction.status, name="status"),
    path("transactions/<str:number>/text/", transaction.edit_text, name="edit-text"),
    path("transactions/<str:number>/notes/", transaction.add_note, name="add-note"),
    path("transactions/<str:number>/files/", transaction.upload, name="upload"),
    path("transactions/<str:number>/email/", transaction.email_reply, name="email-reply"),
    path(
        "transactions/<str:number>/files/<int:attachment_id>/delete/",
        transaction.delete_file,
        name="delete-file",
    ),
    path("transactions/<str:number>/relations/", transaction.relate, name="relate"),
    path("transactions/<str:number>/grants/", transaction.add_grant, name="add-grant"),
    path(
        "transactions/<str:number>/grants/<int:grant_id>/delete/",
        transaction.remove_grant,
        name="remove-grant",
    ),
    path("transactions/<str:number>/assign/", transaction.assign, name="assign"),
    path("transactions/<str:number>/forward/", transaction.forward, name="forward"),
    path("transactions/<str:number>/follow-up/", transaction.follow_up, name="follow-up"),
    path("transactions/<str:number>/panels/<str:name>/", transaction.panel, name="panel"),
    path("transactions/<str:number>/contacts/", lookup.contact_lookup, name="contacts"),
    path("find/", phone.find, name="find"),
    path("people/<int:pk>/", phone.individual, name="individual"),
    path("organizations/<int:pk>/", phone.organization, name="organization"),
    path("organizations/lookup/", lookup.organization_lookup, name="organization-lookup"),
    path("profile/", my_profile.profile, name="me"),
    path("profile/tokens/", my_profile.create_token, name="me-create-token"),
    path("profile/tokens/<int:token_id>/revoke/", my_profile.revoke_token, name="me-revoke-token"),
    path("forms/", forms.form_list, name="forms"),
    path("forms/<int:pk>/results/", forms.results, name="form-results"),
    path("forms/<int:pk>/results.csv", forms.results_csv, name="form-results-csv"),
]
