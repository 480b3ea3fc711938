"""What customers are sent (issue 21, out): the acknowledgement of a request from every
channel, a thank-you for a compliment, every shared staff note and the status changes
they care about — each written to the outbox by the worker, threaded, From the
application's mailbox with a Reply-To that finds its transaction, and never an internal
note, nothing switched off, nothing to an address that bounces."""

from __future__ import annotations

from collections.abc import Callable
from email.utils import parseaddr
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from portico.audit.models import Event
from portico.automations import engine
from portico.mail import addresses, outbound, templates
from portico.mail.models import Address, ApplicationMail, Inbound, Kind, Mailbox
from portico.notify import delivery as deliverer
from portico.notify.delivery import message_id
from portico.notify.models import Delivery
from portico.service import actions
from portico.service.models import Application, Channel, Note, Status, Transaction
from tests.api.conftest import bearer, make_token
from tests.console.test_lists import ISSUE, individual, user
from tests.mail.conftest import make_mailbox

Worker = Callable[[], int]


@pytest.fixture
def support(demo_people: None) -> Mailbox:
    return make_mailbox(
        name="Support",
        address="support@portico.example",
        application=Application.objects.get(code="service-issue"),
    )


def portal_request(
    title: str = "The dosing pump alarms every hour", *, by: str = "customer"
) -> Transaction:
    """A request as a customer makes it in the portal."""
    return actions.create_transaction(
        actor=user(by),
        application=Application.objects.get(code="service-issue"),
        title=title,
        description="Since Monday.",
        profile=ISSUE,
    )


def sent(transaction: Transaction, kind: str | None = None) -> list[Delivery]:
    rows = Delivery.objects.filter(transaction=transaction).exclude(kind="")
    if kind is not None:
        rows = rows.filter(kind=kind)
    return list(rows.order_by("created_at", "id"))


def staff_note(transaction: Transaction, body: str, **kwargs: object) -> Note:
    return actions.add_note(
        actor=user("csr"),
        transaction=transaction,
        body=body,
        visibility=kwargs.pop("visibility", Note.Visibility.SHARED),  # type: ignore[arg-type]
        channel=Channel.EMAIL,
        direction=Note.Direction.OUTBOUND,
        **kwargs,  # type: ignore[arg-type]
    )


def move_to(transaction: Transaction, category: str, resolution: str = "") -> Transaction:
    """Along the application's flow to the first status of `category`, as the CSR."""
    transaction.refresh_from_db()
    for _ in range(5):
        moves = actions.status_moves(actor=user("csr"), transaction=transaction)
        target = next((s for s in moves if s.category == category), None)
        if target is None:
            target = next(s for s in moves if s.category == Status.Category.OPEN)
        transaction = actions.change_status(
            actor=user("csr"), transaction=transaction, status=target, resolution=resolution
        )
        if target.category == category:
            return transaction
    raise AssertionError(f"no way to {category}")


# --- the acknowledgement ----------------------------------------------------------------


def test_a_portal_request_is_acknowledged_from_the_mailbox(
    support: Mailbox, worker: Worker
) -> None:
    issue = portal_request()
    assert sent(issue) == []  # the action wrote its event only
    worker()
    (ack,) = sent(issue)
    customer = individual("customer")
    assert ack.kind == Kind.ACKNOWLEDGEMENT
    assert ack.address == customer.email
    assert ack.subject == f"[{issue.number}] We have your request: {issue.title}"
    assert parseaddr(ack.from_header)[1] == "support@portico.example"
    assert addresses.parse_reply_address(ack.reply_to) == ("support@portico.example", issue.number)
    assert addresses.parse_bounce_address(ack.sender) == ack.key
    assert ack.headers["Auto-Submitted"] == "auto-generated"
    # The customer's own request: opting out does not apply, so nothing offers it.
    assert "List-Unsubscribe" not in ack.headers
    assert "In-Reply-To" not in ack.headers  # the first message of the thread
    assert issue.number in ack.body
    assert issue.title in ack.body
    assert f"/portal/t/{issue.number}/" in ack.body
    assert issue.response_due_at is not None
    assert f"We will respond by {templates.when(issue.response_due_at)}." in ack.body
    assert issue.title in ack.html
    assert "<html" in ack.html


def test_a_request_without_a_response_target_is_acknowledged_without_one(
    support: Mailbox, worker: Worker
) -> None:
    issue = portal_request()
    Transaction.objects.filter(pk=issue.pk).update(response_due_at=None)
    worker()
    (ack,) = sent(issue)
    assert "respond by" not in ack.body
    assert "\n\n\n" not in ack.body


def test_a_phone_call_logged_in_the_console_is_acknowledged(
    support: Mailbox, worker: Worker
) -> None:
    issue = actions.create_transaction(
        actor=user("csr"),
        application=Application.objects.get(code="service-issue"),
        title="Called about the filter",
        requester=individual("customer"),
        profile=ISSUE,
        channel=Channel.PHONE,
    )
    worker()
    assert [d.address for d in sent(issue, Kind.ACKNOWLEDGEMENT)] == [individual("customer").email]


def test_a_request_through_the_api_is_acknowledged(support: Mailbox, worker: Worker) -> None:
    api = bearer(make_token(user("customer")))
    made = api.post(
        "/api/v1/transactions/",
        {"application": "service-issue", "title": "Logged by our ERP", "profile": ISSUE},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    issue = Transaction.objects.get(number=made.json()["number"])
    worker()
    assert [d.address for d in sent(issue, Kind.ACKNOWLEDGEMENT)] == [individual("customer").email]


def test_a_request_by_mail_is_acknowledged_in_its_thread(support: Mailbox, worker: Worker) -> None:
    issue = actions.create_transaction(
        actor=user("customer"),
        application=support.application,
        title="Pump noise",
        profile=ISSUE,
        channel=Channel.EMAIL,
    )
    Inbound.objects.create(
        via=Inbound.Via.SMTP,
        mailbox=support,
        message_id="<first@customer.example>",
        from_address=individual("customer").email,
        outcome=Inbound.Outcome.CREATED,
        transaction=issue,
    )
    worker()
    (ack,) = sent(issue)
    assert ack.headers["In-Reply-To"] == "<first@customer.example>"
    assert ack.headers["References"] == "<first@customer.example>"


def test_a_compliment_gets_thanks_not_an_acknowledgement(support: Mailbox, worker: Worker) -> None:
    praise = actions.create_transaction(
        actor=user("customer"),
        application=Application.objects.get(code="compliment"),
        title="Tom was great",
    )
    worker()
    assert [d.kind for d in sent(praise)] == [Kind.THANKS]
    assert "Thank you" in sent(praise)[0].subject


# --- notes, status changes, threading -----------------------------------------------------


def test_the_thread_runs_from_acknowledgement_to_note_to_status(
    support: Mailbox, worker: Worker
) -> None:
    issue = portal_request()
    worker()
    staff_note(issue, "An engineer will call on Tuesday.")
    worker()
    move_to(issue, Status.Category.WAITING)
    worker()
    move_to(issue, Status.Category.RESOLVED, resolution="The float switch was replaced.")
    worker()
    ack, note, waiting, resolved, survey = sent(issue)
    assert [ack.kind, note.kind, waiting.kind, resolved.kind, survey.kind] == [
        Kind.ACKNOWLEDGEMENT,
        Kind.NOTE,
        Kind.WAITING,
        Kind.RESOLVED,
        Kind.SATISFACTION,  # issue 23: the survey follows, in the same thread
    ]
    assert survey.headers["In-Reply-To"] == message_id(resolved.key)
    first = message_id(ack.key)
    assert note.headers["In-Reply-To"] == first
    assert note.headers["References"] == first
    assert waiting.headers["In-Reply-To"] == message_id(note.key)
    assert waiting.headers["References"] == f"{first} {message_id(note.key)}"
    assert resolved.headers["In-Reply-To"] == message_id(waiting.key)
    assert resolved.headers["References"] == f"{first} {message_id(waiting.key)}"
    # The note is the note, written by a person: not marked automatic.
    assert "An engineer will call on Tuesday." in note.body
    assert "Auto-Submitted" not in note.headers
    assert waiting.headers["Auto-Submitted"] == "auto-generated"
    assert resolved.headers["Auto-Submitted"] == "auto-generated"
    assert "The float switch was replaced." in resolved.body
    # Every one of them finds its way back.
    for row in (ack, note, waiting, resolved):
        assert row.subject.startswith(f"[{issue.number}] ")
        assert addresses.parse_reply_address(row.reply_to) == (support.address, issue.number)


def test_a_reply_from_the_customer_becomes_the_parent(support: Mailbox, worker: Worker) -> None:
    issue = portal_request()
    worker()
    Inbound.objects.create(
        via=Inbound.Via.SMTP,
        mailbox=support,
        message_id="<reply@customer.example>",
        outcome=Inbound.Outcome.NOTE,
        transaction=issue,
    )
    staff_note(issue, "Thanks, noted.")
    worker()
    ack, note = sent(issue)
    assert note.headers["In-Reply-To"] == "<reply@customer.example>"
    assert note.headers["References"] == f"{message_id(ack.key)} <reply@customer.example>"


def test_a_hostile_message_id_cannot_add_a_header(support: Mailbox, worker: Worker) -> None:
    issue = portal_request()
    Inbound.objects.create(
        via=Inbound.Via.SMTP,
        mailbox=support,
        message_id="<x@evil.example>\r\nBcc: everyone@evil.example",
        outcome=Inbound.Outcome.NOTE,
        transaction=issue,
    )
    worker()
    (ack,) = sent(issue)
    assert ack.headers["In-Reply-To"] == "<x@evil.example>Bcc:everyone@evil.example"
    deliverer.sweep()
    (message,) = mail.outbox
    assert message.cc == []
    assert "everyone@evil.example" not in message.recipients()
    assert message.message()["Bcc"] is None


def test_never_an_internal_note_nor_the_customers_own(support: Mailbox, worker: Worker) -> None:
    issue = portal_request()
    worker()
    staff_note(issue, "Customer is difficult.", visibility=Note.Visibility.INTERNAL)
    actions.add_note(
        actor=user("customer"),
        transaction=issue,
        body="Any news?",
        visibility=Note.Visibility.SHARED,
    )
    worker()
    assert [d.kind for d in sent(issue)] == [Kind.ACKNOWLEDGEMENT]
    internal = Note.objects.get(body="Customer is difficult.")
    assert outbound.compose(Kind.NOTE, issue, individual("customer"), note=internal) is None


def test_a_kind_switched_off_for_the_application_is_not_sent(
    support: Mailbox, worker: Worker
) -> None:
    ApplicationMail.objects.create(application=support.application, acknowledgement=False)
    issue = portal_request()
    worker()
    assert sent(issue) == []
    staff_note(issue, "On it.")
    worker()
    assert [d.kind for d in sent(issue)] == [Kind.NOTE]


# --- who is written to ------------------------------------------------------------------


def test_opting_out_keeps_the_mail_about_ones_own_requests(
    support: Mailbox, worker: Worker
) -> None:
    customer, colleague = individual("customer"), individual("colleague")
    type(customer).objects.filter(pk__in=[customer.pk, colleague.pk]).update(
        mail_opted_out_at=timezone.now()
    )
    issue = portal_request()
    worker()
    assert [d.address for d in sent(issue)] == [customer.email]  # their own request
    staff_note(issue, "Copying your colleague.", cc=[colleague])
    worker()
    note = sent(issue, Kind.NOTE)[0]
    assert (note.address, note.cc) == (customer.email, [])  # the colleague opted out


def test_contacts_copied_in_on_a_note(support: Mailbox, worker: Worker) -> None:
    customer, colleague = individual("customer"), individual("colleague")
    issue = portal_request()
    worker()
    staff_note(issue, "Copying your colleague.", cc=[colleague])
    worker()
    (note,) = sent(issue, Kind.NOTE)
    assert (note.address, note.cc) == (customer.email, [colleague.email])
    # One message to several people: no one's unsubscribe link in it.
    assert "List-Unsubscribe" not in note.headers


def test_a_suppressed_address_gets_nothing(support: Mailbox, worker: Worker) -> None:
    customer = individual("customer")
    Address.objects.create(address=customer.email.lower(), suppressed_at=timezone.now())
    issue = portal_request()
    worker()
    assert sent(issue) == []


def test_an_address_suppressed_after_writing_is_skipped_when_sending(
    support: Mailbox, worker: Worker
) -> None:
    issue = portal_request()
    worker()
    (ack,) = sent(issue)
    Address.objects.create(address=ack.address.lower(), suppressed_at=timezone.now())
    done = deliverer.deliver(ids=[ack.pk])
    assert (done.sent, done.skipped) == (0, 1)
    ack.refresh_from_db()
    assert ack.sent_at is not None  # done with: not tried again
    assert "suppressed" in ack.last_error
    assert mail.outbox == []
    assert deliverer.pending().filter(pk=ack.pk).count() == 0


def test_sending_counts_each_address(support: Mailbox, worker: Worker) -> None:
    portal_request()
    worker()
    deliverer.sweep()
    assert Address.objects.get(address=individual("customer").email.lower()).sent == 1
    assert len(mail.outbox) == 1


def test_no_address_no_mail(support: Mailbox, worker: Worker) -> None:
    customer = individual("customer")
    type(customer).objects.filter(pk=customer.pk).update(email="")
    customer.refresh_from_db()
    issue = actions.create_transaction(
        actor=user("csr"),
        application=support.application,
        title="Called without an e-mail address",
        requester=customer,
        profile=ISSUE,
        channel=Channel.PHONE,
    )
    worker()
    assert sent(issue) == []


# --- what the words may carry -------------------------------------------------------------


def test_a_script_in_a_title_or_note_never_reaches_the_html(
    support: Mailbox, worker: Worker
) -> None:
    issue = portal_request("<script>alert('title')</script> pump")
    worker()
    staff_note(issue, "<script>alert('note')</script><img src=x onerror=alert(1)>")
    worker()
    for row in sent(issue):
        assert "<script" not in row.html.lower()
        assert "<img" not in row.html.lower()
        assert "&lt;script&gt;" in row.html
    # The plain text is the words as written.
    assert "<script>alert('note')</script>" in sent(issue, Kind.NOTE)[0].body


# --- refusals for mail-in -------------------------------------------------------------------


def test_refusals_are_auto_replies_and_rate_limited(support: Mailbox, settings: object) -> None:
    settings.PORTICO_MAIL_REPLIES_PER_HOUR = 2  # type: ignore[attr-defined]
    rows = [
        outbound.refuse(
            Kind.UNKNOWN_SENDER,
            "Stranger@Elsewhere.example",
            mailbox=support,
            subject="Help  with\nmy order",
            in_reply_to="<m1@elsewhere.example>",
        )
        for _ in range(3)
    ]
    first, second, third = rows
    assert first is not None
    assert second is not None
    assert third is None  # two answers an hour to one address, no more
    assert first.headers == {
        "Auto-Submitted": "auto-replied",
        "In-Reply-To": "<m1@elsewhere.example>",
        "References": "<m1@elsewhere.example>",
    }
    assert parseaddr(first.from_header)[1] == support.address
    assert "Help with my order" in first.body
    assert "registered customers" in first.body
    assert "List-Unsubscribe" not in first.headers


def test_a_refusal_to_a_suppressed_address_is_not_written(support: Mailbox) -> None:
    Address.objects.create(address="gone@elsewhere.example", suppressed_at=timezone.now())
    assert (
        outbound.refuse(
            Kind.REFUSED,
            "gone@elsewhere.example",
            mailbox=support,
            subject="Re: [SI-000001]",
            in_reply_to="",
            number="SI-000001",
        )
        is None
    )


def test_the_acknowledgement_is_written_in_a_few_queries(
    support: Mailbox, worker: Worker, django_assert_max_num_queries: Any
) -> None:
    issue = portal_request()
    event = Event.objects.get(action="transaction.created", subject_id=str(issue.pk))
    # The rules on the event with their conditions and actions, the transaction, the
    # automation person; then the application's switches, the address's suppression,
    # the template, the mailbox, the thread (what came in, what went out), the row
    # itself and the history's line: a fixed number, whatever else the transaction has.
    with django_assert_max_num_queries(16):
        engine.on_event(event)
    assert len(sent(issue)) == 1


def test_a_refusal_goes_only_to_a_real_address(support: Mailbox) -> None:
    for bad in ("", "not an address", "x@evil.example\r\nBcc: all@evil.example"):
        assert (
            outbound.refuse(Kind.UNKNOWN_SENDER, bad, mailbox=support, subject="Hi", in_reply_to="")
            is None
        ), bad
    row = outbound.refuse(
        Kind.UNKNOWN_SENDER,
        "Someone <someone@elsewhere.example>",
        mailbox=support,
        subject="Hi",
        in_reply_to="",
    )
    assert row is not None
    assert row.address == "someone@elsewhere.example"


def test_reply_addresses_made_before_a_key_rotation_still_work() -> None:
    with override_settings(SECRET_KEY="the-key-before-the-rotation-" * 2):
        old = addresses.reply_address("SI-000123", None)
    rotated = {"SECRET_KEY": "the-key-after-the-rotation-" * 2}
    with override_settings(**rotated, SECRET_KEY_FALLBACKS=["the-key-before-the-rotation-" * 2]):
        assert addresses.parse_reply_address(old) == ("service@portico.example", "SI-000123")
    with override_settings(**rotated, SECRET_KEY_FALLBACKS=[]):
        assert addresses.parse_reply_address(old) is None
