"""Mail in, in Systems Admin: the mailboxes Portico reads (with their IMAP settings and
the last poll's result), and every message mail-in was handed, read-only, by outcome
with its reason. The staff read a message's headers and text, download it as it came,
and release a quarantined one (`inbound.release`)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import truncatechars
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from portico.mail import inbound, parsing
from portico.mail.models import Inbound, Mailbox
from portico.parties.models import User
from portico.service.views import serve_file


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin[Mailbox]):
    list_display = (
        "name",
        "address",
        "application",
        "active",
        "unknown_senders",
        "imap_host",
        "last_polled_at",
        "poll_error",
    )
    list_filter = ("active", "application")
    search_fields = ("name", "address")
    readonly_fields = ("last_polled_at", "last_poll_error")
    fieldsets = (
        (None, {"fields": ("name", "address", "application", "active")}),
        ("Mail from unknown addresses", {"fields": ("unknown_senders", "new_people_group")}),
        (
            "IMAP (portico mailin --imap); leave the host blank for mail relayed over SMTP/LMTP",
            {
                "fields": (
                    "imap_host",
                    "imap_port",
                    "imap_security",
                    "imap_username",
                    "imap_password_variable",
                    "imap_folder",
                    "last_polled_at",
                    "last_poll_error",
                )
            },
        ),
    )

    @admin.display(description="last poll error")
    def poll_error(self, mailbox: Mailbox) -> str:
        return truncatechars(mailbox.last_poll_error, 60)


@admin.register(Inbound)
class InboundAdmin(admin.ModelAdmin[Inbound]):
    list_display = (
        "received_at",
        "via",
        "from_address",
        "subject",
        "outcome",
        "short_reason",
        "transaction",
    )
    list_filter = ("outcome", "via", "mailbox")
    search_fields = ("from_address", "subject", "message_id")
    date_hierarchy = "received_at"
    actions = ("release_messages",)
    fields = (
        "received_at",
        "via",
        "mailbox",
        "envelope_from",
        "envelope_to",
        "message_id",
        "from_address",
        "subject",
        "size",
        "outcome",
        "reason",
        "sender",
        "transaction",
        "note",
        "reviewed_at",
        "download",
        "headers",
        "text",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Read-only: the record of what came in is never edited.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="reason")
    def short_reason(self, message: Inbound) -> str:
        return truncatechars(message.reason, 90)

    def _parsed(self, message: Inbound) -> parsing.Parsed | None:
        if not message.raw:
            return None
        with message.raw.open("rb") as stored:
            return parsing.parse(stored.read())

    @admin.display(description="headers")
    def headers(self, message: Inbound) -> str:
        parsed = self._parsed(message)
        if parsed is None:
            return "(the message was not kept)"
        lines = "\n".join(f"{name}: {value}" for name, value in parsed.headers)
        # format_html escapes the text: a header is whatever the sender wrote.
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', lines)

    @admin.display(description="text")
    def text(self, message: Inbound) -> str:
        parsed = self._parsed(message)
        if parsed is None:
            return ""
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', parsed.text)

    @admin.display(description="message")
    def download(self, message: Inbound) -> str:
        if not message.raw:
            return "(not kept)"
        url = reverse("admin:mail_inbound_raw", args=[message.pk])
        return format_html('<a href="{}">Download the message as it came (.eml)</a>', url)

    def get_urls(self) -> list[URLPattern]:
        raw = path(
            "<int:pk>/raw/",
            self.admin_site.admin_view(self.raw_view),
            name="mail_inbound_raw",
        )
        return [raw, *super().get_urls()]

    def raw_view(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        if not self.has_view_permission(request):
            raise PermissionDenied
        message = get_object_or_404(Inbound, pk=pk)
        if not message.raw:
            raise PermissionDenied("The message was not kept.")
        # Always a download, never shown: what a stranger wrote is not a page of ours.
        # message/rfc822 is not an inline type, so it goes out as opaque bytes.
        return serve_file(message.raw, "message/rfc822", f"inbound-{message.pk}.eml")

    @admin.action(description="Release (process the quarantined message)")
    def release_messages(self, request: HttpRequest, queryset: QuerySet[Inbound]) -> None:
        actor = request.user
        if not isinstance(actor, User):
            raise PermissionDenied
        for message in queryset:
            try:
                released = inbound.release(message, by=actor)
            except ValidationError as error:
                messages.error(request, f"{message}: {' '.join(error.messages)}")
                continue
            messages.success(
                request, f"{message}: {released.get_outcome_display()}. {released.reason}"
            )
