"""The unsubscribe link (issue 21): it works without logging in, GET changes nothing
(mail scanners follow links), POST opts out — a mail provider's one-click POST too,
with no CSRF token (RFC 8058) — and a link altered, expired or made for another purpose
or person is refused with the same page."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.test.utils import override_settings

from portico.access import links
from portico.audit.models import Event
from portico.mail import outbound
from portico.mail.models import Kind
from portico.notify.models import Delivery
from portico.parties.models import Individual
from tests.console.test_lists import individual
from tests.mail.conftest import make_mailbox
from tests.mail.test_outbound import portal_request, staff_note

Worker = Callable[[], int]


@pytest.fixture
def colleague(demo_people: None) -> Individual:
    return individual("colleague")


def _path(url: str) -> str:
    return url.split("://", 1)[1].partition("/")[2].join(["/", ""])


def test_a_message_to_a_contact_carries_a_working_one_click_unsubscribe(
    demo_people: None, worker: Worker
) -> None:
    make_mailbox(
        name="Support",
        address="support@portico.example",
        application=portal_request().application,
    )
    issue = portal_request()
    worker()
    note = staff_note(issue, "A word for your colleague.")
    colleague = individual("colleague")
    # A message to someone about a request that is not theirs: opting out applies.
    row = outbound.compose(Kind.NOTE, issue, colleague, note=note)
    assert isinstance(row, Delivery)
    link = row.headers["List-Unsubscribe"].strip("<>")
    assert row.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in row.body
    assert link in row.html
    # The mail provider's POST: no session, no CSRF token, the RFC 8058 body.
    provider = Client(enforce_csrf_checks=True)
    response = provider.post(
        _path(link),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    colleague.refresh_from_db()
    assert colleague.mail_opted_out_at is not None
    event = Event.objects.get(action="individual.mail_opted_out", subject_id=str(colleague.pk))
    assert event.data == {"via": "link", "address": colleague.email}
    # From now on the colleague is not written to about others' requests…
    assert outbound.compose(Kind.NOTE, issue, colleague, note=note) is None
    # …and about their own requests they still are.
    theirs = portal_request("Our own pump", by="colleague")
    worker()
    assert Delivery.objects.filter(transaction=theirs, address=colleague.email).exists()


def test_get_only_asks_and_post_opts_out(client: Client, colleague: Individual) -> None:
    url = _path(outbound.unsubscribe_link(colleague))
    page = client.get(url)
    assert page.status_code == 200
    assert "Stop these e-mails" in page.content.decode()
    colleague.refresh_from_db()
    assert colleague.mail_opted_out_at is None  # a scanner's GET changes nothing
    assert not Event.objects.filter(action="individual.mail_opted_out").exists()
    done = client.post(url)
    assert done.status_code == 200
    assert "will get no more e-mail" in done.content.decode()
    colleague.refresh_from_db()
    assert colleague.mail_opted_out_at is not None
    # Again: nothing more to do, nothing recorded twice.
    assert client.post(url).status_code == 200
    assert Event.objects.filter(action="individual.mail_opted_out").count() == 1


def _made_elsewhere(person: Individual) -> str:
    with override_settings(SECRET_KEY="another site's secret key, as long as ours"):
        return links.make(person, outbound.UNSUBSCRIBE)


def _refusals(colleague: Individual) -> dict[str, str]:
    good = links.make(colleague, outbound.UNSUBSCRIBE)
    return {
        "altered": good[:-2] + ("AA" if not good.endswith("AA") else "BB"),
        "expired": links.make(colleague, outbound.UNSUBSCRIBE, age=datetime.timedelta(seconds=-1)),
        "another purpose": links.make(colleague, "surveys.answer"),
        "another site's": _made_elsewhere(colleague),
        "garbage": "not-a-token",
    }


def test_links_that_do_not_open_are_refused_alike(client: Client, colleague: Individual) -> None:
    pages = set()
    for why, token in _refusals(colleague).items():
        for method in (client.get, client.post):
            response = method(f"/mail/unsubscribe/{token}/")
            assert response.status_code == 404, why
            # The page but its CSRF token and script nonce, new on every response.
            page = re.sub(rb'"X-CSRFToken": "[^"]*"', b"", response.content)
            pages.add(re.sub(rb'nonce="[^"]*"', b"", page))
    assert len(pages) == 1  # the same page, whatever was wrong
    assert b"This link is not valid any more" in pages.pop()
    colleague.refresh_from_db()
    assert colleague.mail_opted_out_at is None


def test_a_link_of_someone_who_has_left_is_refused(client: Client, colleague: Individual) -> None:
    url = _path(outbound.unsubscribe_link(colleague))
    Individual.objects.filter(pk=colleague.pk).update(active=False)
    assert client.post(url).status_code == 404


def test_the_link_stands_for_its_own_person_only(client: Client, colleague: Individual) -> None:
    customer = individual("customer")
    client.post(_path(outbound.unsubscribe_link(colleague)))
    customer.refresh_from_db()
    assert customer.mail_opted_out_at is None
