"""The API against its own OpenAPI description, with schemathesis, in process: the
schema is loaded from /api/v1/schema/ of the WSGI application, and every operation is
called with generated requests (each in a savepoint rolled back after), as the CSR with
a personal token. No answer may be a server error, and every answer must match the
status codes and bodies the description promises."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.files.base import ContentFile
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.db import transaction as db
from django.test import override_settings
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from portico import access
from portico.api import services as api_services
from portico.knowledge import services as knowledge
from portico.knowledge.models import Faq, NewsItem
from portico.parties.models import Individual
from portico.service import actions
from portico.service.models import Grant
from tests.api.conftest import make_token, user_of

EXAMPLES_PER_OPERATION = 25
# Answers by operation and status code, for the report.
statuses: dict[str, dict[int, int]] = {}
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


class _Undo(Exception):
    pass


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    """Django's WSGI application, as a server runs it, but inside the test's database
    transaction: like Django's test client, keep it from closing the connection at
    the end of each request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _known_values() -> dict[str, Any]:
    """Real identifiers, so generated requests reach past the 404s too."""
    csr = user_of("csr")
    transaction = access.visible_transactions(csr).order_by("id").first()
    assert transaction is not None
    attachment = actions.add_attachment(
        actor=csr, transaction=transaction, upload=ContentFile(b"a line\n"), name="log.txt"
    )
    grant = Grant.objects.filter(transaction=transaction).order_by("id").first()
    assert grant is not None
    ewan = Individual.objects.get(first_name="Ewan")
    spare = api_services.token_for_secret(make_token(csr, name="spare"))
    assert spare is not None  # a token of the CSR's that the operations may revoke
    # One published piece of each kind, so the knowledge operations reach past 404.
    article = knowledge.save_article(
        actor=None,
        change=knowledge.ArticleChange(
            title="Bleeding a dosing pump", body="Open the bleed valve.", status="published"
        ),
    )
    faq = Faq.objects.create(question="Who services pumps?", answer="We do.", status="published")
    news = NewsItem.objects.create(title="New depot", body="In Perth.", status="published")
    document = knowledge.add_document(
        actor=None, title="Pump manual", upload=ContentFile(b"manual\n"), name="manual.txt"
    )
    return {
        "slug": article.slug,
        "faq_id": faq.pk,
        "news_id": news.pk,
        "document_id": document.pk,
        "number": transaction.number,
        "attachment_id": attachment.pk,
        "grant_id": grant.pk,
        "code": "service-issue",
        "id": spare.pk,
        "_individual": ewan.pk,
        "_organization": ewan.organization_id,
    }


@pytest.mark.slow
def test_the_api_keeps_its_description(demo_data: None, wsgi_app: WSGIHandler) -> None:
    # Hundreds of requests from one token: lift the rate limit for this test only.
    from django.conf import settings as django_settings

    unlimited = {
        **django_settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"person": "100000/minute", "anonymous": "100000/minute"},
    }
    with override_settings(REST_FRAMEWORK=unlimited):
        _run_schemathesis(wsgi_app)


def _run_schemathesis(app: WSGIHandler) -> None:
    known = _known_values()
    headers = {"Authorization": f"Bearer {make_token(user_of('csr'))}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", app)
    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    assert len(operations) >= 44  # 33 before the knowledge base (issue 19, item 12)

    generated: dict[str, int] = {}
    failures: list[str] = []
    for operation in operations:
        names = re.findall(r"{(\w+)}", operation.path)
        fixed = {name: known[name] for name in names if name in known}
        if "/organizations/" in operation.path:
            fixed["id"] = known["_organization"]
        elif "/individuals/" in operation.path:
            fixed["id"] = known["_individual"]
        elif "/classifications/" in operation.path:
            fixed["code"] = "product"
        # The description's own examples, then real identifiers, then anything at all.
        strategies = schema.get_strategies_from_examples(operation, path_parameters=fixed)
        if names:
            strategies.append(operation.as_strategy(path_parameters=fixed))
        strategies.append(operation.as_strategy())
        strategy = st.one_of(strategies)
        generated[operation.label] = _exercise(operation.label, strategy, headers, failures)

    total = sum(generated.values())
    print(
        f"\nschemathesis: {total} cases over {len(operations)} operations, {len(failures)} failures"
    )
    for label, count in sorted(generated.items()):
        answers = ", ".join(f"{code}×{n}" for code, n in sorted(statuses[label].items()))
        print(f"  {count:3d}  {label}  ({answers})")
    assert all(count > 0 for count in generated.values()), "an operation was never called"
    assert failures == []


def _exercise(
    label: str,
    strategy: st.SearchStrategy[schemathesis.Case[Any]],
    headers: dict[str, str],
    failures: list[str],
) -> int:
    """Call one operation with generated cases; the number of cases made."""
    made = 0
    statuses[label] = {}

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: schemathesis.Case[Any]) -> None:
        nonlocal made
        made += 1
        try:
            with db.atomic():
                response = case.call(headers=headers)
                statuses[label][response.status_code] = (
                    statuses[label].get(response.status_code, 0) + 1
                )
                try:
                    case.validate_response(response, checks=CHECKS, headers=headers)
                except FailureGroup as failure:
                    failures.append(f"{label}: {failure}")
                raise _Undo
        except _Undo:
            pass

    run()
    return made
