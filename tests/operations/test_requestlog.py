"""One structured line per request, with an id the response carries too."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import pytest
from django.test import Client

from portico.operations.requestlog import JsonFormatter
from tests.conftest import Persona


@pytest.fixture
def request_lines(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="portico.requests")
    return caplog


def test_each_request_is_one_line_with_its_id_person_status_and_time(
    request_lines: pytest.LogCaptureFixture,
    client_for: Callable[[str], Client],
    personas: dict[str, Persona],
) -> None:
    response = client_for("customer").get("/portal/", HTTP_X_REQUEST_ID="lb-7f3a.1")
    assert response["X-Request-ID"] == "lb-7f3a.1"
    record = next(r for r in request_lines.records if getattr(r, "path", "") == "/portal/")
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "lb-7f3a.1"
    assert line["user_id"] == personas["customer"].individual.user_id
    assert (line["method"], line["path"], line["status"]) == ("GET", "/portal/", 200)
    assert line["duration_ms"] >= 0


@pytest.mark.parametrize("offered", ["", "a\nb", "x" * 65, "<script>"])
def test_an_unusable_request_id_is_replaced(
    request_lines: pytest.LogCaptureFixture, client: Client, db: None, offered: str
) -> None:
    response = client.get("/healthz", HTTP_X_REQUEST_ID=offered)
    assert response["X-Request-ID"] != offered
    assert len(response["X-Request-ID"]) == 32
    record = next(r for r in request_lines.records if getattr(r, "path", "") == "/healthz")
    assert record.user_id is None  # type: ignore[attr-defined]
    assert json.loads(JsonFormatter().format(record))["status"] == 200
