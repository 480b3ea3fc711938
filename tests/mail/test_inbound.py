"""What becomes of a message mail-in is handed: the routing order, who may add what,
reopening and following up, files, repeats, loops, bounces, forgery and size, and that
nothing is half written."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.hashers import is_password_usable
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from portico.mail import addresses, inbound
from portico.mail.models import Address, Inbound, Mailbox
from portico.notify.delivery import message_id
from portico.notify.models import Delivery
from portico.parties.models import Individual
from portico.service import actions
from portico.service.models import Attachment, Channel, Note, Relation, Status, Transaction
from tests.mail.conftest import SUPPORT, issue_for, message, person, plain

EWAN = "ewan.grant@harbourfoods.example"
KIRSTY = "kirsty.muir@harbourfoods.example"  # same organisation: Read only on Ewan's
HELEN = "helen.baird@kelvinmedical.example"  # another customer's organisation
Outcome = Inbound.Outcome

pytestmark = pytest.mark.usefixtures("mailbox")


def reply_to(transaction: Transaction) -> str:
    return addresses.reply_address(transaction.number, Mailbox.objects.get(address=SUPPORT))


def notes_of(transaction: Transaction) -> list[Note]:
    return list(Note.objects.filter(transaction=transaction).order_by("created_at", "id"))


def files_of(transaction: Transaction) -> list[str]:
    return list(Attachment.objects.filter(transaction=transaction).values_list("name", flat=True))


def set_status(transaction: Transaction, code: str, *, resolved_days_ago: int = 0) -> None:
    transaction.status = Status.objects.get(application=transaction.application, code=code)
    now = timezone.now()
    transaction.resolved_at = now - datetime.timedelta(days=resolved_days_ago)
    if code == "closed":
        transaction.closed_at = now
    transaction.save()


# --- a reply becomes a note ---------------------------------------------------------------------


def test_an_outlook_reply_to_the_reply_address_is_a_shared_email_note_with_its_files() -> None:
    issue = issue_for(EWAN)
    raw = message("outlook_reply.eml", **{"SI-REPLACE": issue.number})
    received = inbound.receive(raw, via="smtp", envelope_from=EWAN, envelope_to=[reply_to(issue)])
    assert received.outcome == Outcome.NOTE, received.reason
    note = received.note
    assert note is not None
    assert note.transaction_id == issue.pk
    assert note.visibility == Note.Visibility.SHARED
    assert (note.channel, note.direction) == (Channel.EMAIL, Note.Direction.INBOUND)
    assert note.author == person(EWAN)
    # The quoted history is cut; the customer's words are kept whole.
    assert note.body == (
        "Hello,\n\nThe alarm came back this morning at 06:40. Photo of the panel attached."
        "\n\nRegards,\nEwan"
    )
    files = Attachment.objects.filter(note=note).order_by("id")
    assert [(f.name, f.content_type) for f in files] == [
        ("image001.png", "image/png"),
        ("message.eml", files[1].content_type),
    ]
    with files[1].file.open("rb") as kept:
        assert kept.read() == raw  # the whole message, as it came
    assert received.sender == person(EWAN)
    assert received.transaction == issue


def test_the_reply_address_wins_over_a_wrong_number_in_the_subject() -> None:
    first, second = issue_for(EWAN, "First"), issue_for(EWAN, "Second")
    raw = plain(sender=EWAN, subject=f"Re: [{second.number}] Second", body="About the first")
    received = inbound.receive(raw, via="smtp", envelope_to=[reply_to(first)])
    assert received.transaction == first
    assert [n.body for n in notes_of(first)] == ["About the first"]
    assert notes_of(second) == []


def test_references_find_the_message_we_sent() -> None:
    issue = issue_for(EWAN)
    delivery = Delivery.objects.create(address=EWAN, subject="x", transaction=issue)
    raw = message("gmail_reply.eml", **{"<REFERENCE-ID>": message_id(delivery.key)})
    received = inbound.receive(raw, via="smtp", envelope_to=[SUPPORT])
    assert received.outcome == Outcome.NOTE, received.reason
    assert received.transaction == issue
    assert notes_of(issue)[0].body == (
        "Thanks — the sensor reads 7.2 pH now. Log file attached.\n\nEwan"
    )
    assert sorted(files_of(issue)) == ["controller.log", "message.eml"]


def test_references_find_an_earlier_message_of_the_customer() -> None:
    first = inbound.receive(
        plain(sender=EWAN, subject="Pump noise", message_id="<one@harbourfoods.example>"),
        via="smtp",
        envelope_to=[SUPPORT],
    )
    assert first.outcome == Outcome.CREATED
    follow = plain(
        sender=EWAN,
        subject="Also",
        body="And it leaks.",
        headers="References: <one@harbourfoods.example>\n",
    )
    second = inbound.receive(follow, via="smtp", envelope_to=[SUPPORT])
    assert second.outcome == Outcome.NOTE
    assert second.transaction == first.transaction


def test_the_subject_number_counts_only_for_a_sender_who_may_add_notes() -> None:
    issue = issue_for(EWAN)
    mine = inbound.receive(
        plain(sender=EWAN, subject=f"Re: {issue.number} pump", body="Still broken"),
        via="smtp",
        envelope_to=[SUPPORT],
    )
    assert mine.outcome == Outcome.NOTE
    assert mine.transaction == issue
    # Another customer naming Ewan's number opens a request of their own instead.
    theirs = inbound.receive(
        plain(sender=HELEN, subject=f"[{issue.number}] pump", body="Mine too"),
        via="smtp",
        envelope_to=[SUPPORT],
    )
    assert theirs.outcome == Outcome.CREATED
    assert theirs.transaction != issue
    assert theirs.transaction is not None
    assert theirs.transaction.requester == person(HELEN)
    assert [n.body for n in notes_of(issue)] == ["Still broken"]


def test_the_subject_text_alone_never_finds_a_transaction() -> None:
    issue = issue_for(EWAN, "Dosing pump alarm")
    received = inbound.receive(
        plain(sender=EWAN, subject="Re: Dosing pump alarm", body="Any news?"),
        via="smtp",
        envelope_to=[SUPPORT],
    )
    assert received.outcome == Outcome.CREATED
    assert received.transaction != issue
    assert notes_of(issue) == []


# --- refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize("sender", [KIRSTY, HELEN, "stranger@elsewhere.example"])
def test_a_reply_from_someone_without_the_right_adds_nothing(sender: str) -> None:
    issue = issue_for(EWAN)
    raw = message("outlook_reply.eml", **{"SI-REPLACE": issue.number}).replace(
        b"Ewan.Grant@HarbourFoods.example", sender.encode()
    )
    transactions = Transaction.objects.count()
    received = inbound.receive(raw, via="smtp", envelope_to=[reply_to(issue)])
    assert received.outcome == Outcome.REFUSED
    assert "may not add notes" in received.reason
    assert notes_of(issue) == []
    assert files_of(issue) == []
    assert Transaction.objects.count() == transactions
    assert received.note is None


def test_a_read_only_person_without_a_log_in_is_not_given_one_to_be_refused() -> None:
    issue = issue_for(EWAN)
    kirsty = person(KIRSTY)
    user = kirsty.user
    Individual.objects.filter(pk=kirsty.pk).update(user=None)
    assert user is not None
    user.delete()
    received = inbound.receive(
        plain(sender=KIRSTY, body="Me too"), via="smtp", envelope_to=[reply_to(issue)]
    )
    assert received.outcome == Outcome.REFUSED
    assert person(KIRSTY).user is None


def test_an_unknown_sender_is_refused_or_created_by_the_mailboxs_policy() -> None:
    raw = plain(sender='"Morven Ure" <morven@newcustomer.example>', subject="Quote please")
    refused = inbound.receive(raw, via="smtp", envelope_to=[SUPPORT])
    assert refused.outcome == Outcome.REFUSED
    assert "no one we know" in refused.reason
    assert not Individual.objects.filter(email="morven@newcustomer.example").exists()

    Mailbox.objects.filter(address=SUPPORT).update(unknown_senders=Mailbox.UnknownSenders.CREATE)
    raw = plain(sender='"Morven Ure" <morven@newcustomer.example>', subject="Quote please")
    created = inbound.receive(raw, via="smtp", envelope_to=[SUPPORT])
    assert created.outcome == Outcome.CREATED, created.reason
    morven = Individual.objects.get(email="morven@newcustomer.example")
    assert (morven.first_name, morven.last_name, morven.user_group.name) == (
        "Morven",
        "Ure",
        "Customers",
    )
    assert morven.user is not None
    assert not is_password_usable(morven.user.password)
    assert created.transaction is not None
    assert created.transaction.requester == morven
    assert created.transaction.channel == Channel.EMAIL
    assert created.transaction.title == "Quote please"


# --- a new request ---------------------------------------------------------------------------


def test_a_calendar_invite_opens_a_request_with_the_invitation_attached() -> None:
    received = inbound.receive(message("calendar_invite.eml"), via="smtp", envelope_to=[SUPPORT])
    assert received.outcome == Outcome.CREATED, received.reason
    issue = received.transaction
    assert issue is not None
    assert issue.title.startswith("Invitation: Site visit for the dosing pump")
    assert issue.description == "Could your technician come on Thursday 10 December at 10:00?"
    assert issue.application.code == "service-issue"
    assert sorted(files_of(issue)) == ["invite.ics", "invite.ics", "message.eml"]


def test_a_forwarded_message_opens_a_request_with_what_was_forwarded() -> None:
    received = inbound.receive(message("forwarded.eml"), via="smtp", envelope_to=[SUPPORT])
    assert received.transaction is not None
    assert received.transaction.title == "Delivery note for order 88213"
    assert "3 x ClearFlow filter unit" in received.transaction.description


def test_a_person_without_a_log_in_is_given_one_they_can_set_a_password_for() -> None:
    kirsty = person(KIRSTY)
    user = kirsty.user
    Individual.objects.filter(pk=kirsty.pk).update(user=None)
    assert user is not None
    user.delete()
    received = inbound.receive(
        plain(sender=KIRSTY, subject="New fault"), via="smtp", envelope_to=[SUPPORT]
    )
    assert received.outcome == Outcome.CREATED, received.reason
    made = person(KIRSTY).user
    assert made is not None
    assert made.email == KIRSTY
    assert not is_password_usable(made.password)


def test_an_empty_subject_and_body() -> None:
    received = inbound.receive(
        plain(sender=EWAN, subject="", body=""), via="smtp", envelope_to=[SUPPORT]
    )
    assert received.transaction is not None
    assert received.transaction.title == "(no subject)"


# --- resolved and closed -------------------------------------------------------------------------


def test_a_reply_to_a_resolved_request_reopens_it() -> None:
    issue = issue_for(EWAN)
    set_status(issue, "resolved", resolved_days_ago=1)
    received = inbound.receive(
        plain(sender=EWAN, body="It is not fixed."), via="smtp", envelope_to=[reply_to(issue)]
    )
    assert received.outcome == Outcome.NOTE, received.reason
    issue.refresh_from_db()
    assert issue.status.code == "in-progress"
    assert [(n.body, n.channel) for n in notes_of(issue)] == [("It is not fixed.", Channel.EMAIL)]
    assert received.note == notes_of(issue)[0]


@pytest.mark.parametrize(("code", "days_ago"), [("closed", 0), ("resolved", 30)])
def test_a_reply_to_a_finished_request_opens_a_new_related_one(code: str, days_ago: int) -> None:
    issue = issue_for(EWAN)
    set_status(issue, code, resolved_days_ago=days_ago)
    received = inbound.receive(
        plain(sender=EWAN, subject=f"Re: [{issue.number}] pump", body="It is back."),
        via="smtp",
        envelope_to=[reply_to(issue)],
    )
    assert received.outcome == Outcome.CREATED, received.reason
    new = received.transaction
    assert new is not None
    assert new != issue
    assert (new.application, new.requester, new.description) == (
        issue.application,
        person(EWAN),
        "It is back.",
    )
    assert Relation.objects.filter(source=new, target=issue, kind="related").exists()
    issue.refresh_from_db()
    assert issue.status.code == code
    assert notes_of(issue) == []


# --- repeats, loops, bounces ---------------------------------------------------------------------


def test_a_repeat_is_ignored() -> None:
    issue = issue_for(EWAN)
    raw = plain(sender=EWAN, body="Once", message_id="<same@harbourfoods.example>")
    first = inbound.receive(raw, via="smtp", envelope_to=[reply_to(issue)])
    again = inbound.receive(raw, via="imap", envelope_to=[reply_to(issue)])
    assert (first.outcome, again.outcome) == (Outcome.NOTE, Outcome.IGNORED)
    assert "repeat" in again.reason
    assert [n.body for n in notes_of(issue)] == ["Once"]


@pytest.mark.parametrize("name", ["auto_reply.eml", "vacation.eml"])
def test_automatic_replies_are_ignored(name: str) -> None:
    count = Transaction.objects.count()
    received = inbound.receive(message(name), via="smtp", envelope_to=[SUPPORT])
    assert received.outcome == Outcome.IGNORED
    assert "never answered" in received.reason
    assert Transaction.objects.count() == count


@pytest.mark.parametrize(
    ("sender", "envelope_from"),
    [(EWAN, "<>"), (SUPPORT, EWAN), ("service@portico.example", EWAN)],
)
def test_null_senders_and_our_own_mail_are_ignored(sender: str, envelope_from: str) -> None:
    received = inbound.receive(
        plain(sender=sender), via="smtp", envelope_from=envelope_from, envelope_to=[SUPPORT]
    )
    assert received.outcome == Outcome.IGNORED


def test_dsns_are_counted_as_hard_bounces_until_the_address_is_suppressed() -> None:
    issue = issue_for(EWAN)
    for attempt in range(3):
        delivery = Delivery.objects.create(address=EWAN, subject="x", transaction=issue)
        raw = message(
            "dsn.eml",
            **{
                "DELIVERY-KEY": delivery.key,
                "20261201130001.8F2A1C0": f"dsn-{attempt}",
            },
        )
        received = inbound.receive(
            raw, via="smtp", envelope_from="<>", envelope_to=[addresses.bounce_address("0" * 32)]
        )
        assert received.outcome == Outcome.BOUNCE, received.reason
        assert received.transaction == issue
        row = Address.objects.get(address=EWAN)
        assert row.hard_bounces == attempt + 1
        assert (row.suppressed_at is not None) == (attempt == 2)
    assert "5.1.1" in row.last_bounce_reason
    assert notes_of(issue) == []


def test_a_bounce_to_the_verp_address_names_its_delivery() -> None:
    delivery = Delivery.objects.create(address=EWAN, subject="x")
    raw = plain(
        sender="MAILER-DAEMON@mx.harbourfoods.example",
        subject="failure notice",
        body="Sorry.\n452 4.2.2 Mailbox full",
    )
    received = inbound.receive(
        raw, via="smtp", envelope_from="", envelope_to=[addresses.bounce_address(delivery.key)]
    )
    assert received.outcome == Outcome.BOUNCE
    row = Address.objects.get(address=EWAN)
    assert (row.hard_bounces, row.soft_bounces, row.suppressed_at) == (0, 1, None)


def test_a_bounce_of_nothing_we_sent_is_not_counted() -> None:
    raw = message("dsn.eml", **{"DELIVERY-KEY": "f" * 32})
    received = inbound.receive(raw, via="smtp", envelope_from="<>", envelope_to=[SUPPORT])
    assert received.outcome == Outcome.BOUNCE
    assert "not counted" in received.reason
    assert not Address.objects.exists()


# --- forgery, size, rate ---------------------------------------------------------------------


def _results(authserv: str) -> bytes:
    return plain(
        sender=EWAN,
        subject="Please pay invoice",
        headers=f"Authentication-Results: {authserv}; spf=fail smtp.mailfrom=evil.example;\n"
        " dkim=none; dmarc=fail header.from=harbourfoods.example\n",
    )


def test_dmarc_fail_is_quarantined_only_when_our_mta_says_so(settings: Any) -> None:
    settings.PORTICO_MAIL_AUTHSERV_ID = "mx.portico.example"
    held = inbound.receive(_results("mx.portico.example"), via="smtp", envelope_to=[SUPPORT])
    assert held.outcome == Outcome.QUARANTINED
    assert held.transaction is None
    # Anyone can write such a header: one with another id is not believed.
    other = inbound.receive(_results("mx.evil.example"), via="smtp", envelope_to=[SUPPORT])
    assert other.outcome == Outcome.CREATED
    settings.PORTICO_MAIL_AUTHSERV_ID = ""
    blank = inbound.receive(_results("mx.portico.example"), via="smtp", envelope_to=[SUPPORT])
    assert blank.outcome == Outcome.CREATED
    # Staff look at the held one and let it through.
    settings.PORTICO_MAIL_AUTHSERV_ID = "mx.portico.example"
    staff = person("graham.stewart@brightwater.example").user
    assert staff is not None
    released = inbound.release(held, by=staff)
    assert released.outcome == Outcome.CREATED
    assert released.transaction is not None
    assert released.reviewed_at is not None
    assert released.reason.endswith("Released by graham.stewart@brightwater.example.")
    # Released once: a second release finds nothing quarantined.
    with pytest.raises(ValidationError):
        inbound.release(released, by=staff)


@override_settings(PORTICO_ATTACHMENT_MAX_BYTES=2000)
def test_an_oversized_message_is_refused_with_its_reason_kept() -> None:
    issue = issue_for(EWAN)
    raw = plain(sender=EWAN, body="x" * 5000)
    received = inbound.receive(raw, via="smtp", envelope_to=[reply_to(issue)])
    assert received.outcome == Outcome.REFUSED
    assert "may be at most 2.0\xa0KB" in received.reason
    assert received.size == len(raw)
    assert not received.raw
    assert notes_of(issue) == []


def test_more_new_requests_from_one_address_than_the_hour_allows_are_held(settings: Any) -> None:
    settings.PORTICO_MAIL_REPLIES_PER_HOUR = 2
    outcomes = [
        inbound.receive(plain(sender=EWAN, subject=f"n{i}"), via="smtp", envelope_to=[SUPPORT])
        for i in range(3)
    ]
    assert [o.outcome for o in outcomes] == [Outcome.CREATED, Outcome.CREATED, Outcome.QUARANTINED]
    staff = person("graham.stewart@brightwater.example").user
    assert staff is not None
    assert inbound.release(outcomes[2], by=staff).outcome == Outcome.CREATED


# --- nothing half written -------------------------------------------------------------------------


def test_a_failure_leaves_nothing_but_the_record_and_a_retry_is_not_a_repeat(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    issue = issue_for(EWAN)
    raw = message("outlook_reply.eml", **{"SI-REPLACE": issue.number})
    stored: list[str] = []
    real = actions.add_attachment

    def add_then_fail(**kwargs: Any) -> Attachment:
        # The photo is stored; then keeping the whole message fails.
        if kwargs["name"] == "message.eml":
            raise RuntimeError("disk on fire")
        attachment = real(**kwargs)
        stored.append(str(attachment.file.name))
        return attachment

    monkeypatch.setattr(actions, "add_attachment", add_then_fail)
    received = inbound.receive(raw, via="smtp", envelope_to=[reply_to(issue)])
    assert received.outcome == Outcome.REFUSED
    assert inbound.failed(received)
    assert "disk on fire" in received.reason
    assert notes_of(issue) == []
    assert files_of(issue) == []
    assert received.raw  # the message itself is kept for the staff
    from django.core.files.storage import default_storage

    assert stored
    assert not any(default_storage.exists(name) for name in stored)

    monkeypatch.setattr(actions, "add_attachment", real)
    retry = inbound.receive(raw, via="smtp", envelope_to=[reply_to(issue)])
    assert retry.outcome == Outcome.NOTE
    assert len(notes_of(issue)) == 1
