"""The default event rules, each from the event to an e-mail received by a real SMTP
server on 127.0.0.1 (aiosmtpd): what the worker does after a commit (the rules, then
the outbox), as the people concerned would see it in their mailbox. And the promise
that made them rules: nothing else sends these messages, so nobody gets one twice, and
switching a rule off stops it."""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage

import pytest

from portico.automations.models import Action, Condition, Rule
from portico.notify import delivery as deliverer
from portico.notify.models import Delivery, Notification
from portico.parties import services as parties
from portico.parties.models import Individual, Organization
from portico.service import actions
from portico.service.models import Application, Note, Status, Transaction
from tests.conftest import PERSONAS
from tests.console.test_lists import individual, user
from tests.mail.conftest import SmtpServer

pytestmark = pytest.mark.usefixtures("demo_people")

Worker = Callable[[], int]
EWAN = PERSONAS["customer"].email
TOM = PERSONAS["technician"].email
MORAG = PERSONAS["supervisor"].email


def deliver(worker: Worker) -> None:
    """The worker after a commit: the rules on every event, then the outbox."""
    worker()
    deliverer.sweep()


def mail_to(server: SmtpServer, address: str) -> list[EmailMessage]:
    return [r.message for r in server.to(address)]


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def subjects(server: SmtpServer, address: str) -> list[str]:
    return [str(m["Subject"]) for m in mail_to(server, address)]


def customer_request(
    title: str = "Dosing pump alarm", application: str = "service-issue"
) -> Transaction:
    profile = {"issue-type": "fault", "product": "clearflow-dosing-pump"}
    if application == "complaint":
        profile = {"category": "service"}
    elif application == "compliment":
        profile = {}
    return actions.create_transaction(
        actor=user("customer"),
        application=Application.objects.get(code=application),
        title=title,
        description="It alarms every hour.",
        profile=profile,
    )


def assigned_to_tom(transaction: Transaction) -> None:
    actions.assign(
        actor=user("supervisor"), transaction=transaction, assignees=[individual("technician")]
    )


def move(transaction: Transaction, code: str, resolution: str = "") -> None:
    status = Status.objects.get(application=transaction.application, code=code)
    actions.change_status(
        actor=user("csr"), transaction=transaction, status=status, resolution=resolution
    )


# --- each default rule, event to mailbox ---------------------------------------------------


def test_a_new_request_is_acknowledged(smtp_server: SmtpServer, worker: Worker) -> None:
    issue = customer_request()
    deliver(worker)
    [ack] = mail_to(smtp_server, EWAN)
    assert f"[{issue.number}]" in str(ack["Subject"])
    assert "We have your request" in str(ack["Subject"])
    assert issue.number in text_of(ack)


def test_a_compliment_is_thanked_not_acknowledged(smtp_server: SmtpServer, worker: Worker) -> None:
    compliment = customer_request("Tom was brilliant", application="compliment")
    deliver(worker)
    [thanks] = mail_to(smtp_server, EWAN)
    assert str(thanks["Subject"]).startswith(f"[{compliment.number}] Thank you")


def test_a_complaint_is_told_to_the_teams_supervisor(
    smtp_server: SmtpServer, worker: Worker
) -> None:
    complaint = customer_request("Engineer never came", application="complaint")
    assert complaint.team is not None
    Organization.objects.filter(pk=complaint.team.pk).update(supervisor=individual("supervisor"))
    deliver(worker)
    [notice] = mail_to(smtp_server, MORAG)
    assert complaint.number in str(notice["Subject"])
    assert "Complaint logged" in str(notice["Subject"])
    # …and the console has the notice too, labelled as a complaint.
    assert Notification.objects.get(recipient=individual("supervisor")).kind == "complaint"


def test_a_customers_note_is_told_to_the_assignees(smtp_server: SmtpServer, worker: Worker) -> None:
    issue = customer_request()
    assigned_to_tom(issue)
    deliver(worker)
    before = len(mail_to(smtp_server, TOM))
    actions.add_note(
        actor=user("customer"),
        transaction=issue,
        body="Still alarming.",
        visibility=Note.Visibility.SHARED,
        channel="web",
    )
    deliver(worker)
    told = mail_to(smtp_server, TOM)[before:]
    assert [str(m["Subject"]) for m in told] == [f"Ewan Grant added a note to {issue.number}"]


def test_a_shared_staff_note_goes_to_the_customer(smtp_server: SmtpServer, worker: Worker) -> None:
    issue = customer_request()
    deliver(worker)
    actions.add_note(
        actor=user("csr"),
        transaction=issue,
        body="Please reset the threshold to 4.5 bar.",
        visibility=Note.Visibility.SHARED,
    )
    actions.add_note(
        actor=user("csr"),
        transaction=issue,
        body="Customer sounds cross.",
        visibility=Note.Visibility.INTERNAL,
    )
    deliver(worker)
    ack, note = mail_to(smtp_server, EWAN)
    assert "4.5 bar" in text_of(note)
    assert all("cross" not in text_of(m) for m in (ack, note))


def test_waiting_and_resolved_are_told_to_the_customer(
    smtp_server: SmtpServer, worker: Worker
) -> None:
    issue = customer_request()
    move(issue, "in-progress")
    move(issue, "waiting")
    deliver(worker)
    move(issue, "resolved", resolution="Threshold reset to 4.5 bar.")
    deliver(worker)
    told = subjects(smtp_server, EWAN)
    assert told == [
        f"[{issue.number}] We have your request: Dosing pump alarm",
        f"[{issue.number}] We need your reply: Dosing pump alarm",
        f"[{issue.number}] Resolved: Dosing pump alarm",
        # The satisfaction survey's rule (issue 23) comes after the status message.
        f"[{issue.number}] Were you satisfied? Dosing pump alarm",
    ]
    assert "4.5 bar" in text_of(mail_to(smtp_server, EWAN)[-2])


def test_those_assigned_and_their_supervisors_are_told(
    smtp_server: SmtpServer, worker: Worker
) -> None:
    issue = customer_request()
    assigned_to_tom(issue)
    deliver(worker)
    assert subjects(smtp_server, TOM) == [f"{issue.number} assigned to you: Dosing pump alarm"]
    tom = individual("technician")
    assert tom.supervisor is not None
    assert subjects(smtp_server, tom.supervisor.email) == [
        f"{issue.number} dispatched to Tom Reid: Dosing pump alarm"
    ]


def test_the_team_a_transaction_is_forwarded_to_is_told(
    smtp_server: SmtpServer, worker: Worker
) -> None:
    issue = customer_request()
    field = Organization.objects.get(name="Field Service")
    actions.forward(actor=user("csr"), transaction=issue, team=field, note="Needs a site visit.")
    deliver(worker)
    members = Individual.objects.filter(organization=field, active=True).exclude(email="")
    assert members.exists()
    for member in members:
        assert subjects(smtp_server, member.email) == [
            f"{issue.number} forwarded to Field Service: Dosing pump alarm"
        ]


def test_a_withdrawal_and_a_reopening_are_told_to_the_assignees(
    smtp_server: SmtpServer, worker: Worker
) -> None:
    withdrawn = customer_request("Never mind")
    assigned_to_tom(withdrawn)
    reopened = customer_request("Back again")
    assigned_to_tom(reopened)
    move(reopened, "resolved", resolution="Replaced the seal.")
    deliver(worker)
    before = len(mail_to(smtp_server, TOM))
    actions.withdraw(actor=user("customer"), transaction=withdrawn, reason="Fixed it ourselves.")
    actions.reopen(actor=user("customer"), transaction=reopened, reason="It leaks again.")
    deliver(worker)
    assert subjects(smtp_server, TOM)[before:] == [
        f"Ewan Grant withdrew {withdrawn.number}: Fixed it ourselves.",
        f"Ewan Grant reopened {reopened.number}: It leaks again.",
    ]


def test_a_customer_who_leaves_is_told_to_the_accounts_owner(
    smtp_server: SmtpServer, worker: Worker
) -> None:
    kirsty = individual("colleague")
    assert kirsty.organization is not None
    Organization.objects.filter(pk=kirsty.organization.pk).update(
        account_owner=individual("supervisor")
    )
    parties.deactivate_individual(individual=kirsty, actor=user("administrator"))
    deliver(worker)
    assert subjects(smtp_server, MORAG) == [
        f"Kirsty Muir of {kirsty.organization.name} has been deactivated"
    ]
    # The console notice leads to the person, there being no transaction.
    notice = Notification.objects.get(recipient=individual("supervisor"))
    assert notice.transaction is None
    assert notice.link.endswith(f"/people/{kirsty.pk}/")


# --- defaults replace, never duplicate -----------------------------------------------------


def test_a_default_rule_switched_off_sends_nothing_at_all(
    smtp_server: SmtpServer, worker: Worker
) -> None:
    """No hidden second copy: the rule is the only thing that acknowledges."""
    Rule.objects.filter(code="acknowledge").update(active=False)
    customer_request()
    deliver(worker)
    assert mail_to(smtp_server, EWAN) == []


def test_nobody_gets_the_same_notice_twice(smtp_server: SmtpServer, worker: Worker) -> None:
    """An administrator's rule that overlaps a default one (Tom told of customer notes
    by name, and as an assignee; the customer acknowledged twice over) tells each
    person once."""
    tom = individual("technician")
    overlap = Rule.objects.create(name="Tom hears of every customer note", event="note.added")
    Condition.objects.create(rule=overlap, field="note_by", value="customer")
    Action.objects.create(
        rule=overlap, kind="notify", target="person", individual=tom, text="Note on {{ number }}"
    )
    again = Rule.objects.create(name="Acknowledge, again", event="transaction.created")
    Action.objects.create(rule=again, kind="email_customer", mail_kind="acknowledgement")

    issue = customer_request()
    assigned_to_tom(issue)
    actions.add_note(
        actor=user("customer"),
        transaction=issue,
        body="Still alarming.",
        visibility=Note.Visibility.SHARED,
        channel="web",
    )
    deliver(worker)
    assert len(mail_to(smtp_server, EWAN)) == 1
    assert subjects(smtp_server, TOM) == [
        f"{issue.number} assigned to you: Dosing pump alarm",
        f"Ewan Grant added a note to {issue.number}",
    ]
    assert Notification.objects.filter(recipient=tom).count() == 2
    # And every message in the outbox went once: one row a recipient and message.
    rows = list(Delivery.objects.values_list("address", "subject"))
    assert len(rows) == len(set(rows))


def test_what_a_rule_did_is_in_the_transactions_history(worker: Worker) -> None:
    issue = customer_request()
    assigned_to_tom(issue)
    worker()
    from portico.audit.models import Event

    acted = Event.objects.filter(action="rule.acted", subject_id=str(issue.pk)).order_by("id")
    assert [e.actor_label for e in acted] == [
        "Rule “Acknowledge a new request”",
        "Rule “Tell those assigned, and their supervisors”",
        "Rule “Tell those assigned, and their supervisors”",
    ]
    assert acted[0].data["recipients"] == ["Ewan Grant"]
    assert all(e.rule_id is not None and e.depth == 1 for e in acted)


def test_the_staff_read_what_a_rule_did_in_the_history_and_the_customer_does_not(
    worker: Worker,
) -> None:
    from django.test import Client
    from django.urls import reverse

    issue = customer_request()
    assigned_to_tom(issue)
    worker()
    staff, customer = Client(), Client()
    staff.force_login(user("csr"))
    customer.force_login(user("customer"))
    console = staff.get(reverse("console:transaction", args=[issue.number])).content.decode()
    assert "Rule “Tell those assigned, and their supervisors”" in console
    assert "Tom Reid" in console
    portal = customer.get(f"/portal/t/{issue.number}/").content.decode()
    assert issue.number in portal
    assert "Rule “" not in portal
