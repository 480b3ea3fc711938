from typing import Any

from django import forms
from django.contrib import admin

from portico import access
from portico.service.models import (
    Application,
    ApplicationRight,
    BusinessCalendar,
    Choice,
    Classification,
    Closure,
    DefaultGrant,
    Grant,
    Note,
    Permission,
    Priority,
    ProfileField,
    Status,
    Transaction,
)


class ChoiceForm(forms.ModelForm[Choice]):
    class Meta:
        model = Choice
        fields = ("code", "label", "position", "active", "owner")

    def clean_owner(self) -> Any:
        # A product's owner is told of its transactions by automation rules (issue 22):
        # someone on the staff, never a customer.
        owner = self.cleaned_data.get("owner")
        if owner is not None and not access.is_staff_member(owner):
            raise forms.ValidationError("The owner is a member of staff.")
        return owner


class ChoiceInline(admin.TabularInline[Choice, Classification]):
    model = Choice
    form = ChoiceForm
    extra = 1
    autocomplete_fields = ("owner",)


@admin.register(Classification)
class ClassificationAdmin(admin.ModelAdmin[Classification]):
    list_display = ("name", "code", "kind", "audience")
    inlines = [ChoiceInline]


class ProfileFieldInline(admin.TabularInline[ProfileField, Application]):
    model = ProfileField
    extra = 1


class StatusInline(admin.TabularInline[Status, Application]):
    model = Status
    extra = 0
    fields = ("code", "name", "category", "initial", "position")


class DefaultGrantInline(admin.TabularInline[DefaultGrant, Application]):
    model = DefaultGrant
    extra = 0


class ApplicationRightInline(admin.TabularInline[ApplicationRight, Application]):
    model = ApplicationRight
    extra = 0


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin[Application]):
    list_display = ("name", "prefix", "team", "reopen_days", "active")
    inlines = [ProfileFieldInline, StatusInline, DefaultGrantInline, ApplicationRightInline]


@admin.register(Status)
class StatusAdmin(admin.ModelAdmin[Status]):
    list_display = ("name", "application", "category", "initial")
    list_filter = ("application",)
    filter_horizontal = ("next_statuses",)


@admin.register(Permission)
class PermissionAdmin(admin.ModelAdmin[Permission]):
    list_display = (
        "name",
        "is_standard",
        "decides_access",
        "view",
        "edit_profile",
        "add_shared_note",
        "add_internal_note",
        "manage_grants",
        "on_task_list",
    )

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        # The standard six are part of the seed's vocabulary; custom ones may go.
        return obj is None or not obj.is_standard


@admin.register(Priority)
class PriorityAdmin(admin.ModelAdmin[Priority]):
    list_display = ("code", "name", "response_minutes", "resolution_minutes")


class ClosureInline(admin.TabularInline[Closure, BusinessCalendar]):
    model = Closure
    extra = 1


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin[BusinessCalendar]):
    list_display = ("name", "is_default", "time_zone", "opens", "closes", "country", "subdivision")
    inlines = [ClosureInline]


class GrantInline(admin.TabularInline[Grant, Transaction]):
    model = Grant
    extra = 0
    fields = ("individual", "organization", "permission", "granted_at", "granted_by")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class NoteInline(admin.TabularInline[Note, Transaction]):
    model = Note
    extra = 0
    fields = ("created_at", "author", "channel", "direction", "visibility", "body")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Transaction)
class TransactionAdmin(admin.ModelAdmin[Transaction]):
    """Read-only: changes go through the services (and so the access rules and the
    trail), which the console's pages call."""

    list_display = (
        "number",
        "title",
        "application",
        "status",
        "priority",
        "organization",
        "due_at",
    )
    list_select_related = ("application", "status", "priority", "organization")
    list_filter = ("application", "priority")
    search_fields = ("number", "title")
    show_full_result_count = False
    inlines = [GrantInline, NoteInline]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
