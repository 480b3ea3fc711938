"""Transactions and what hangs off them, through the API: the same lists, filters,
files and refusals as the pages, and lists that cost the same at any size."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portico import access
from portico.audit.models import Event
from portico.parties.models import Individual
from portico.service import actions
from portico.service.models import Application, Status, Transaction
from tests.api.conftest import user_of

JSON = "application/json"


def _all_pages(client: Client, url: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    while url:
        answer = client.get(url)
        assert answer.status_code == 200, answer.content
        rows += answer.json()["results"]
        url = answer.json()["next"]
    return rows


def _organization_ids(value: Any, key: str = "") -> Iterator[int]:
    """Every organisation id anywhere in a JSON answer."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "organization" and isinstance(v, int):
                yield v
            elif k == "organization" and isinstance(v, dict):
                yield v["id"]
            else:
                yield from _organization_ids(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from _organization_ids(item, key)


def test_a_customer_sees_no_other_organisation(api_for: Callable[[str], Client]) -> None:
    client = api_for("customer")
    own = user_of("customer").individual.organization_id
    organizations = _all_pages(client, "/api/v1/organizations/")
    assert [o["id"] for o in organizations] == [own]
    people = _all_pages(client, "/api/v1/individuals/")
    assert people
    assert {p["organization"] for p in people} == {own}
    transactions = _all_pages(client, "/api/v1/transactions/?status=all")
    assert transactions
    answers: list[Any] = [organizations, people, transactions]
    answers.append(_all_pages(client, "/api/v1/tasks/"))
    for path in ("applications", "classifications", "priorities", "permissions", "tokens"):
        answers.append(client.get(f"/api/v1/{path}/").json())
    for row in transactions:
        base = f"/api/v1/transactions/{row['number']}/"
        answers.append(client.get(base).json())
        answers.append(_all_pages(client, f"{base}notes/"))
        for part in ("attachments", "relations"):
            answers.append(client.get(f"{base}{part}/").json())
    found = set(_organization_ids(answers))
    assert found == {own}
    # The same transactions as the portal lists: exactly the visible ones.
    visible = access.visible_transactions(user_of("customer")).values_list("number", flat=True)
    assert sorted(r["number"] for r in transactions) == sorted(visible)
    assert own is not None
    other = Individual.objects.exclude(organization_id=own).first()
    assert other is not None
    assert client.get(f"/api/v1/individuals/{other.pk}/").status_code == 404


def test_a_transaction_not_theirs_is_404_everywhere(api_for: Callable[[str], Client]) -> None:
    client = api_for("customer")
    theirs = Transaction.objects.filter(organization__name__startswith="Kelvin").first()
    assert theirs is not None
    base = f"/api/v1/transactions/{theirs.number}/"
    for method, url in [
        ("get", base),
        ("patch", base),
        ("post", f"{base}status/"),
        ("get", f"{base}notes/"),
        ("post", f"{base}notes/"),
        ("get", f"{base}attachments/"),
        ("get", f"{base}attachments/1/"),
        ("get", f"{base}attachments/1/content/"),
        ("delete", f"{base}attachments/1/"),
        ("get", f"{base}grants/"),
        ("post", f"{base}grants/"),
        ("delete", f"{base}grants/1/"),
        ("get", f"{base}relations/"),
        ("post", f"{base}relations/"),
        ("post", f"{base}assign/"),
    ]:
        answer = getattr(client, method)(url, {}, content_type=JSON)
        assert answer.status_code == 404, (method, url, answer.status_code)


def test_internal_notes_never_reach_a_customer(api_for: Callable[[str], Client]) -> None:
    transaction = access.visible_transactions(user_of("customer")).first()
    assert transaction is not None
    note = actions.add_note(
        actor=user_of("csr"), transaction=transaction, body="Internal only", visibility="internal"
    )
    url = f"/api/v1/transactions/{transaction.number}/notes/"
    assert note.pk in [n["id"] for n in _all_pages(api_for("csr"), url)]
    seen = _all_pages(api_for("customer"), url)
    assert note.pk not in [n["id"] for n in seen]
    assert all(n["visibility"] == "shared" for n in seen)
    refused = api_for("customer").post(
        url, {"body": "x", "visibility": "internal"}, content_type=JSON
    )
    assert refused.status_code == 403


def test_a_file_comes_back_with_the_pages_safety_headers(api_for: Callable[[str], Client]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = api_for("customer")
    transaction = access.visible_transactions(user_of("customer")).first()
    assert transaction is not None
    base = f"/api/v1/transactions/{transaction.number}/attachments/"
    html = SimpleUploadedFile("page.html", b"<script>alert(1)</script>", content_type="image/png")
    made = client.post(base, {"file": html})
    assert made.status_code == 201, made.content
    file_id = made.json()["id"]
    answer = client.get(f"{base}{file_id}/content/")
    assert answer.status_code == 200
    assert answer.getvalue() == b"<script>alert(1)</script>"
    assert answer["Content-Type"] == "application/octet-stream"
    assert answer["Content-Disposition"].startswith('attachment; filename="page.html"')
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Content-Security-Policy"] == "default-src 'none'; sandbox"
    png = SimpleUploadedFile("dot.png", _PNG, content_type="application/octet-stream")
    image = client.post(base, {"file": png}).json()["id"]
    shown = client.get(f"{base}{image}/content/", headers={"Accept": "image/png"})
    assert shown["Content-Type"] == "image/png"
    assert shown["Content-Disposition"].startswith("inline;")
    # Fetched by (number, id) only: the id under another transaction is not found.
    other = access.visible_transactions(user_of("customer")).exclude(pk=transaction.pk).first()
    assert other is not None
    assert (
        client.get(
            f"/api/v1/transactions/{other.number}/attachments/{file_id}/content/"
        ).status_code
        == 404
    )


_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def test_the_staff_work_a_transaction(api_for: Callable[[str], Client]) -> None:
    csr = api_for("csr")
    made = csr.post(
        "/api/v1/transactions/",
        {
            "application": "service-issue",
            "title": "Pump noise",
            "requester": Individual.objects.get(first_name="Ewan").pk,
            "profile": {"issue-type": "fault", "product": "clearflow-dosing-pump"},
        },
        content_type=JSON,
    )
    assert made.status_code == 201, made.content
    number = made.json()["number"]
    assert made.json()["organization"]["name"] == "Harbour Foods plc"
    assert "change_status" in made.json()["actions"]
    base = f"/api/v1/transactions/{number}/"
    assert Transaction.objects.get(number=number).channel == "api"

    changed = csr.patch(
        base,
        {"title": "Pump noise on line 2", "priority": "P1", "profile": {"area": "west"}},
        content_type=JSON,
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["title"] == "Pump noise on line 2"
    assert changed.json()["priority"]["code"] == "P1"
    assert changed.json()["profile"]["area"] == "West"

    # All or nothing: a bad profile value leaves the title as it was.
    refused = csr.patch(base, {"title": "Renamed", "profile": {"area": "mars"}}, content_type=JSON)
    assert refused.status_code == 400
    assert "profile.area" in refused.json()["errors"]
    assert Transaction.objects.get(number=number).title == "Pump noise on line 2"

    moved = csr.post(f"{base}status/", {"status": "in-progress"}, content_type=JSON)
    assert moved.json()["status"]["code"] == "in-progress"
    nowhere = csr.post(f"{base}status/", {"status": "nowhere"}, content_type=JSON)
    assert nowhere.status_code == 400
    assert "status" in nowhere.json()["errors"]

    tom = Individual.objects.get(first_name="Tom")
    assigned = csr.post(f"{base}assign/", {"assignees": [tom.pk]}, content_type=JSON)
    assert assigned.status_code == 200
    assert number in [t["number"] for t in _all_pages(api_for("technician"), "/api/v1/tasks/")]

    grants = csr.get(f"{base}grants/").json()
    tom_grant = next(g for g in grants if g["individual"] and g["individual"]["id"] == tom.pk)
    assert csr.delete(f"{base}grants/{tom_grant['id']}/").status_code == 204
    assert number not in [t["number"] for t in _all_pages(api_for("technician"), "/api/v1/tasks/")]
    given = csr.post(
        f"{base}grants/", {"permission": "read", "individual": tom.pk}, content_type=JSON
    )
    assert given.status_code == 201

    related = csr.post(
        f"{base}relations/", {"other": "SI-000001", "kind": "duplicate"}, content_type=JSON
    )
    assert related.status_code == 201, related.content
    assert related.json()["label"] == "Duplicate of"
    back = csr.get("/api/v1/transactions/SI-000001/relations/").json()
    assert any(r["number"] == number and r["label"] == "Has duplicate" for r in back)


def test_a_customer_logs_their_own_and_their_look_is_recorded(
    api_for: Callable[[str], Client],
) -> None:
    customer = api_for("customer")
    other_person = Individual.objects.get(first_name="Helen")
    made = customer.post(
        "/api/v1/transactions/",
        {
            "application": "service-issue",
            "title": "Leak",
            "requester": other_person.pk,  # not visible to them: refused as no such person
            "profile": {"issue-type": "fault", "product": "clearflow-dosing-pump"},
        },
        content_type=JSON,
    )
    assert made.status_code == 400
    assert "requester" in made.json()["errors"]
    made = customer.post(
        "/api/v1/transactions/",
        {
            "application": "service-issue",
            "title": "Leak",
            "profile": {"issue-type": "fault", "product": "clearflow-dosing-pump"},
        },
        content_type=JSON,
    )
    assert made.status_code == 201
    assert made.json()["requester"]["name"] == "Ewan Grant"
    number = made.json()["number"]
    before = Event.objects.filter(action="transaction.viewed").count()
    assert customer.get(f"/api/v1/transactions/{number}/").status_code == 200
    viewed = Event.objects.filter(action="transaction.viewed").order_by("-id")
    assert viewed.count() == before + 1
    assert viewed[0].channel == "api"


# --- lists: filters, pages and their cost ---------------------------------------------------


def _bulk(count: int, *, due: datetime.datetime | None, title: str = "Bulk") -> list[Transaction]:
    """Rows straight into the table (the service would be slow for hundreds); the CSR's
    group sees every service issue by default."""
    application = Application.objects.get(code="service-issue")
    status = Status.objects.get(application=application, initial=True)
    start = Transaction.objects.filter(application=application).count() + 1000
    rows = [
        Transaction(
            application=application,
            sequence=start + i,
            number=f"BK-{start + i:06d}",
            title=f"{title} {i}",
            status=status,
            due_at=due,
        )
        for i in range(count)
    ]
    return Transaction.objects.bulk_create(rows)


def test_pages_follow_due_then_id_with_ties_and_no_due_last(
    api_for: Callable[[str], Client],
) -> None:
    same = timezone.now() + datetime.timedelta(days=3)
    _bulk(7, due=same, title="Tied")
    _bulk(4, due=None, title="Undated")
    client = api_for("csr")
    rows = _all_pages(client, "/api/v1/transactions/?status=all&page_size=3")
    numbers = [r["number"] for r in rows]
    expected = [
        t.number
        for t in sorted(
            access.visible_transactions(user_of("csr")),
            key=lambda t: (t.due_at is None, t.due_at or same, t.pk),
        )
    ]
    assert numbers == expected
    assert len(set(numbers)) == len(numbers)


def test_filters_narrow_the_list(api_for: Callable[[str], Client]) -> None:
    client = api_for("csr")
    tied = _bulk(2, due=None, title="Needle in the haystack")
    everything = _all_pages(client, "/api/v1/transactions/?status=all")
    found = _all_pages(client, "/api/v1/transactions/?q=needle")
    assert sorted(r["number"] for r in found) == sorted(t.number for t in tied)
    assert [
        r["number"] for r in _all_pages(client, "/api/v1/transactions/?q=SI-000001&status=all")
    ] == ["SI-000001"]
    harbour = user_of("customer").individual.organization_id
    by_org = _all_pages(client, f"/api/v1/transactions/?status=all&organization={harbour}")
    assert by_org
    assert all(r["organization"]["id"] == harbour for r in by_org)
    resolved = _all_pages(client, "/api/v1/transactions/?status=resolved")
    assert all(r["status"]["category"] == "resolved" for r in resolved)
    open_ones = _all_pages(client, "/api/v1/transactions/")
    assert all(r["status"]["category"] in {"new", "open", "waiting"} for r in open_ones)
    assert len(everything) >= len(open_ones)
    tom = Individual.objects.get(first_name="Tom")
    assigned = _all_pages(client, f"/api/v1/transactions/?status=all&assignee={tom.pk}")
    technician_tasks = _all_pages(api_for("technician"), "/api/v1/tasks/")
    assert {t["number"] for t in technician_tasks} <= {r["number"] for r in assigned}
    for query in (
        "application=service-issue",
        "priority=P1",
        "product=clearflow-dosing-pump",
        "area=west",
        "due=overdue",
        "due=week",
    ):
        assert client.get(f"/api/v1/transactions/?status=all&{query}").status_code == 200, query


def _queries(client: Client, url: str) -> tuple[int, int]:
    client.get(url)  # warm: the token's last-use time is written at most once a minute
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(url)
    assert answer.status_code == 200
    return len(captured.captured_queries), len(answer.json()["results"])


def test_the_list_costs_the_same_for_10_and_200_rows(api_for: Callable[[str], Client]) -> None:
    client = api_for("csr")
    url = "/api/v1/transactions/?status=all&q=Bulk&page_size=200"
    _bulk(5, due=timezone.now() + datetime.timedelta(days=1))
    _bulk(5, due=None)
    small, ten = _queries(client, url)
    _bulk(120, due=timezone.now() + datetime.timedelta(days=2))
    _bulk(70, due=None)
    large, two_hundred = _queries(client, url)
    assert (ten, two_hundred) == (10, 200)
    print(f"\nqueries for the transaction list: {small} at 10 rows, {large} at 200 rows")
    assert small == large


def test_the_api_keeps_an_internal_notes_events_from_staff_who_may_not_read_it(
    api_for: Callable[[str], Client],
) -> None:
    """Issue 19 through the API: the technician with Read only on the transaction gets
    neither the internal note, nor its file's name, nor its events from any answer about
    the transaction; the CSR, who may read internal notes, gets them."""
    from tests.audit import internal_note

    scene = internal_note.make()
    base = f"/api/v1/transactions/{scene.transaction.number}/"
    tom = api_for("technician")
    answers = [
        tom.get(base),
        tom.get(f"{base}notes/"),
        tom.get(f"{base}attachments/"),
        tom.get(f"{base}history/"),
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 200]
    said = "".join(a.content.decode() for a in answers)
    assert internal_note.SHARED_FILE in said
    assert internal_note.SECRET_FILE not in said
    assert internal_note.SECRET_TEXT not in said
    history = [e["action"] for e in answers[-1].json()["results"]]
    assert history.count("note.added") == 1
    assert "attachment.deleted" not in history
    assert tom.get(f"{base}attachments/{scene.attachment.pk}/").status_code == 404
    fiona = api_for("csr")
    assert internal_note.SECRET_TEXT in fiona.get(f"{base}notes/").content.decode()
    fiona_history = fiona.get(f"{base}history/")
    assert fiona_history.content.decode().count(internal_note.SECRET_FILE) == 2


def test_a_move_the_flow_forbids_is_refused_naming_the_allowed_moves(
    api_for: Callable[[str], Client],
) -> None:
    csr = api_for("csr")
    made = csr.post(
        "/api/v1/transactions/",
        {
            "application": "service-issue",
            "title": "Pump noise",
            "requester": Individual.objects.get(first_name="Ewan").pk,
            "profile": {"issue-type": "fault", "product": "clearflow-dosing-pump"},
        },
        content_type=JSON,
    )
    base = f"/api/v1/transactions/{made.json()['number']}/"
    assert (
        csr.post(f"{base}status/", {"status": "in-progress"}, content_type=JSON).status_code == 200
    )
    events = Event.objects.count()
    refused = csr.post(f"{base}status/", {"status": "closed"}, content_type=JSON)
    assert refused.status_code == 400
    expected = (
        "Cannot move from In progress to Closed. Allowed: Waiting on customer, Resolved, Withdrawn."
    )
    assert refused.json()["errors"] == {"status": [expected]}
    assert refused.json()["detail"] == expected
    assert csr.get(base).json()["status"]["code"] == "in-progress"
    assert Event.objects.count() == events

    # From a final status nothing is allowed, and the answer says so.
    csr.post(f"{base}status/", {"status": "resolved", "resolution": "Fixed."}, content_type=JSON)
    csr.post(f"{base}status/", {"status": "closed"}, content_type=JSON)
    final = csr.post(f"{base}status/", {"status": "in-progress"}, content_type=JSON)
    assert final.status_code == 400
    assert final.json()["errors"]["status"] == [
        "Cannot move from Closed to In progress. No move is allowed from Closed."
    ]
