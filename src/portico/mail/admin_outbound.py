"""Systems Admin for what customers are sent: the templates (placeholders checked on
save, a preview with example values), which messages each application sends, and what
the mail system has told us of each address (bounces; clearing a suppression once the
address is fixed)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override

from portico.mail import templates
from portico.mail.models import Address, ApplicationMail, Template


class TemplateForm(forms.ModelForm[Template]):
    class Meta:
        model = Template
        fields = ("kind", "application", "language", "subject", "text", "html")
        help_texts = {
            "text": (
                "Placeholders are written {{ name }}; which ones each kind has is listed "
                "below. A line whose placeholder has no value is left out."
            )
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            templates.validate(
                data.get("kind", ""),
                subject=data.get("subject", ""),
                text=data.get("text", ""),
                html=data.get("html", ""),
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    self.add_error(field, problem)
        return data


# The preview is the message's own HTML, shown in a sandboxed frame: it may use the
# inline styles every mail uses, and nothing else (no script, no fetch, no form).
_PREVIEW_POLICY = {
    "default-src": ["'none'"],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["data:"],
    "frame-ancestors": ["'self'"],
    "sandbox": [""],
}


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin[Template]):
    form = TemplateForm
    list_display = ("kind", "application", "language", "subject", "updated_at")
    list_filter = ("kind", "language", "application")
    readonly_fields = ("placeholders", "preview")
    fieldsets = (
        (None, {"fields": ("kind", "application", "language")}),
        ("Words", {"fields": ("subject", "text", "html", "placeholders")}),
        ("Preview (as saved, with example values)", {"fields": ("preview",)}),
    )

    @admin.display(description="placeholders of this kind")
    def placeholders(self, template: Template) -> str:
        kinds = [template.kind] if template.kind else list(templates.VARIABLES)
        names = sorted({name for kind in kinds for name in templates.VARIABLES.get(kind, ())})
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li><code>{{{{ {} }}}}</code>: {}</li>",
                ((name, templates.DESCRIPTIONS.get(name, "")) for name in names),
            ),
        )

    @admin.display(description="preview")
    def preview(self, template: Template) -> str:
        if template.pk is None:
            return "Save the template to see it."
        rendered = templates.render(template, templates.sample_context(template.kind))
        frame = reverse("admin:mail_template_preview", args=[template.pk])
        return format_html(
            "<p><strong>Subject:</strong> [SI-000123] {}</p><pre>{}</pre>"
            '<iframe src="{}" sandbox title="The HTML message" '
            'width="640" height="480"></iframe>',
            rendered.subject,
            rendered.text,
            frame,
        )

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.html_preview)
        return [
            path("<int:pk>/preview/", view, name="mail_template_preview"),
            *super().get_urls(),
        ]

    def html_preview(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _html_preview(request, pk)

    def save_model(self, request: HttpRequest, obj: Template, form: Any, change: bool) -> None:
        from django.utils import timezone

        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)


@xframe_options_sameorigin
@csp_override(_PREVIEW_POLICY)
def _html_preview(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(Template, pk=pk)
    rendered = templates.render(template, templates.sample_context(template.kind))
    return HttpResponse(rendered.html)


@admin.register(ApplicationMail)
class ApplicationMailAdmin(admin.ModelAdmin[ApplicationMail]):
    list_display = (
        "application",
        "acknowledgement",
        "note",
        "waiting",
        "resolved",
        "closed",
        "thanks",
    )


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin[Address]):
    list_display = (
        "address",
        "sent",
        "hard_bounces",
        "soft_bounces",
        "last_bounce_at",
        "suppressed_at",
    )
    list_filter = (("suppressed_at", admin.EmptyFieldListFilter),)
    search_fields = ("address",)
    readonly_fields = (
        "address",
        "sent",
        "hard_bounces",
        "soft_bounces",
        "last_bounce_at",
        "last_bounce_reason",
    )
    actions = ("mark_fixed",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # rows are the mail system's reports, made as mail goes and bounces

    @admin.action(description="Fixed: mail these addresses again")
    def mark_fixed(self, request: HttpRequest, queryset: QuerySet[Address]) -> None:
        # The bounce counts start again, so that the next run of hard bounces is
        # counted from the fix.
        count = queryset.filter(suppressed_at__isnull=False).update(
            suppressed_at=None, hard_bounces=0, soft_bounces=0
        )
        messages.success(request, f"{count} address(es) will be mailed again.")
