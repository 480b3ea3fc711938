"""A failed delivery is retried with the same id, backing off, for 24 hours; a
subscription that keeps failing is paused and its owner told; redirects are not
followed; only the last 50 deliveries are kept."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.core import mail
from django.utils import timezone

from portico.notify import delivery as outbox
from portico.notify.models import Delivery as Email
from portico.webhooks import delivery
from portico.webhooks import services as webhooks
from portico.webhooks.models import Delivery, Subscription
from tests.webhooks.conftest import Receiver, admin, admin_user, send_due


def _ping(subscription: Subscription) -> Delivery:
    return webhooks.ping(actor=admin_user(), subscription=subscription)


def _due_now(row: Delivery) -> None:
    Delivery.objects.filter(pk=row.pk).update(due_at=timezone.now())


def test_a_retry_after_a_500_carries_the_same_delivery_id(
    subscription: Subscription, receiver: Receiver
) -> None:
    receiver.answers = [500]
    row = _ping(subscription)
    assert send_due().failed == 1
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_status) == ("pending", 1, 500)
    assert "HTTP 500" in row.last_error
    _due_now(row)
    assert send_due().succeeded == 1
    first, second = receiver.received
    assert first.headers["X-Portico-Delivery"] == second.headers["X-Portico-Delivery"]
    assert first.json["id"] == second.json["id"] == str(row.delivery_id)
    # Each attempt says when it was sent, and is signed with that.
    assert first.json["sent_at"] <= second.json["sent_at"]
    assert first.signed_with(subscription.secret)
    assert second.signed_with(subscription.secret)
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_status) == ("succeeded", 2, 200)
    subscription.refresh_from_db()
    assert subscription.consecutive_failures == 0
    assert subscription.failing_since is None


def test_failed_attempts_back_off_exponentially(
    subscription: Subscription, receiver: Receiver
) -> None:
    receiver.answers = [503] * 4
    row = _ping(subscription)
    waits = []
    for _ in range(4):
        before = timezone.now()
        send_due()
        row.refresh_from_db()
        waits.append(round((row.due_at - before).total_seconds()))
        # Not due yet: another pass sends nothing.
        assert send_due().failed == 0
        _due_now(row)
    assert waits == [30, 60, 120, 240]
    assert delivery.backoff(30) == datetime.timedelta(hours=2)
    subscription.refresh_from_db()
    assert subscription.consecutive_failures == 4
    assert subscription.active


def test_a_delivery_is_given_up_after_24_hours(
    subscription: Subscription, receiver: Receiver
) -> None:
    receiver.answers = [500]
    row = _ping(subscription)
    Delivery.objects.filter(pk=row.pk).update(
        retry_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    send_due()
    row.refresh_from_db()
    assert row.state == "failed"
    assert row.given_up_at is not None
    _due_now(row)
    assert send_due().failed + send_due().succeeded == 0
    assert len(receiver.received) == 1
    # Redelivered by hand: the same id and body, a fresh 24 hours.
    webhooks.redeliver(delivery=row)
    assert send_due().succeeded == 1
    assert receiver.received[1].json["id"] == receiver.received[0].json["id"]
    row.refresh_from_db()
    assert row.state == "succeeded"
    assert row.retry_until > timezone.now() + datetime.timedelta(hours=23)


def test_a_subscription_failing_for_24_hours_is_paused_and_its_owner_told(
    subscription: Subscription, receiver: Receiver, worker: Callable[[], int]
) -> None:
    receiver.answers = [500] * 2
    Subscription.objects.filter(pk=subscription.pk).update(
        consecutive_failures=delivery.PAUSE_AFTER - 2,
        failing_since=timezone.now() - datetime.timedelta(hours=25),
    )
    row = _ping(subscription)
    send_due()  # the (PAUSE_AFTER - 1)th failure in a row: not yet
    subscription.refresh_from_db()
    assert subscription.active
    _due_now(row)
    send_due()  # the PAUSE_AFTER-th, over 24 hours of failing: paused
    subscription.refresh_from_db()
    assert not subscription.active
    assert "failed attempts in a row" in subscription.paused_reason
    email = Email.objects.get(address=admin().email)
    assert email.subject == f"Webhook paused: {subscription.url}"
    assert "HTTP 500" in email.body
    assert f"/admin/webhooks/subscription/{subscription.pk}/change/" in email.body
    outbox.deliver(ids=[email.pk])
    [sent] = mail.outbox
    assert sent.to == [admin().email]
    assert sent.subject == email.subject

    # Paused: held, not sent, and no new event is queued for it.
    _due_now(row)
    assert send_due().failed + send_due().succeeded == 0
    _ping(subscription)  # a ping still queues (to test it), but is held too
    assert send_due().succeeded == 0
    # Resumed: what was held goes.
    webhooks.resume(subscription=subscription)
    assert send_due().succeeded == 2


def test_a_paused_subscription_is_queued_nothing(
    subscription: Subscription, worker: Callable[[], int]
) -> None:
    webhooks.pause(subscription=subscription, reason="By hand")
    from portico.events.services import record

    record("session.login_failed", ip_address="192.0.2.7")
    worker()
    assert not subscription.deliveries.exists()


def test_a_redirect_is_not_followed(subscription: Subscription, receiver: Receiver) -> None:
    # The receiver redirects to the cloud metadata address; Portico does not follow
    # (and would refuse the address); the redirect is a failed attempt.
    receiver.answers = [(307, "http://169.254.169.254/latest/meta-data/")]
    row = _ping(subscription)
    send_due()
    row.refresh_from_db()
    assert row.last_status == 307
    assert row.state == "pending"
    assert "169.254.169.254" in row.last_error
    assert "do not follow redirects" in row.last_error
    assert len(receiver.received) == 1


def test_a_redirect_to_another_local_receiver_is_not_followed(
    subscription: Subscription, receiver: Receiver
) -> None:
    receiver.answers = [(302, receiver.url.replace("/hook", "/elsewhere"))]
    _ping(subscription)
    send_due()
    assert [r.path for r in receiver.received] == ["/hook"]


def test_only_the_last_50_deliveries_are_kept(
    subscription: Subscription, receiver: Receiver
) -> None:
    first = _ping(subscription)
    for _ in range(delivery.KEEP + 4):
        _ping(subscription)
    Delivery.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=1)
    )
    send_due()
    assert subscription.deliveries.count() == delivery.KEEP
    assert not Delivery.objects.filter(pk=first.pk).exists()
    assert len(webhooks.recent_deliveries(subscription)) == delivery.KEEP


def test_a_sender_that_died_mid_delivery_leaves_it_to_the_sweep_with_its_id(
    subscription: Subscription, receiver: Receiver
) -> None:
    row = _ping(subscription)
    token, taken = delivery.claim()  # a worker takes it, then is killed before sending
    assert [d.pk for d in taken] == [row.pk]
    assert send_due().succeeded == 0  # leased: no other sender touches it
    Delivery.objects.filter(pk=row.pk).update(
        claimed_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert send_due().succeeded == 1  # the lease lapsed: the sweep sends it
    [got] = receiver.received
    assert got.headers["X-Portico-Delivery"] == str(row.delivery_id)
    row.refresh_from_db()
    assert row.attempts == 2
    assert row.claimed_by != token


def test_a_listed_name_is_reached_on_whichever_address_answers(
    subscription: Subscription, receiver: Receiver
) -> None:
    # "localhost" may resolve to ::1 first; the receiver listens on 127.0.0.1 only.
    Subscription.objects.filter(pk=subscription.pk).update(
        url=receiver.url.replace("127.0.0.1", "localhost")
    )
    _ping(subscription)
    assert send_due().succeeded == 1
    assert receiver.received[0].headers["Host"] == f"localhost:{receiver.port}"
