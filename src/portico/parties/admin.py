from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from portico.audit.models import Channel
from portico.parties import services
from portico.parties.models import Individual, Organization, User, UserGroup, Zone
from portico.widgets import TypedText


@admin.register(Zone)
class ZoneAdmin(admin.ModelAdmin[Zone]):
    list_display = ("name", "code", "position", "description")
    prepopulated_fields = {"code": ("name",)}


@admin.register(UserGroup)
class UserGroupAdmin(admin.ModelAdmin[UserGroup]):
    list_display = ("name", "portal")
    list_filter = ("portal",)
    filter_horizontal = ("zones",)


class OrganizationAdminForm(ModelForm[Organization]):
    class Meta:
        model = Organization
        fields = (
            "name",
            "kind",
            "parent",
            "account_number",
            "territory",
            "area",
            "address",
            "city",
            "postcode",
            "country",
            "phone",
            "email",
            "website",
            "active",
            "supervisor",
            "account_owner",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            services.clean_organization_people(
                kind=data.get("kind") or "",
                supervisor=data.get("supervisor"),
                account_owner=data.get("account_owner"),
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                self.add_error(field, problems)
        return data


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin[Organization]):
    form = OrganizationAdminForm
    list_display = (
        "name",
        "kind",
        "parent",
        "account_number",
        "territory",
        "area",
        "account_owner",
        "active",
    )
    list_select_related = ("parent", "account_owner")
    list_filter = ("kind", "active", "territory")
    search_fields = ("name", "account_number")
    # Thousands of people at scale: chosen by search, not from one long list.
    autocomplete_fields = ("supervisor", "account_owner")


class IndividualAdminForm(ModelForm[Individual]):
    """The contact details judged by the rules the portal and the console use
    (`services.clean_contact_details`), in their words, and stored tidied as they do."""

    first_name = TypedText(label="First name")
    last_name = TypedText(label="Last name")
    job_title = TypedText(label="Job title")
    phone = TypedText(label="Phone")
    mobile = TypedText(label="Mobile")

    class Meta:
        model = Individual
        fields = (
            "user",
            "organization",
            "user_group",
            "supervisor",
            "first_name",
            "last_name",
            "job_title",
            "email",
            "phone",
            "mobile",
            "time_zone",
            "birthday",
            "customer_since",
            "active",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            tidied = services.clean_contact_details(
                **{field: data.get(field) or "" for field in services.CONTACT_FIELDS}
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field, messages)
        else:
            data.update(tidied)
        try:
            data["time_zone"] = services.clean_time_zone(data.get("time_zone") or "")
        except ValidationError as error:
            self.add_error("time_zone", error.message_dict["time_zone"])
        return data


@admin.register(Individual)
class IndividualAdmin(admin.ModelAdmin[Individual]):
    form = IndividualAdminForm
    list_display = ("name", "organization", "user_group", "email", "active")
    list_filter = ("user_group", "active")
    search_fields = ("first_name", "last_name", "email", "organization__name")
    list_select_related = ("organization", "user_group")
    autocomplete_fields = ("organization",)
    raw_id_fields = ("user",)
    # Consent to news is the person's own to give or take back (the portal, the
    # unsubscribe link), never an administrator's: shown, not editable.
    readonly_fields = ("left_at", "created_at", "news_opted_in_at")
    actions = ("deactivate",)

    def save_model(
        self, request: HttpRequest, obj: Individual, form: ModelForm[Individual], change: bool
    ) -> None:
        # Leaving goes through the service so that sessions end and the trail records it.
        leaving = change and "active" in form.changed_data and not obj.active
        if leaving:
            obj.active = True
        super().save_model(request, obj, form, change)
        if leaving:
            services.deactivate_individual(
                individual=obj, actor=request.user, channel=Channel.ADMIN
            )
        elif change and "active" in form.changed_data and obj.active:
            obj.active = False
            services.reactivate_individual(
                individual=obj, actor=request.user, channel=Channel.ADMIN
            )

    @admin.action(description="Deactivate: the person has left")
    def deactivate(self, request: HttpRequest, queryset: QuerySet[Individual]) -> None:
        for individual in queryset.select_related("user"):
            services.deactivate_individual(
                individual=individual, actor=request.user, channel=Channel.ADMIN
            )
        messages.success(request, f"{queryset.count()} deactivated; their sessions ended.")


@admin.register(User)
class UserAdmin(admin.ModelAdmin[User]):
    list_display = ("email", "is_active", "last_login")
    search_fields = ("email",)
    fields = ("email", "is_active", "last_login", "date_joined")
    readonly_fields = ("last_login", "date_joined")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
