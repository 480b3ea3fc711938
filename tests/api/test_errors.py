"""Every failure in one shape: {"type", "detail", "errors"}."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.test import Client, override_settings

from portico.service.models import Transaction

JSON = "application/json"


def _shape(answer: Any, status: int, kind: str) -> dict[str, Any]:
    assert answer.status_code == status, answer.content
    assert answer["Content-Type"].startswith("application/json")
    body: dict[str, Any] = answer.json()
    assert set(body) == {"type", "detail", "errors"}
    assert body["type"] == kind
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert isinstance(body["errors"], dict)
    assert all(
        isinstance(messages, list) and all(isinstance(m, str) for m in messages)
        for messages in body["errors"].values()
    )
    return body


def test_every_failure_has_the_one_shape(api_for: Callable[[str], Client]) -> None:
    csr = api_for("csr")
    customer = api_for("customer")
    theirs = Transaction.objects.filter(organization__name__startswith="Kelvin").first()
    assert theirs is not None

    _shape(Client().get("/api/v1/transactions/"), 401, "not_authenticated")
    _shape(customer.get(f"/api/v1/transactions/{theirs.number}/"), 404, "not_found")
    _shape(customer.get("/api/v1/transactions/XX-999999/"), 404, "not_found")
    _shape(csr.get("/api/v1/no/such/thing/"), 404, "not_found")
    _shape(Client().post("/api/v1/nothing-here/"), 404, "not_found")
    _shape(csr.delete("/api/v1/transactions/"), 405, "method_not_allowed")
    _shape(
        csr.post("/api/v1/transactions/", "title=x", content_type="text/plain"),
        415,
        "unsupported_media_type",
    )
    _shape(csr.post("/api/v1/transactions/", "{not json", content_type=JSON), 400, "parse_error")
    _shape(csr.get("/api/v1/transactions/", headers={"Accept": "text/html"}), 406, "not_acceptable")
    grants = customer.get("/api/v1/transactions/SI-000001/grants/")
    _shape(grants, 403, "permission_denied")

    # A serializer's own errors, by field.
    body = _shape(csr.post("/api/v1/transactions/", {}, content_type=JSON), 400, "invalid")
    assert set(body["errors"]) == {"application", "title"}

    # A service's ValidationError, with a profile value's error under profile.<code>.
    body = _shape(
        csr.post(
            "/api/v1/transactions/",
            {"application": "service-issue", "title": "x", "profile": {"issue-type": "nope"}},
            content_type=JSON,
        ),
        400,
        "invalid",
    )
    assert "profile.issue-type" in body["errors"]

    # A service's PermissionDenied.
    body = _shape(
        customer.post(
            "/api/v1/transactions/SI-000001/status/", {"status": "closed"}, content_type=JSON
        ),
        403,
        "permission_denied",
    )

    # A damaged cursor and a bad filter.
    body = _shape(csr.get("/api/v1/transactions/?cursor=bad!"), 400, "invalid")
    assert "cursor" in body["errors"]
    body = _shape(csr.get("/api/v1/transactions/?priority=P9"), 400, "invalid")
    assert body["errors"] == {"priority": ["There is no such priority (“P9”)."]}


def test_too_many_requests_is_429_with_retry_after(api_for: Callable[[str], Client]) -> None:
    limited = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"person": "2/minute", "anonymous": "2/minute"},
    }
    with override_settings(REST_FRAMEWORK=limited):
        client = api_for("csr")
        other_token = api_for("csr")  # another token of the same person: its own allowance
        assert client.get("/api/v1/priorities/").status_code == 200
        assert client.get("/api/v1/priorities/").status_code == 200
        answer = client.get("/api/v1/priorities/")
        _shape(answer, 429, "throttled")
        assert int(answer["Retry-After"]) > 0
        assert other_token.get("/api/v1/priorities/").status_code == 200


def test_the_customer_may_not_filter_by_assignee(api_for: Callable[[str], Client]) -> None:
    body = _shape(api_for("customer").get("/api/v1/transactions/?assignee=3"), 400, "invalid")
    assert "assignee" in body["errors"]
