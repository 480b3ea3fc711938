"""portico.statements: the hot queries' SQL written once per process, and the rows it
gives the same as the queryset's."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from portico import access
from portico.parties.models import User
from portico.service import actions
from portico.service.models import Note, Transaction
from portico.statements import Statement
from tests.conftest import PERSONAS


@pytest.fixture
def compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every SQL Django's compiler writes for a SELECT while the test runs."""
    written: list[str] = []
    original = SQLCompiler.as_sql

    def counting(
        self: SQLCompiler, *args: object, **kwargs: object
    ) -> tuple[str, tuple[object, ...]]:
        sql, params = original(self, *args, **kwargs)  # type: ignore[arg-type]
        written.append(sql)
        return sql, params

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    return written


def _by_number(number: str):  # type: ignore[no-untyped-def]
    return Transaction.objects.select_related("status", "requester").filter(number=number)


def test_rows_are_the_querysets_rows_with_their_related_objects(demo_data: None) -> None:
    statement = Statement(_by_number, number=str)
    for transaction in Transaction.objects.select_related("status", "requester")[:5]:
        (row,) = statement.rows(number=transaction.number)
        with CaptureQueriesContext(connection) as queries:
            requester = row.requester
            shown = (row.pk, row.title, row.status.name, requester and requester.email)
        assert len(queries) == 0, "select_related's objects came with the row"
        assert shown == (
            transaction.pk,
            transaction.title,
            transaction.status.name,
            transaction.requester and transaction.requester.email,
        )
    assert statement.one(number="no such number") is None


def test_the_sql_is_written_once_and_only_the_arguments_change(
    demo_data: None, compiles: list[str]
) -> None:
    statement = Statement(_by_number, number=str)
    numbers = list(Transaction.objects.values_list("number", flat=True)[:3])
    compiles.clear()
    found = [statement.one(number=n) for n in numbers]
    assert [t.number for t in found if t is not None] == numbers
    assert len(compiles) == 1, compiles
    with CaptureQueriesContext(connection) as queries:
        statement.one(number=numbers[0])
    assert len(queries) == 1
    assert numbers[0] in str(queries[0]["sql"]) or numbers[0] in repr(queries[0])


def test_an_argument_the_lookup_rewrites_is_refused() -> None:
    statement = Statement(
        lambda title: Transaction.objects.filter(title__contains=title), title=str
    )
    with pytest.raises(ValueError, match="does not carry"):
        statement.rows(title="printer")
    # Once as it is and once rewritten: the rewritten place would keep the marker.
    both = Statement(
        lambda title: Transaction.objects.filter(number=title, title__contains=title), title=str
    )
    with pytest.raises(ValueError, match="does not carry"):
        both.rows(title="printer")


def test_an_argument_of_another_type_is_refused(db: None) -> None:
    statement = Statement(lambda pk: Transaction.objects.filter(pk=pk), pk=int)
    with pytest.raises(TypeError, match="pk must be int"):
        statement.rows(pk="1")
    with pytest.raises(TypeError, match="takes"):
        statement.rows(pk=1, other=2)


def test_an_argument_used_twice_takes_both_places(demo_data: None) -> None:
    statement = Statement(
        lambda low: Transaction.objects.filter(pk__gte=low, sequence__gte=low).order_by("pk"),
        low=int,
    )
    expected = list(Transaction.objects.filter(pk__gte=3, sequence__gte=3).order_by("pk"))
    assert statement.rows(low=3) == expected


def test_another_thread_runs_it_on_its_own_connection(transactional_db: None) -> None:
    statement = Statement(lambda email: User.objects.filter(email=email), email=str)
    email = "reader@example.com"
    User.objects.create_user(email=email, password=None)
    assert statement.one(email=email) is not None  # written on this thread's connection
    seen: list[object] = []

    def read() -> None:
        from django.db import connection as own

        try:
            row = statement.one(email=email)
            seen.append((row.email if row else None, own.connection is not None))
        except Exception as error:  # the assertion below shows it
            seen.append(error)
        finally:
            own.close()

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    assert seen == [(email, True)]


def test_the_readable_rows_are_the_readable_querysets(demo_data: None) -> None:
    """The pages' statements against the access rules' querysets (notes, files and
    history), for a note of each kind on a customer's transaction, read by the staff and
    by customers."""
    customer = User.objects.get(email=PERSONAS["customer"].email)
    csr = User.objects.get(email=PERSONAS["csr"].email)
    transaction = access.visible_transactions(customer).order_by("pk").first()
    assert transaction is not None
    for visibility in (Note.Visibility.SHARED, Note.Visibility.INTERNAL):
        actions.add_note(actor=csr, transaction=transaction, body="x", visibility=visibility)
    for key in ("csr", "technician", "customer", "colleague", "other_customer"):
        user = User.objects.get(email=PERSONAS[key].email)
        with access.deciding_once():
            notes = access.readable_note_rows(user, transaction)
            files = access.readable_attachment_rows(user, transaction)
        assert notes == list(access.readable_notes(user, transaction).order_by("created_at", "id"))
        assert files == list(
            access.readable_attachments(user, transaction).order_by("created_at", "id")
        )
        with access.deciding_once():
            history = access.readable_history_rows(user, transaction)
        assert history == list(
            access.readable_history(user, transaction).order_by("-occurred_at", "-id")[
                : access.HISTORY_SHOWN
            ]
        )
        assert bool(history) == (key in ("csr", "technician")), key
        internal = [n for n in notes if n.visibility == Note.Visibility.INTERNAL]
        assert bool(internal) == (key in ("csr", "technician")), key
