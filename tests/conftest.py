"""Fixtures shared by the whole suite: the demo people as named personas, a logged-in
test client, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from playwright.sync_api import Browser, Page, sync_playwright
from pytest_django.live_server_helper import LiveServer
from pytest_django.plugin import DjangoDbBlocker

from portico.access import setup
from portico.demo.people import PEOPLE
from portico.parties.models import Individual
from tests import demo_snapshot

PASSWORD = demo_snapshot.PASSWORD
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@dataclass(frozen=True)
class Persona:
    """A demo person the tests speak of by role."""

    key: str
    email: str
    expected_home: str

    @property
    def individual(self) -> Individual:
        return Individual.objects.select_related("user", "user_group", "organization").get(
            email=self.email
        )


def _email(first: str, last: str) -> str:
    return next(p.email for p in PEOPLE if (p.first_name, p.last_name) == (first, last))


PERSONAS = {
    "csr": Persona("csr", _email("Fiona", "MacLeod"), "/console/"),
    "technician": Persona("technician", _email("Tom", "Reid"), "/console/"),
    "supervisor": Persona("supervisor", _email("Morag", "Campbell"), "/console/"),
    "administrator": Persona("administrator", _email("Graham", "Stewart"), "/console/"),
    "customer": Persona("customer", _email("Ewan", "Grant"), "/portal/"),
    "colleague": Persona("colleague", _email("Kirsty", "Muir"), "/portal/"),
    "other_customer": Persona("other_customer", _email("Helen", "Baird"), "/portal/"),
    "partner": Persona("partner", _email("Niamh", "O'Neill"), "/partners/"),
    "employee": Persona("employee", _email("Lucy", "Chen"), "/employees/"),
}


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # Log-in rate limits live in the cache; one test's failures must not throttle the next.
    cache.clear()
    # What access keeps per process: a test's database (a rolled-back transaction, a
    # restored snapshot) changes set-up rows without the signals that forget them.
    setup.forget()
    yield
    cache.clear()
    setup.forget()


# --- the demo, loaded once per process (tests/demo_snapshot.py) --------------------------


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=demo_snapshot.sort_key)


@pytest.fixture
def worker(db: None) -> Callable[[], int]:
    """What `portico worker` does after a commit, run here and now: the subscribers of
    every undispatched event (notices, the outbox, webhook deliveries). Returns how many
    events it dispatched. The tests' transactions never commit, so nothing runs them
    otherwise."""
    from portico.events import dispatch

    return dispatch.dispatch_all


@pytest.fixture(scope="session")
def _demo_snapshot(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker
) -> Iterator[demo_snapshot.Snapshot]:
    snapshot = demo_snapshot.Snapshot()
    yield snapshot
    with django_db_blocker.unblock():
        snapshot.move_to(demo_snapshot.NONE)


@pytest.fixture(autouse=True)
def _demo_level(request: pytest.FixtureRequest) -> None:
    # Autouse, so that it runs before the test's own transaction is opened.
    level = demo_snapshot.level_wanted(request.node)
    if level is None:
        return
    snapshot: demo_snapshot.Snapshot = request.getfixturevalue("_demo_snapshot")
    if snapshot.level != level:
        with request.getfixturevalue("django_db_blocker").unblock():
            snapshot.move_to(level)


@pytest.fixture(autouse=True)
def _default_rules(request: pytest.FixtureRequest) -> None:
    # The default automation rules are rows (a data migration), and a transactional
    # test starts from a database Django flushed after the one before it.
    _, transactional = demo_snapshot.database_use(request.node)
    if transactional:
        request.getfixturevalue("transactional_db")
        from portico.automations import defaults

        defaults.install()


@pytest.fixture
def demo_people(db: None, _demo_snapshot: demo_snapshot.Snapshot) -> None:
    """The demo company and its people, without the demo day's transactions."""
    _demo_snapshot.reach(demo_snapshot.PEOPLE)


@pytest.fixture
def demo_data(db: None, _demo_snapshot: demo_snapshot.Snapshot) -> None:
    """The demo company, its people and the demo day's transactions. The knowledge base
    is left out: most tests never read it, and loading its articles costs more than the
    rest together. Ask for `demo_knowledge` where it is needed."""
    _demo_snapshot.reach(demo_snapshot.TRANSACTIONS)


@pytest.fixture
def demo_knowledge(demo_data: None) -> None:
    from portico.demo import knowledge

    knowledge.load()


@pytest.fixture
def demo_surveys(demo_data: None) -> None:
    """The demo's satisfaction history of the last 90 days, left out of `demo_data` as
    the knowledge base is: it adds closed requests that most tests would have to
    step around."""
    from portico.demo import surveys
    from portico.parties.models import User

    surveys.load({p.first_name: User.objects.get(email=p.email) for p in PEOPLE})


@pytest.fixture
def personas(demo_data: None) -> dict[str, Persona]:
    return PERSONAS


@pytest.fixture
def client_for(demo_data: None) -> Callable[[str], Client]:
    """A test client logged in as a persona, through the real log-in form."""

    def make(key: str) -> Client:
        client = Client()
        response = client.post(
            "/accounts/login/", {"login": PERSONAS[key].email, "password": PASSWORD}
        )
        assert response.status_code == 302, f"{key} could not log in"
        return client

    return make


# --- the browser ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium(
    _demo_snapshot: demo_snapshot.Snapshot, django_db_blocker: DjangoDbBlocker
) -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test-deps` installs Debian's chromium.")
    # Playwright's start leaves this thread's Django connection outside any transaction
    # open before it: the demo snapshot's would be lost, and the test after refused. A
    # browser test starts from no demo level anyway (transactional), and this session
    # fixture is set up before that test's own move to it, so the snapshot goes first.
    with django_db_blocker.unblock():
        _demo_snapshot.move_to(demo_snapshot.NONE)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium: Browser, live_server: LiveServer) -> Iterator[Callable[..., Page]]:
    """Pages in fresh browser contexts (each its own cookies) against the live server."""
    contexts = []

    def make(*, bypass_csp: bool = False) -> Page:
        context = chromium.new_context(base_url=live_server.url, bypass_csp=bypass_csp)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


# --- accessibility -----------------------------------------------------------------------

AXE_JS = Path(__file__).resolve().parent.parent / "var/axe/node_modules/axe-core/axe.min.js"
_AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
  }));
}"""


def serious_accessibility_violations(page: Page) -> list[dict[str, object]]:
    """axe-core's serious and critical violations on the page as it stands. The page's
    context must bypass CSP: axe is injected as a script the page's policy would block."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: `make test-deps` installs axe-core from npm.")
    page.add_script_tag(path=str(AXE_JS))
    found: list[dict[str, object]] = page.evaluate(_AXE_RUN)
    return [v for v in found if v["impact"] in {"serious", "critical"}]
