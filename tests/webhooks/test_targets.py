"""No delivery to loopback, private or link-local addresses, checked after DNS
resolution, nor over plain HTTP, except to the hosts in PORTICO_WEBHOOK_ALLOWED_HOSTS.

Nothing here leaves the machine: the refused addresses are refused before any
connection, and the only name resolved is "localhost" (from /etc/hosts)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from portico.webhooks import services as webhooks
from portico.webhooks import targets
from portico.webhooks.models import Delivery, Subscription
from tests.webhooks.conftest import Receiver, admin, admin_user, send_due

# In production: nothing listed, names resolved and checked.
PRODUCTION = override_settings(
    PORTICO_WEBHOOK_ALLOWED_HOSTS=[], PORTICO_WEBHOOK_ALLOWED_HOSTS_ONLY=False
)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://hooks.example.com/in", "HTTPS only"),
        ("ftp://hooks.example.com/in", "https://"),
        ("https://10.0.0.1/in", "private"),
        ("https://169.254.169.254/latest/meta-data/", "link-local"),
        ("https://127.0.0.1:8443/in", "loopback"),
        ("https://[::1]/in", "loopback"),
        ("https://[::ffff:10.1.2.3]/in", "private"),
        ("https://0.0.0.0/in", "private"),
        ("https://224.0.0.1/in", "private"),
        ("https://100.64.0.1/in", "private"),
        ("https://user:pw@hooks.example.com/in", "password"),
        ("not a url", "https://"),
    ],
)
def test_a_url_that_may_not_be_subscribed(url: str, says: str) -> None:
    with PRODUCTION, pytest.raises(ValidationError) as refused:
        webhooks.clean_url(url)
    assert says in " ".join(refused.value.messages)


def test_a_public_https_url_is_accepted_without_resolving_it() -> None:
    with PRODUCTION:
        assert webhooks.clean_url(" https://hooks.example.com/in ") == (
            "https://hooks.example.com/in"
        )


def test_a_listed_host_may_be_plain_http() -> None:
    with override_settings(PORTICO_WEBHOOK_ALLOWED_HOSTS=["127.0.0.1", "[::1]"]):
        assert webhooks.clean_url("http://127.0.0.1:9000/in")
        assert webhooks.clean_url("http://[::1]:9000/in")
    with PRODUCTION, pytest.raises(ValidationError):
        webhooks.clean_url("http://127.0.0.1:9000/in")


def test_a_name_resolving_to_loopback_is_refused_unless_listed() -> None:
    with PRODUCTION, pytest.raises(targets.Refused, match=r"resolves to .*not a public"):
        targets.resolve("https://localhost/in")
    with override_settings(PORTICO_WEBHOOK_ALLOWED_HOSTS=["localhost"]):
        target = targets.resolve("http://localhost:9/in?x=1")
    assert set(target.addresses) <= {"127.0.0.1", "::1"}
    assert (target.host, target.port, target.path) == ("localhost", 9, "/in?x=1")


def test_the_test_settings_contact_no_unlisted_host() -> None:
    # Refused before any DNS look-up: no test (schemathesis included) leaves the machine.
    with pytest.raises(targets.Refused, match="not in PORTICO_WEBHOOK_ALLOWED_HOSTS"):
        targets.resolve("https://hooks.example.com/in")


def _stored(url: str) -> Subscription:
    # As if subscribed before the rules tightened (or by DNS that changed since).
    return Subscription.objects.create(owner=admin(), url=url, events=["*"])


@pytest.mark.parametrize(
    "url",
    ["http://hooks.example.com/in", "https://10.0.0.1/in", "https://169.254.169.254/x"],
)
def test_a_refused_address_is_a_failed_attempt_and_never_contacted(
    demo_data: None, url: str
) -> None:
    subscription = _stored(url)
    row = webhooks.ping(actor=admin_user(), subscription=subscription)
    with PRODUCTION:
        assert send_due().failed == 1
    row.refresh_from_db()
    assert row.last_status is None
    assert row.last_error.startswith("Refused:")


def test_a_listed_host_that_is_removed_is_refused(
    subscription: Subscription, receiver: Receiver
) -> None:
    row = webhooks.ping(actor=admin_user(), subscription=subscription)
    with PRODUCTION:
        send_due()
    assert receiver.received == []
    row.refresh_from_db()
    assert "HTTPS only" in row.last_error
    assert Delivery.objects.get(pk=row.pk).state == "pending"
