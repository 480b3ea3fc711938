"""Systems Admin for what customers are sent: a template with a placeholder its kind has
not got is refused on save; the preview shows the message with example values, its
HTML in a sandboxed frame under a policy that lets it run nothing; an address that
bounced is mailed again once someone marks it fixed."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.utils import timezone

from portico.mail.models import Address, Kind, Template

Clients = Callable[[str], Client]


def _form(template: Template, **changes: str) -> dict[str, str]:
    data = {
        "kind": template.kind,
        "application": "",
        "language": template.language,
        "subject": template.subject,
        "text": template.text,
        "html": template.html,
    }
    return data | changes


def test_a_template_with_a_foreign_placeholder_is_not_saved(client_for: Clients) -> None:
    admin = client_for("administrator")
    ack = Template.objects.get(kind=Kind.ACKNOWLEDGEMENT, application=None, language="en")
    url = f"/admin/mail/template/{ack.pk}/change/"
    refused = admin.post(url, _form(ack, text="Resolved: {{ resolution }}"))
    assert refused.status_code == 200  # the form again, with the error
    assert "{{ resolution }}: not a placeholder of this kind" in refused.content.decode()
    tags = admin.post(url, _form(ack, html="{% load static %}<p>{{ title }}</p>"))
    assert "no tags, no filters" in tags.content.decode()
    ack.refresh_from_db()
    assert "{{ resolution }}" not in ack.text
    saved = admin.post(url, _form(ack, subject="Logged: {{ title }} ({{ number }})"))
    assert saved.status_code == 302
    ack.refresh_from_db()
    assert ack.subject == "Logged: {{ title }} ({{ number }})"


def test_the_preview_shows_the_message_and_runs_nothing(client_for: Clients) -> None:
    admin = client_for("administrator")
    note = Template.objects.get(kind=Kind.NOTE, application=None, language="en")
    Template.objects.filter(pk=note.pk).update(html="<p>{{ note }}</p><script>alert(1)</script>")
    page = admin.get(f"/admin/mail/template/{note.pk}/change/").content.decode()
    assert "[SI-000123]" in page
    assert "We have sent an engineer" in page  # the example note, in the plain text
    assert f'src="/admin/mail/template/{note.pk}/preview/" sandbox' in page
    frame = admin.get(f"/admin/mail/template/{note.pk}/preview/")
    assert frame.status_code == 200
    html = frame.content.decode()
    assert "We have sent an engineer" in html
    assert "<script" not in html
    policy = frame["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "sandbox" in policy
    assert "frame-ancestors 'self'" in policy
    assert frame["X-Frame-Options"] == "SAMEORIGIN"
    # Only for administrators, as every admin page.
    assert client_for("csr").get(f"/admin/mail/template/{note.pk}/preview/").status_code == 403


def test_an_address_marked_fixed_is_mailed_again(client_for: Clients) -> None:
    gone = Address.objects.create(
        address="gone@example.com", hard_bounces=3, suppressed_at=timezone.now()
    )
    admin = client_for("administrator")
    listing = admin.get("/admin/mail/address/").content.decode()
    assert "gone@example.com" in listing
    admin.post(
        "/admin/mail/address/",
        {"action": "mark_fixed", "_selected_action": [str(gone.pk)]},
    )
    gone.refresh_from_db()
    assert gone.suppressed_at is None
    assert gone.hard_bounces == 0


def test_the_switches_of_an_application(client_for: Clients) -> None:
    admin = client_for("administrator")
    assert admin.get("/admin/mail/applicationmail/add/").status_code == 200
