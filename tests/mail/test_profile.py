"""A person's e-mail settings on their portal profile page: opting out of mail not about
their own requests (and back in), and the language they are written in — only among
the languages there are messages in."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.test import Client

from portico.audit.models import Event
from portico.mail.models import Kind, Template
from tests.console.test_lists import individual

Clients = Callable[[str], Client]


def test_a_customer_opts_out_and_back_in_on_their_profile(client_for: Clients) -> None:
    client = client_for("customer")
    page = client.get("/portal/profile/").content.decode()
    assert "E-mail from us" in page
    assert 'action="/portal/profile/mail/"' in page
    response = client.post("/portal/profile/mail/", {"only_own": "on", "language": ""})
    assert response.status_code == 302
    assert individual("customer").mail_opted_out_at is not None
    event = Event.objects.get(action="individual.mail_opted_out")
    assert event.data["via"] == "profile"
    assert event.actor == individual("customer").user
    page = client.get("/portal/profile/").content.decode()
    assert re.search(r'<input type="checkbox" name="only_own"[^>]* checked', page)
    client.post("/portal/profile/mail/", {"language": ""})
    assert individual("customer").mail_opted_out_at is None
    assert Event.objects.filter(action="individual.mail_opted_in").count() == 1


def test_only_a_language_with_messages_can_be_chosen(client_for: Clients) -> None:
    client = client_for("colleague")
    page = client.get("/portal/profile/").content.decode()
    assert '<option value="fr"' not in page
    refused = client.post("/portal/profile/mail/", {"language": "fr"})
    assert refused.status_code == 400
    assert "fr is not one of the available choices" in refused.content.decode()
    assert individual("colleague").language == ""
    Template.objects.create(kind=Kind.ACKNOWLEDGEMENT, language="fr", subject="s", text="t")
    assert '<option value="fr"' in client.get("/portal/profile/").content.decode()
    assert client.post("/portal/profile/mail/", {"language": "fr"}).status_code == 302
    assert individual("colleague").language == "fr"
    assert individual("colleague").mail_opted_out_at is None  # the box was left unticked


def test_the_settings_page_is_a_post(client_for: Clients) -> None:
    assert client_for("customer").get("/portal/profile/mail/").status_code == 405
