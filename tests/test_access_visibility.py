"""`visible_transactions(p)` (one SQL filter, in two shapes: from the grants, or tested
per row) and `can(p, "view", t)` (one transaction at a time) are writings of one rule.
Over random grant configurations they must agree."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction as db
from django.db.models import Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portico import access
from portico.access import setup
from portico.parties.models import Individual, User
from portico.service import actions
from portico.service.models import (
    Application,
    ApplicationRight,
    Grant,
    Note,
    Permission,
    Transaction,
)

PROFILES = {
    "service-issue": {"issue-type": "fault", "product": "clearflow-dosing-pump"},
    "complaint": {"category": "product"},
    "enquiry": {},
    "sales-opportunity": {},
}
PEOPLE = ["Sandeep", "Kirsty", "Callum", "Graham", "Niamh", "Lucy"]
# The six standard permissions, one an administrator defined ("no access": decides, gives
# nothing) and no permission at all.
PERMISSIONS = ["full", "customer", "worknotes", "read", "assigned", "linked", "no-access", None]


@dataclass
class Pool:
    transactions: list[Transaction]
    people: dict[str, Individual]


@pytest.fixture
def pool(demo_people: None) -> Pool:
    Permission.objects.create(code="no-access", name="No access", decides_access=True)
    csr = User.objects.get(email__startswith="fiona.")
    requesters = [Individual.objects.get(first_name=n) for n in ("Helen", "Ewan")]
    made = []
    for code in ("service-issue", "complaint", "sales-opportunity"):
        application = Application.objects.get(code=code)
        for requester in requesters:
            made.append(
                actions.create_transaction(
                    actor=csr,
                    application=application,
                    title=f"{code} for {requester.name}",
                    requester=requester,
                    profile=PROFILES[code],
                )
            )
    people = {
        n: Individual.objects.select_related("organization", "user_group").get(first_name=n)
        for n in PEOPLE
    }
    return Pool(made, people)


grant_rows = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=5),  # which transaction
        st.sampled_from(["person", "organization", "another person", "another organization"]),
        st.sampled_from([p for p in PERMISSIONS if p]),
    ),
    max_size=12,
)


class _Undo(Exception):
    pass


@pytest.mark.slow
@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    person=st.sampled_from(PEOPLE),
    rows=grant_rows,
    group_default=st.sampled_from(PERMISSIONS),
    drop_grants=st.booleans(),
)
def test_visible_transactions_is_can_view(
    pool: Pool,
    person: str,
    rows: list[tuple[int, str, str]],
    group_default: str | None,
    drop_grants: bool,
) -> None:
    subject = pool.people[person]
    stranger = pool.people["Kirsty" if person != "Kirsty" else "Sandeep"]
    permissions = {p.code: p for p in Permission.objects.all()}
    try:
        with db.atomic():
            if drop_grants:  # also try a world with none of the default grants
                Grant.objects.all().delete()
            ApplicationRight.objects.filter(user_group=subject.user_group).update(
                default_permission=permissions[group_default] if group_default else None
            )
            setup.forget()  # update() sends no signal to forget the kept rights
            for index, principal, code in rows:
                targets: dict[str, dict[str, Any]] = {
                    "person": {"individual": subject},
                    "organization": {"organization": subject.organization},
                    "another person": {"individual": stranger},
                    "another organization": {"organization": stranger.organization},
                }
                target = targets[principal]
                Grant.objects.get_or_create(
                    transaction=pool.transactions[index], permission=permissions[code], **target
                )
            user = User.objects.get(individual=subject)
            by_sql = set(access.visible_transactions(user).values_list("pk", flat=True))
            by_row = set(
                access.visible_transactions(user, per_row=True).values_list("pk", flat=True)
            )
            one_by_one = {
                t.pk
                for t in Transaction.objects.all()
                if access.can(User.objects.get(individual=subject), "view", t)
            }
            assert by_sql == one_by_one
            assert by_row == one_by_one
            raise _Undo
    except _Undo:
        pass


note_rows = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=5),  # which transaction
        st.integers(min_value=0, max_value=6),  # minutes after the first: ties happen
        st.booleans(),  # shared
    ),
    max_size=14,
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    person=st.sampled_from(["Fiona", *PEOPLE]),
    rows=grant_rows,
    notes=note_rows,
    count=st.integers(min_value=1, max_value=4),
    whose=st.sampled_from(["organization", "requester"]),
)
def test_recent_readable_notes_are_the_newest_the_person_may_read(
    pool: Pool,
    person: str,
    rows: list[tuple[int, str, str]],
    notes: list[tuple[int, int, bool]],
    count: int,
    whose: str,
) -> None:
    """The 360° timeline walks transactions newest note first and stops early; it must
    list exactly the newest `count` notes that `access.may_read_note` lets the person read."""
    subject = Individual.objects.get(first_name=person)
    permissions = {p.code: p for p in Permission.objects.all()}
    start = timezone.now() - datetime.timedelta(days=1)
    try:
        with db.atomic():
            for index, principal, code in rows:
                target = {"person": {"individual": subject}}.get(
                    principal, {"organization": pool.transactions[index].organization}
                )
                Grant.objects.get_or_create(
                    transaction=pool.transactions[index], permission=permissions[code], **target
                )
            for index, minutes, shared in notes:
                transaction = pool.transactions[index]
                at = start + datetime.timedelta(minutes=minutes)
                Note.objects.create(
                    transaction=transaction,
                    body="A note",
                    visibility=Note.Visibility.SHARED if shared else Note.Visibility.INTERNAL,
                    created_at=at,
                )
                # What actions.add_note keeps: never earlier than any of its notes.
                Transaction.objects.filter(pk=transaction.pk).update(
                    last_note_at=Greatest(Coalesce("last_note_at", Value(at)), Value(at))
                )
            user = User.objects.get(individual=subject)
            # The first transaction's requester or organisation (Helen, Kelvin Medical).
            where = {whose: getattr(pool.transactions[0], whose)}
            shown = access.recent_readable_notes(user, Note.objects.all(), count=count, **where)
            candidates = Note.objects.filter(**{f"transaction__{k}": v for k, v in where.items()})
            expected = [
                note
                for note in candidates.select_related("transaction").order_by("-created_at", "-id")
                if access.may_read_note(user, note)
            ][:count]
            assert [n.pk for n in shown] == [n.pk for n in expected]
            raise _Undo
    except _Undo:
        pass
