"""Every URL, every persona, from one table. A named URL with no row fails the test, so a
new page cannot arrive without saying who may open it."""

from collections.abc import Callable, Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# url name -> (path, the personas that may open it); everyone else logged in gets 403,
# anonymous people are sent to log in.
STAFF = {"csr", "technician", "supervisor", "administrator"}
CUSTOMERS = {"customer", "colleague", "other_customer"}
ROUTES: dict[str, tuple[str, set[str]]] = {
    "console:home": ("/console/", STAFF),
    "console:transactions": ("/console/transactions/", STAFF),
    "console:transactions-export": ("/console/transactions/export.csv", STAFF),
    "console:notifications": ("/console/notifications/", STAFF),
    "console:find": ("/console/find/?q=grant", STAFF),
    "console:create": ("/console/transactions/new/", STAFF),
    "console:me": ("/console/profile/", STAFF),
    "console:organization-lookup": ("/console/organizations/lookup/?q=har", STAFF),
    "reports:service": ("/console/reports/", {"supervisor", "administrator"}),
    "reports:products": ("/console/reports/products/", {"supervisor", "administrator"}),
    "reports:people": ("/console/reports/people/", {"supervisor", "administrator"}),
    "reports:portal": ("/console/reports/portal/", {"supervisor", "administrator"}),
    "reports:service-export": ("/console/reports/export.csv", {"supervisor", "administrator"}),
    "reports:people-export": (
        "/console/reports/people/export.csv",
        {"supervisor", "administrator"},
    ),
    "reports:products-export": (
        "/console/reports/products/export.xlsx",
        {"supervisor", "administrator"},
    ),
    "reports:portal-export": (
        "/console/reports/portal/export.csv?table=users",
        {"supervisor", "administrator"},
    ),
    "reports:satisfaction": ("/console/reports/satisfaction/", {"supervisor", "administrator"}),
    "reports:money": ("/console/reports/money/", {"supervisor", "administrator"}),
    "reports:money-export": (
        "/console/reports/money/export.csv",
        {"supervisor", "administrator"},
    ),
    # Feedback forms' results: the Reports zone and administrators.
    "console:forms": ("/console/forms/", {"supervisor", "administrator"}),
    "portal:customer-forms": ("/portal/forms/", CUSTOMERS),
    "portal:partner-forms": ("/partners/forms/", {"partner"}),
    "portal:employee-forms": ("/employees/forms/", {"employee"}),
    "portal:customer-home": ("/portal/", CUSTOMERS),
    "portal:customer-transactions": ("/portal/transactions/", CUSTOMERS),
    "portal:customer-create": ("/portal/new/", CUSTOMERS),
    "portal:customer-profile": ("/portal/profile/", CUSTOMERS),
    "portal:partner-home": ("/partners/", {"partner"}),
    "portal:partner-transactions": ("/partners/transactions/", {"partner"}),
    "portal:partner-create": ("/partners/new/", {"partner"}),
    "portal:partner-profile": ("/partners/profile/", {"partner"}),
    "portal:employee-home": ("/employees/", {"employee"}),
    "portal:employee-transactions": ("/employees/transactions/", {"employee"}),
    "portal:employee-create": ("/employees/new/", {"employee"}),
    "portal:employee-profile": ("/employees/profile/", {"employee"}),
    "knowledge:editor": ("/console/knowledge/", STAFF),
    "knowledge:new": ("/console/knowledge/new/", STAFF),
    "admin:index": ("/admin/", {"administrator"}),
    "admin:parties_individual_changelist": ("/admin/parties/individual/", {"administrator"}),
    "admin:webhooks_subscription_changelist": ("/admin/webhooks/subscription/", {"administrator"}),
    "admin:webhooks_delivery_changelist": ("/admin/webhooks/delivery/", {"administrator"}),
    "admin:automations_rule_changelist": ("/admin/automations/rule/", {"administrator"}),
    # Rule 1 is the first default rule (automations/0002 writes them in order).
    "admin:automations_rule_dryrun": ("/admin/automations/rule/1/dry-run/", {"administrator"}),
    "admin:automations_failure_changelist": ("/admin/automations/failure/", {"administrator"}),
    "admin:surveys_satisfactionsetting_changelist": (
        "/admin/surveys/satisfactionsetting/",
        {"administrator"},
    ),
}
# API routes not about one transaction, answered the API's way: 403 in its error shape to
# a person it is not for, 401 to no one at all (the rest: tests/api/ and the channel
# matrix).
API_ROUTES: dict[str, tuple[str, set[str]]] = {
    "api:events": ("/api/v1/events/", STAFF),
    # Every log-in may ask which forms are open to it (an empty list for most).
    "api:forms": ("/api/v1/forms/", STAFF | CUSTOMERS | {"partner", "employee"}),
}
# Pages open to anyone, and route families tested elsewhere (why in the comment).
PUBLIC = {"home", "no-zones", "healthz", "readyz"}
ELSEWHERE_PREFIXES = (
    "account_",  # allauth's log-in pages: tests/login
    "mfa_",  # allauth's two-factor pages: tests/security/test_login.py, tests/login
    "admin:",  # every admin page is behind one has_permission: sampled above
    "service:",  # file downloads need a transaction and a file: tests/service/test_attachments.py
    "api:",  # the API answers through its own matrix: tests/api/
)
# One transaction's pages and their POST endpoints answer 404 for what a person may
# not see, which this table cannot say: tests/console/test_transaction_page.py,
# tests/console/test_lists.py, tests/console/test_phone.py and tests/portal/ (withdraw
# and reopen: tests/portal/test_lifecycle.py; the satisfaction banner:
# tests/surveys/test_portal.py; the reply by e-mail:
# tests/console/test_email_reply.py and the channel matrix).
ELSEWHERE_NAMES = {
    # The Prometheus metrics answer configured addresses (or a token), not people, and a
    # 404 to everyone else, logged in or not: tests/operations/test_metrics.py.
    "metrics",
    # The knowledge pages open to visitors too, and show each reader their own share:
    # tests/knowledge/test_pages.py.
    "knowledge:home",
    "knowledge:search",
    "knowledge:suggest",
    "knowledge:article",
    "knowledge:feedback",
    "knowledge:solved",
    "knowledge:category",
    "knowledge:faqs",
    "knowledge:faq",
    "knowledge:documents",
    "knowledge:download",
    "knowledge:news",
    "knowledge:news-item",
    "knowledge:edit",
    "knowledge:draft-from-transaction",
    # The unsubscribe page opens to anyone holding a signed link, with no log-in, and
    # refuses any other token alike: tests/mail/test_unsubscribe.py.
    "mail:unsubscribe",
    # A campaign's news opt-out: the same, for product news (tests/automations/
    # test_campaigns.py).
    "mail:news",
    # The satisfaction survey: a signed link for one person and transaction, no log-in;
    # any other token gets the one refusal (tests/surveys/test_survey.py).
    "surveys:answer",
    # One feedback form (to fill in, or its results) answers 404 for a form that is not
    # the person's and 403 for results to those who may not read them:
    # tests/surveys/test_forms_pages.py.
    "portal:customer-form",
    "portal:partner-form",
    "portal:employee-form",
    "console:form-results",
    "console:form-results-csv",
    "console:transaction",
    "console:profile",
    # Value and cost, POST only: tests/console/test_money.py and the security matrices.
    "console:money",
    "console:status",
    "console:edit-text",
    "console:add-note",
    "console:upload",
    "console:email-reply",
    "console:delete-file",
    "console:relate",
    "console:add-grant",
    "console:remove-grant",
    "console:assign",
    "console:forward",
    # Marking a "not satisfied" answer followed up, POST only: tests/surveys/test_console.py.
    "console:follow-up",
    # The transaction page's rare forms, asked for when their panel opens: 404 for a
    # transaction one may not see, 403 without the right its POST needs
    # (tests/console/test_transaction_panels.py and the channel matrix).
    "console:panel",
    # A note's contact, suggested as it is typed: the same answers, for those who may add
    # a note (tests/console/test_transaction_panels.py and the channel matrix).
    "console:contacts",
    "console:save-view",
    "console:delete-view",
    "console:individual",
    "console:organization",
    "console:me-create-token",
    "console:me-revoke-token",
    # E-mail me this report, POST only: tests/reports/test_mailing.py.
    "reports:schedule",
    # A person's own e-mail settings, POST only: tests/mail/test_profile.py.
    "portal:customer-mail-settings",
    "portal:partner-mail-settings",
    "portal:employee-mail-settings",
    "portal:customer-create-token",
    "portal:customer-revoke-token",
    "portal:partner-create-token",
    "portal:partner-revoke-token",
    "portal:employee-create-token",
    "portal:employee-revoke-token",
    "portal:customer-transaction",
    "portal:customer-add-note",
    "portal:customer-upload",
    "portal:customer-withdraw",
    "portal:customer-reopen",
    "portal:customer-satisfaction",
    "portal:partner-transaction",
    "portal:partner-add-note",
    "portal:partner-upload",
    "portal:partner-withdraw",
    "portal:partner-reopen",
    "portal:partner-satisfaction",
    "portal:employee-transaction",
    "portal:employee-add-note",
    "portal:employee-upload",
    "portal:employee-withdraw",
    "portal:employee-reopen",
    "portal:employee-satisfaction",
}
PERSONAS = [
    "csr",
    "technician",
    "supervisor",
    "administrator",
    "customer",
    "colleague",
    "other_customer",
    "partner",
    "employee",
]


def _names(resolver: URLResolver, namespace: str = "") -> Iterator[str]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_named_url_has_a_row() -> None:
    missing = sorted(
        name
        for name in set(_names(get_resolver()))
        if name not in ROUTES
        and name not in PUBLIC
        and name not in ELSEWHERE_NAMES
        and not name.startswith(ELSEWHERE_PREFIXES)
    )
    assert missing == [], f"URLs with no access row: {missing}"


CASES = [(name, key) for name in sorted(ROUTES) for key in PERSONAS]


@pytest.mark.parametrize(("name", "key"), CASES)
def test_zone_pages(client_for: Callable[[str], Client], name: str, key: str) -> None:
    path, allowed = ROUTES[name]
    response = client_for(key).get(path)
    expected = 200 if key in allowed else 403
    assert response.status_code == expected, f"{key} on {path}"
    if expected == 403:
        assert b"Not allowed" in response.content


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_anonymous_is_sent_to_log_in(client: Client, db: None, name: str) -> None:
    path, _ = ROUTES[name]
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("key", PERSONAS)
def test_navigation_shows_only_open_zones(client_for: Callable[[str], Client], key: str) -> None:
    page = client_for(key).get("/", follow=True).content.decode()
    for path, allowed in ROUTES.values():
        link = f'href="{path}"'
        if path.count("/") > 2:  # deeper admin pages are not in the menu
            continue
        assert (link in page) == (key in allowed), f"{key}: menu link to {path}"


API_CASES = [(name, key) for name in sorted(API_ROUTES) for key in PERSONAS]


@pytest.mark.parametrize(("name", "key"), API_CASES)
def test_api_routes(client_for: Callable[[str], Client], name: str, key: str) -> None:
    path, allowed = API_ROUTES[name]
    response = client_for(key).get(path)
    expected = 200 if key in allowed else 403
    assert response.status_code == expected, f"{key} on {path}"
    if expected == 403:
        assert response.json()["type"] == "permission_denied"


@pytest.mark.parametrize("name", sorted(API_ROUTES))
def test_the_api_answers_no_one_with_401(client: Client, db: None, name: str) -> None:
    path, _ = API_ROUTES[name]
    assert client.get(path).status_code == 401


# The API's webhook endpoints (issue 20): Systems Admin only (the administrator here);
# everyone else logged in gets 403, whatever the subscription, and anonymous callers 401.
# (method, url name, the answer the administrator gets); what each does: tests/webhooks.
WEBHOOK_API = [
    ("get", "api:webhooks", 200),
    ("post", "api:webhooks", 400),  # an empty body: refused as invalid, not forbidden
    ("get", "api:webhook", 200),
    ("patch", "api:webhook", 200),
    ("delete", "api:webhook", 204),
    ("post", "api:webhook-rotate-secret", 200),
    ("post", "api:webhook-ping", 202),
    ("get", "api:webhook-deliveries", 200),
    ("post", "api:webhook-redeliver", 202),
]


def _webhook_url(name: str) -> str:
    from portico.parties.models import Individual
    from portico.webhooks.models import Delivery, Subscription

    owner = Individual.objects.get(first_name="Graham")
    row = Subscription.objects.create(owner=owner, url="http://127.0.0.1:9/", events=["*"])
    delivery = Delivery.objects.create(subscription=row, event_name="webhook.ping", body="{}")
    if name == "api:webhooks":
        return reverse(name)
    if name == "api:webhook-redeliver":
        return reverse(name, args=[row.pk, delivery.pk])
    return reverse(name, args=[row.pk])


@pytest.mark.parametrize(("method", "name", "admin_gets"), WEBHOOK_API)
@pytest.mark.parametrize("key", [*PERSONAS, None])
def test_webhook_api(
    client_for: Callable[[str], Client],
    client: Client,
    method: str,
    name: str,
    admin_gets: int,
    key: str | None,
) -> None:
    caller = client if key is None else client_for(key)
    url = _webhook_url(name)
    answer = getattr(caller, method)(url, content_type="application/json")
    expected = 401 if key is None else admin_gets if key == "administrator" else 403
    # (Django's test client skips the CSRF check; tests/webhooks/test_api.py makes it.)
    assert answer.status_code == expected, f"{key} {method} {url}"
