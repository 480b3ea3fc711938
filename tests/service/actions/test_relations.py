"""Relations: not to itself, once between two transactions, read from both ends, and
only to a transaction the person may see."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from portico.service import actions, selectors
from tests.service.actions.conftest import individual, log_issue, permission, refused, user


def test_a_transaction_is_not_related_to_itself(people: None) -> None:
    logged = log_issue()
    with refused("other", "itself", transaction=logged):
        actions.relate(actor=user("csr"), transaction=logged, other=logged, kind="related")


@pytest.mark.parametrize("second", ["same-way", "other-way"])
def test_two_transactions_are_related_once(people: None, second: str) -> None:
    first, other = log_issue(title="Pump stopped"), log_issue(title="Line 3 down")
    actions.relate(actor=user("csr"), transaction=first, other=other, kind="caused_by")
    source, target = (first, other) if second == "same-way" else (other, first)
    with refused("other", first.number, other.number, "already related", transaction=first):
        actions.relate(actor=user("csr"), transaction=source, other=target, kind="related")


@pytest.mark.parametrize(
    ("kind", "from_source", "from_target"),
    [
        ("related", "Related to", "Related to"),
        ("duplicate", "Duplicate of", "Has duplicate"),
        ("parent", "Parent of", "Child of"),
        ("caused_by", "Caused by", "Causes"),
    ],
)
def test_a_relation_reads_from_both_ends(
    people: None, kind: str, from_source: str, from_target: str
) -> None:
    source, target = log_issue(title="Line 3 down"), log_issue(title="Pump stopped")
    actions.relate(actor=user("csr"), transaction=source, other=target, kind=kind)

    for person in ("csr", "customer"):
        assert [(r.label, r.transaction) for r in selectors.relations_of(user(person), source)] == [
            (from_source, target)
        ]
        assert [(r.label, r.transaction) for r in selectors.relations_of(user(person), target)] == [
            (from_target, source)
        ]


def test_the_other_end_of_a_relation_shows_only_to_those_who_may_see_it(people: None) -> None:
    ours = log_issue("csr", for_="customer", title="Sensor pack readings frozen")
    theirs = log_issue("csr", for_="other_customer", title="Same firmware hang")
    actions.relate(actor=user("csr"), transaction=ours, other=theirs, kind="related")

    assert [r.transaction for r in selectors.relations_of(user("csr"), ours)] == [theirs]
    assert selectors.relations_of(user("customer"), ours) == []
    assert selectors.relations_of(user("colleague"), ours) == []
    assert selectors.relations_of(user("other_customer"), theirs) == []


def test_a_relation_needs_sight_of_the_other_transaction(people: None) -> None:
    ours = log_issue("customer")
    theirs = log_issue("csr", for_="other_customer")
    actions.grant(
        actor=user("csr"),
        transaction=ours,
        permission=permission("full"),
        individual=individual("customer"),
    )
    # The same answer as for a number that does not exist: nothing leaks.
    with refused("other", "No such transaction", transaction=ours):
        actions.relate(actor=user("customer"), transaction=ours, other=theirs, kind="related")


def test_a_customer_relates_their_new_request_to_the_finished_one_it_follows(
    people: None,
) -> None:
    # A customer's e-mail reply to a closed request opens a new one (portico.mail):
    # relating needs the profile right they lack, but this one link is theirs.
    earlier, follow = log_issue(title="Pump stopped"), log_issue(title="Pump stopped again")
    with pytest.raises(PermissionDenied):
        actions.relate(actor=user("customer"), transaction=follow, other=earlier, kind="related")
    relation = actions.follow_up(actor=user("customer"), transaction=follow, earlier=earlier)
    assert (relation.source, relation.target, relation.kind) == (follow, earlier, "related")


def test_only_the_recorder_relates_a_follow_up_and_only_to_one_they_see(people: None) -> None:
    mine, colleagues = log_issue(), log_issue(by="colleague", for_="colleague")
    theirs = log_issue(by="other_customer", for_="other_customer")
    # Not their new request, or an earlier one they may not see: refused, nothing written.
    with refused("other", "No such transaction"):
        actions.follow_up(actor=user("customer"), transaction=colleagues, earlier=mine)
    with refused("other", "No such transaction"):
        actions.follow_up(actor=user("customer"), transaction=mine, earlier=theirs)
