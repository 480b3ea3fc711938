"""The OpenAPI description and the reference page, which must run under the site's
strict Content-Security-Policy."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
import yaml
from django.test import Client
from django.urls import reverse
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.conftest import PASSWORD, PERSONAS


def test_the_schema_is_served_as_openapi_json(db: None) -> None:
    answer = Client().get(reverse("api:schema"))
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/vnd.oai.openapi+json")
    schema = answer.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/transactions/{number}/" in schema["paths"]
    assert set(schema["components"]["securitySchemes"]) == {"bearerAuth", "cookieAuth"}
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["type", "detail", "errors"]
    create = schema["paths"]["/api/v1/transactions/"]["post"]["responses"]
    assert {"201", "400", "401", "403", "415", "422", "429"} <= set(create)


@pytest.mark.parametrize(
    ("accept", "served", "kind"),
    [
        ("application/json", "application/json", "json"),
        ("application/vnd.oai.openapi+json", "application/vnd.oai.openapi+json", "json"),
        ("application/vnd.oai.openapi", "application/vnd.oai.openapi", "yaml"),
        ("application/yaml", "application/yaml", "yaml"),
        ("*/*", "application/vnd.oai.openapi+json", "json"),
        ("text/html;q=0.9, application/json;q=0.8", "application/json", "json"),
    ],
)
def test_the_schema_answers_the_types_clients_ask_for(
    db: None, accept: str, served: str, kind: str
) -> None:
    """Issue 19, item 11: a client asking for plain JSON was told 406."""
    answer = Client().get(reverse("api:schema"), headers={"Accept": accept})
    assert answer.status_code == 200
    assert answer["Content-Type"].split(";")[0] == served
    text = answer.content.decode()
    schema = json.loads(text) if kind == "json" else yaml.safe_load(text)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/transactions/" in schema["paths"]


def test_the_schema_refuses_a_type_it_cannot_write_in_the_error_shape(db: None) -> None:
    answer = Client().get(reverse("api:schema"), headers={"Accept": "text/csv"})
    assert answer.status_code == 406
    assert answer.json()["type"] == "not_acceptable"


def test_the_docs_page_runs_only_nonced_scripts(db: None) -> None:
    answer = Client().get(reverse("api:docs"))
    assert answer.status_code == 200
    policy = answer["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy)
    assert nonce is not None
    html = answer.content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline == [f' nonce="{nonce.group(1)}"']
    assert " style=" not in html
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_docs_page_renders_without_csp_violations(
    demo_data: None, new_page: Callable[..., Page]
) -> None:
    page = new_page()
    messages: list[str] = []

    def listen(message: ConsoleMessage) -> None:
        messages.append(f"{message.type}: {message.text}")

    page.on("console", listen)
    page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
    # Logged in, so "Try it out" would use the session.
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(PERSONAS["csr"].email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(reverse("api:docs"))
    # Our own heading; Swagger UI renders a second "Portico API" heading when it loads.
    expect(page.get_by_role("heading", name="Portico API reference")).to_be_visible()
    operation = page.locator(
        ".opblock-summary-path", has_text="/api/v1/transactions/{number}/"
    ).first
    expect(operation).to_be_visible()
    operation.click()
    expect(page.get_by_text("E.g. SI-000123.").first).to_be_visible()
    violations = [m for m in messages if "Content Security Policy" in m or "pageerror" in m]
    assert violations == []
