"""A delivery holds only what the subscription's owner may see: never an internal note
(its text, its file's name) for an owner who may not read internal notes."""

from __future__ import annotations

from collections.abc import Callable

from portico.parties.models import Individual
from portico.parties.services import deactivate_individual
from portico.service.models import Grant, Permission
from portico.webhooks import services as webhooks
from portico.webhooks.models import Subscription
from tests.audit import internal_note
from tests.conftest import PERSONAS
from tests.webhooks.conftest import Receiver, admin, admin_user, send_due


def _delivered(receiver: Receiver, worker: Callable[[], int]) -> str:
    worker()
    send_due()
    return b"\n".join(r.body for r in receiver.received).decode()


def test_an_owner_who_may_not_read_internal_notes_is_sent_none(
    subscription: Subscription, receiver: Receiver, worker: Callable[[], int]
) -> None:
    scene = internal_note.make()
    # The administrator's own Read only grant keeps its internal notes from him (seed
    # 001: the most specific grant wins, even over an administrator).
    Grant.objects.create(
        transaction=scene.transaction,
        individual=admin(),
        permission=Permission.objects.get(code="read"),
    )
    sent = _delivered(receiver, worker)
    assert internal_note.SHARED_TEXT in sent  # he is sent what he may read...
    assert internal_note.SHARED_FILE in sent
    assert internal_note.SECRET_TEXT not in sent  # ...and nothing of the internal note
    assert internal_note.SECRET_FILE not in sent
    notes = [r.json["data"] for r in receiver.received if r.json["event"] == "note.added"]
    assert [n["visibility"] for n in notes] == ["shared"]


def test_an_owner_who_may_read_them_is_sent_them(
    subscription: Subscription, receiver: Receiver, worker: Callable[[], int]
) -> None:
    internal_note.make()
    sent = _delivered(receiver, worker)
    assert internal_note.SECRET_TEXT in sent
    assert internal_note.SECRET_FILE in sent


def test_an_owner_who_left_or_lost_the_zone_is_sent_nothing(
    subscription: Subscription, receiver: Receiver, worker: Callable[[], int]
) -> None:
    # A subscription of the CSR (who has no Systems Admin zone), as if made while she had
    # it: she is sent nothing, whatever she may see in the console.
    csr = Individual.objects.get(email=PERSONAS["csr"].email)
    theirs = webhooks.create_subscription(owner=csr, url=receiver.url, events=["*"])
    internal_note.make()
    worker()
    assert subscription.deliveries.exists()
    assert not theirs.deliveries.exists()


def test_what_was_queued_before_the_owner_left_is_not_sent(
    subscription: Subscription, receiver: Receiver
) -> None:
    row = webhooks.ping(actor=admin_user(), subscription=subscription)
    deactivate_individual(individual=admin(), actor=None)
    send_due()
    assert receiver.received == []
    row.refresh_from_db()
    assert row.last_error == "Refused: the subscription's owner has left."
