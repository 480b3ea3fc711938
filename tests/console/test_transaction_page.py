"""The console's transaction page: everything about one transaction, and a form per
change that goes through the services."""

import re
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from portico.audit.models import Event
from portico.notify.models import Notification
from portico.parties.models import Individual, Organization, User
from portico.service import actions, rules
from portico.service.models import (
    Application,
    Grant,
    Note,
    Permission,
    Priority,
    Status,
    Transaction,
)
from tests.conftest import Persona
from tests.queries import tables_read


@pytest.fixture
def issue(personas: dict[str, Persona]) -> Transaction:
    customer = User.objects.get(email=personas["customer"].email)
    return actions.create_transaction(
        actor=customer,
        application=Application.objects.get(code="service-issue"),
        title="Pump alarm E42 on line 3",
        description="It **stopped** at 02:10.",
        profile={"issue-type": "fault", "product": "clearflow-dosing-pump"},
    )


def test_page_shows_the_transaction(
    client_for: Callable[[str], Client], issue: Transaction
) -> None:
    page = client_for("csr").get(f"/console/transactions/{issue.number}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert issue.number in html
    assert "<strong>stopped</strong>" in html  # Markdown rendered, sanitised
    assert "ClearFlow dosing pump" in html
    assert "Update worknotes" in html
    assert "Harbour Foods plc" in html


def test_customer_cannot_open_the_console_page(
    client_for: Callable[[str], Client], issue: Transaction
) -> None:
    assert client_for("customer").get(f"/console/transactions/{issue.number}/").status_code == 403


def test_unknown_number_is_404(client_for: Callable[[str], Client], demo_data: None) -> None:
    assert client_for("csr").get("/console/transactions/SI-999999/").status_code == 404


def test_notes_of_every_kind(client_for: Callable[[str], Client], issue: Transaction) -> None:
    csr = client_for("csr")
    ewan = Individual.objects.get(first_name="Ewan")
    url = f"/console/transactions/{issue.number}/notes/"
    response = csr.post(
        url,
        {
            "channel": "phone",
            "direction": "out",
            "visibility": "shared",
            "contact": ewan.pk,
            "body": "Called Ewan; reset did not help.",
        },
    )
    assert response.status_code == 302
    csr.post(
        url,
        {
            "channel": "internal",
            "direction": "none",
            "visibility": "internal",
            "body": "Sensor batch recall?",
        },
    )
    notes = list(Note.objects.filter(transaction=issue).order_by("id"))
    assert [(n.channel, n.direction, n.visibility) for n in notes] == [
        ("phone", "out", "shared"),
        ("internal", "none", "internal"),
    ]
    assert notes[0].contact == ewan
    issue.refresh_from_db()
    assert issue.first_response_at == notes[0].created_at
    html = csr.get(f"/console/transactions/{issue.number}/").content.decode()
    assert "Internal" in html
    assert "Sensor batch recall?" in html


def test_an_empty_note_is_refused_and_nothing_changes(
    client_for: Callable[[str], Client], issue: Transaction
) -> None:
    csr = client_for("csr")
    before = Event.objects.count()
    response = csr.post(
        f"/console/transactions/{issue.number}/notes/",
        {"channel": "phone", "direction": "in", "visibility": "shared", "body": "   "},
    )
    assert response.status_code == 400
    # The service's words, as the portal and the API say it (service/rules.py).
    assert "Write something in the note." in response.content.decode()
    assert Note.objects.filter(transaction=issue).count() == 0
    assert Event.objects.count() == before


def test_profile_priority_and_status(
    client_for: Callable[[str], Client], issue: Transaction
) -> None:
    csr = client_for("csr")
    p1 = Priority.objects.get(code="P1")
    response = csr.post(
        f"/console/transactions/{issue.number}/profile/",
        {
            "priority": p1.pk,
            "issue-type": "fault",
            "product": "clearflow-dosing-pump",
            "area": "north-east",
        },
    )
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.priority == p1
    assert actions.profile_of(issue)["area"] == "North East"
    closed = Status.objects.get(application=issue.application, code="closed")
    resolved = Status.objects.get(application=issue.application, code="resolved")
    refused = csr.post(
        f"/console/transactions/{issue.number}/status/", {"status": resolved.pk, "resolution": ""}
    )
    assert refused.status_code == 400
    assert "Say how it was resolved." in refused.content.decode()
    ok = csr.post(
        f"/console/transactions/{issue.number}/status/",
        {"status": resolved.pk, "resolution": "Replaced the flow sensor."},
    )
    assert ok.status_code == 302
    back = csr.post(f"/console/transactions/{issue.number}/status/", {"status": closed.pk})
    assert back.status_code == 302
    issue.refresh_from_db()
    assert issue.status == closed
    assert issue.resolution == "Replaced the flow sensor."


def test_bad_profile_value_is_refused(
    client_for: Callable[[str], Client], issue: Transaction
) -> None:
    response = client_for("csr").post(
        f"/console/transactions/{issue.number}/profile/",
        {
            "issue-type": "fault",
            "product": "",
            "units": "many",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Product is required." in html
    assert "Units affected must be a number." in html
    assert actions.profile_of(issue)["product"] == "ClearFlow dosing pump"


def test_dispatch_to_two_technicians_notifies_them_and_their_supervisor(
    client_for: Callable[[str], Client], issue: Transaction, worker: Callable[[], int]
) -> None:
    tom, aisha, morag = (Individual.objects.get(first_name=n) for n in ("Tom", "Aisha", "Morag"))
    response = client_for("csr").post(
        f"/console/transactions/{issue.number}/assign/", {"assignees": [tom.pk, aisha.pk]}
    )
    assert response.status_code == 302
    assert set(
        Grant.objects.filter(transaction=issue, permission__code="assigned").values_list(
            "individual__first_name", flat=True
        )
    ) == {"Tom", "Aisha"}
    worker()  # the notices follow the event, after the commit
    assert set(
        Notification.objects.filter(transaction=issue).values_list("recipient__first_name", "kind")
    ) == {
        ("Tom", "assigned"),
        ("Aisha", "assigned"),
        ("Morag", "team_assigned"),
    }
    # One notice for the dispatch, not one per person dispatched.
    assert morag.notifications.filter(transaction=issue).count() == 1


def test_forward_to_another_team_with_a_note(
    client_for: Callable[[str], Client], issue: Transaction, worker: Callable[[], int]
) -> None:
    field = Organization.objects.get(name="Field Service")
    response = client_for("csr").post(
        f"/console/transactions/{issue.number}/forward/",
        {"team": field.pk, "note": "Needs a site visit."},
    )
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.team == field
    assert Note.objects.get(transaction=issue).body == "Needs a site visit."
    worker()
    assert set(
        Notification.objects.filter(transaction=issue, kind="forwarded").values_list(
            "recipient__first_name", flat=True
        )
    ) == {"Tom", "Aisha"}


def test_grants_editor(client_for: Callable[[str], Client], issue: Transaction) -> None:
    csr = client_for("csr")
    kirsty = Individual.objects.get(first_name="Kirsty")
    response = csr.post(
        f"/console/transactions/{issue.number}/grants/",
        {"individual": kirsty.email, "permission": 2},
    )
    assert response.status_code in {302, 400}
    from portico.service.models import Permission

    worknotes = Permission.objects.get(code="worknotes")
    csr.post(
        f"/console/transactions/{issue.number}/grants/",
        {"individual": kirsty.email.upper(), "permission": worknotes.pk},
    )
    row = Grant.objects.get(transaction=issue, individual=kirsty, permission=worknotes)
    unknown = csr.post(
        f"/console/transactions/{issue.number}/grants/",
        {"individual": "nobody@nowhere.example", "permission": worknotes.pk},
    )
    assert unknown.status_code == 400
    assert "No individual has that e-mail address." in unknown.content.decode()
    removed = csr.post(f"/console/transactions/{issue.number}/grants/{row.pk}/delete/")
    assert removed.status_code == 302
    assert not Grant.objects.filter(pk=row.pk).exists()


def test_relate_by_number_shows_from_both_ends(
    client_for: Callable[[str], Client], issue: Transaction, personas: dict[str, Persona]
) -> None:
    other = actions.create_transaction(
        actor=User.objects.get(email=personas["csr"].email),
        application=Application.objects.get(code="complaint"),
        title="Downtime complaint",
        requester=Individual.objects.get(first_name="Ewan"),
        profile={"category": "service"},
    )
    csr = client_for("csr")
    csr.post(
        f"/console/transactions/{issue.number}/relations/",
        {"other": other.number, "kind": "caused_by"},
    )
    assert "Caused by" in csr.get(f"/console/transactions/{issue.number}/").content.decode()
    assert "Causes" in csr.get(f"/console/transactions/{other.number}/").content.decode()
    self_link = csr.post(
        f"/console/transactions/{issue.number}/relations/",
        {"other": issue.number, "kind": "related"},
    )
    assert "cannot be related to itself" in self_link.content.decode()


def test_upload_and_delete_a_file(client_for: Callable[[str], Client], issue: Transaction) -> None:
    csr = client_for("csr")
    csr.post(
        f"/console/transactions/{issue.number}/files/",
        {"file": SimpleUploadedFile("alarm log.txt", b"E42 02:10\n")},
    )
    attachment = issue.attachments.get()
    download = csr.get(f"/transactions/{issue.number}/files/{attachment.pk}/")
    assert download.status_code == 200
    assert download.getvalue() == b"E42 02:10\n"
    csr.post(f"/console/transactions/{issue.number}/files/{attachment.pk}/delete/")
    assert csr.get(f"/transactions/{issue.number}/files/{attachment.pk}/").status_code == 404


def test_a_read_only_administrator_sees_no_forms(
    client_for: Callable[[str], Client], issue: Transaction
) -> None:
    from portico.service.models import Permission

    graham = Individual.objects.get(first_name="Graham")
    Grant.objects.create(
        transaction=issue, individual=graham, permission=Permission.objects.get(code="read")
    )
    admin = client_for("administrator")
    html = admin.get(f"/console/transactions/{issue.number}/").content.decode()
    assert "Save profile" not in html
    assert "Add note" not in html
    assert "Assign" not in html
    refused = admin.post(
        f"/console/transactions/{issue.number}/notes/",
        {"channel": "phone", "direction": "in", "visibility": "shared", "body": "Sneaky"},
    )
    assert refused.status_code == 403
    assert not Note.objects.filter(transaction=issue).exists()


def test_query_count_does_not_grow_with_notes(
    client_for: Callable[[str], Client], issue: Transaction, personas: dict[str, Persona]
) -> None:
    csr_user = User.objects.get(email=personas["csr"].email)
    csr = client_for("csr")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert csr.get(f"/console/transactions/{issue.number}/").status_code == 200
        return len(queries)

    for i in range(3):
        actions.add_note(actor=csr_user, transaction=issue, body=f"Note {i}", visibility="shared")
    count()  # the first request of the process reads the set-up it keeps
    few = count()
    for i in range(30):
        actions.add_note(actor=csr_user, transaction=issue, body=f"More {i}", visibility="shared")
    assert count() == few


def test_the_application_comes_with_the_rights(
    client_for: Callable[[str], Client], issue: Transaction
) -> None:
    # The person's rights hold the applications they may see, so the page neither reads
    # the application again nor joins it to the transaction; its name and profile show.
    with CaptureQueriesContext(connection) as queries:
        page = client_for("csr").get(f"/console/transactions/{issue.number}/")
    assert page.status_code == 200
    tables = tables_read(queries)
    assert '"service_application"' not in tables
    fetch = [
        q["sql"]
        for q, table in zip(queries.captured_queries, tables, strict=True)
        if table == '"service_transaction"' and issue.number in q["sql"]
    ]
    assert len(fetch) == 1
    assert '"service_application"' not in fetch[0]
    html = page.content.decode()
    assert "Service issue" in html
    assert "ClearFlow dosing pump" in html


def test_history_keeps_an_internal_notes_file_from_staff_who_may_not_read_it(
    client_for: Callable[[str], Client],
) -> None:
    """Issue 19: a technician with Read only on the transaction saw the name of a file
    attached to an internal note in the History panel."""
    from tests.audit import internal_note

    scene = internal_note.make()
    url = f"/console/transactions/{scene.transaction.number}/"
    tom = client_for("technician").get(url).content.decode()
    assert internal_note.SHARED_FILE in tom  # the page and its history are shown
    assert internal_note.SECRET_FILE not in tom
    assert internal_note.SECRET_TEXT not in tom
    fiona = client_for("csr").get(url).content.decode()
    assert internal_note.SECRET_FILE in fiona
    assert internal_note.SECRET_TEXT in fiona


# --- the status control offers only the moves the flow allows (issue 19, item 3) ---------


def _offered(html: str) -> tuple[list[str], list[str]]:
    """The status select's options (labels) and those marked selected."""
    select = re.search(r'<select name="status"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None, "no status control"
    options = re.findall(r"<option value=\"([^\"]*)\"( selected)?>([^<]*)</option>", select[1])
    return [label for _v, _s, label in options], [label for _v, s, label in options if s]


def _fiona() -> User:
    user = Individual.objects.get(first_name="Fiona").user
    assert user is not None
    return user


def _move(issue: Transaction, code: str, resolution: str = "") -> None:
    actions.change_status(
        actor=_fiona(),
        transaction=issue,
        status=Status.objects.get(application=issue.application, code=code),
        resolution=resolution,
    )


@pytest.mark.parametrize(
    ("path", "offered"),
    [
        ([], ["In progress", "Waiting on customer", "Resolved", "Closed", "Withdrawn"]),
        (["in-progress"], ["Waiting on customer", "Resolved", "Withdrawn"]),
        (["waiting"], ["In progress", "Resolved", "Withdrawn"]),
        (["resolved"], ["In progress", "Closed"]),
    ],
)
def test_the_status_select_offers_exactly_the_allowed_moves(
    client_for: Callable[[str], Client], issue: Transaction, path: list[str], offered: list[str]
) -> None:
    for code in path:
        _move(issue, code, resolution="Reset the controller.")
    html = client_for("csr").get(f"/console/transactions/{issue.number}/").content.decode()
    labels, selected = _offered(html)
    assert labels == ["Move to…", *offered]
    assert selected == ["Move to…"]  # the placeholder, not a move


def test_a_closed_transaction_has_no_status_control(
    client_for: Callable[[str], Client], issue: Transaction
) -> None:
    _move(issue, "closed")
    html = client_for("csr").get(f"/console/transactions/{issue.number}/").content.decode()
    assert 'name="status"' not in html
    assert "Change status" not in html
    assert "Save profile" in html  # the rest of the page's controls stay


def test_a_disallowed_move_changes_nothing_and_says_what_is_allowed(
    client_for: Callable[[str], Client], issue: Transaction
) -> None:
    _move(issue, "in-progress")
    closed = Status.objects.get(application=issue.application, code="closed")
    csr = client_for("csr")
    before = Event.objects.count()
    refused = csr.post(f"/console/transactions/{issue.number}/status/", {"status": closed.pk})
    assert refused.status_code == 400
    assert (
        "Cannot move from In progress to Closed. "
        "Allowed: Waiting on customer, Resolved, Withdrawn." in refused.content.decode()
    )
    issue.refresh_from_db()
    assert issue.status.code == "in-progress"
    assert Event.objects.count() == before
    # The page shown again offers the allowed moves only.
    assert _offered(refused.content.decode())[0] == [
        "Move to…",
        "Waiting on customer",
        "Resolved",
        "Withdrawn",
    ]


def test_sending_the_placeholder_is_refused(
    client_for: Callable[[str], Client], issue: Transaction
) -> None:
    csr = client_for("csr")
    before = Event.objects.count()
    refused = csr.post(f"/console/transactions/{issue.number}/status/", {"status": ""})
    assert refused.status_code == 400
    assert "Choose the status to move to." in refused.content.decode()
    issue.refresh_from_db()
    assert issue.status.code == "new"
    assert Event.objects.count() == before


def test_a_person_who_may_not_change_the_status_sees_no_control(
    client_for: Callable[[str], Client], issue: Transaction
) -> None:
    graham = Individual.objects.get(first_name="Graham")
    Grant.objects.create(
        transaction=issue, individual=graham, permission=Permission.objects.get(code="worknotes")
    )
    assert graham.user is not None
    assert actions.status_moves(actor=graham.user, transaction=issue) == []
    admin = client_for("administrator")
    assert (
        'name="status"' not in admin.get(f"/console/transactions/{issue.number}/").content.decode()
    )
    resolved = Status.objects.get(application=issue.application, code="resolved")
    refused = admin.post(
        f"/console/transactions/{issue.number}/status/",
        {"status": resolved.pk, "resolution": "Done"},
    )
    assert refused.status_code == 403
    issue.refresh_from_db()
    assert issue.status.code == "new"


# --- editing the title and description (issue 19, item 7) ---------------------------------


def test_staff_edit_the_text_and_the_history_keeps_the_previous_text(
    client_for: Callable[[str], Client], issue: Transaction
) -> None:
    csr = client_for("csr")
    page = csr.get(f"/console/transactions/{issue.number}/").content.decode()
    assert "Edit title and description" in page
    assert 'value="Pump alarm E42 on line 3"' in page  # the form starts from the text
    response = csr.post(
        f"/console/transactions/{issue.number}/text/",
        {
            "title": "Pump alarm E42 on line 3 <b>again</b>",
            # As a browser sends a textarea: CR LF line breaks.
            "description": "It stopped at 02:10.\r\nAnd again at 04:00 <script>x()</script>.",
        },
    )
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.title == "Pump alarm E42 on line 3 <b>again</b>"
    assert issue.description == "It stopped at 02:10.\nAnd again at 04:00 <script>x()</script>."
    event = Event.objects.filter(action="transaction.text_changed").latest("id")
    assert event.data["description"]["before"] == "It **stopped** at 02:10."
    html = csr.get(f"/console/transactions/{issue.number}/").content.decode()
    history = html[html.index('id="history-heading"') :]
    assert "Title or description changed" in history
    assert (
        "Title: Pump alarm E42 on line 3 → Pump alarm E42 on line 3 &lt;b&gt;again&lt;/b&gt;"
        in history
    )
    assert "It **stopped** at 02:10." in history  # the previous description, as typed
    assert "&lt;script&gt;x()&lt;/script&gt;" in history
    assert "<script>x()" not in html


def test_an_untouched_description_is_not_recorded_as_changed(
    client_for: Callable[[str], Client], issue: Transaction
) -> None:
    Transaction.objects.filter(pk=issue.pk).update(description="Line one\nLine two")
    response = client_for("csr").post(
        f"/console/transactions/{issue.number}/text/",
        {"title": "Pump alarm E42, line 3", "description": "Line one\r\nLine two"},
    )
    assert response.status_code == 302
    event = Event.objects.filter(action="transaction.text_changed").latest("id")
    assert set(event.data) == {"title"}


def test_a_refused_title_changes_nothing_and_shows_the_services_message(
    client_for: Callable[[str], Client], issue: Transaction
) -> None:
    csr = client_for("csr")
    before = Event.objects.count()
    refused = csr.post(
        f"/console/transactions/{issue.number}/text/",
        {"title": "   ", "description": "Rewritten"},
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert rules.TITLE.required in html  # the same words as every other channel
    assert '<details class="edit-text" open>' in html  # the form is shown with the error
    issue.refresh_from_db()
    assert (issue.title, issue.description) == (
        "Pump alarm E42 on line 3",
        "It **stopped** at 02:10.",
    )
    assert Event.objects.count() == before


def test_without_the_edit_right_there_is_no_control_and_a_post_is_refused(
    client_for: Callable[[str], Client], issue: Transaction
) -> None:
    # Tom holds Assigned to for action: he may work it, not rewrite what the customer said.
    tom = Individual.objects.get(first_name="Tom")
    actions.assign(actor=_fiona(), transaction=issue, assignees=[tom])
    Grant.objects.filter(transaction=issue, organization__isnull=False).delete()
    technician = client_for("technician")
    page = technician.get(f"/console/transactions/{issue.number}/")
    assert page.status_code == 200
    assert "Edit title and description" not in page.content.decode()
    before = Event.objects.count()
    refused = technician.post(
        f"/console/transactions/{issue.number}/text/",
        {"title": "Renamed by Tom", "description": "Gone"},
    )
    assert refused.status_code == 403
    issue.refresh_from_db()
    assert issue.title == "Pump alarm E42 on line 3"
    assert Event.objects.count() == before
    assert Permission.objects.get(code="assigned").edit_text is False


def test_the_text_endpoint_is_for_the_console_and_visible_transactions_only(
    client_for: Callable[[str], Client], issue: Transaction
) -> None:
    # Ewan logged it, but the console is not his: the portal is where he writes.
    customer = client_for("customer")
    sent = {"title": "Renamed", "description": "Gone"}
    assert customer.post(f"/console/transactions/{issue.number}/text/", sent).status_code == 403
    csr = client_for("csr")
    assert csr.post("/console/transactions/SI-999999/text/", sent).status_code == 404
    assert csr.get(f"/console/transactions/{issue.number}/text/").status_code == 405
    issue.refresh_from_db()
    assert issue.title == "Pump alarm E42 on line 3"
