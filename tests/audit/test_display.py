from portico.audit.display import describe, title
from portico.audit.models import Event


def test_a_change_reads_before_and_after() -> None:
    event = Event(
        action="transaction.status_changed",
        data={"status": {"before": "New", "after": "Resolved"}, "resolution": "Fixed"},
    )
    assert title(event) == "Status changed"
    assert describe(event) == "Status: New → Resolved; Resolution: Fixed"


def test_ids_are_left_out_and_empty_values_shown_as_a_dash() -> None:
    event = Event(
        action="grant.added",
        data={
            "grant": 12,
            "permission": "Read only",
            "principal": "",
            "team": {"before": None, "after": "Field Service"},
        },
    )
    assert describe(event) == "Permission: Read only; Principal: —; Team: — → Field Service"


def test_an_unknown_action_still_reads() -> None:
    assert title(Event(action="knowledge.article_published")) == "knowledge: article published"
