"""Stored XSS (issue 8, item 4): every payload of `xss_payloads` is written into every
field a person can fill — transaction titles and descriptions, shared and internal
notes, the names of individuals and organisations, job titles, knowledge articles
(title, summary, tags, body), FAQs, news, documents, feedback comments, searches, saved
views, notifications and attachment file names — through the services and forms the
pages use, and every page that shows them is opened in Chromium with the real
Content-Security-Policy (never bypassed).

Four detectors watch each page:

* executions — ``__xss(n)`` is defined by an init script (which runs in every frame
  whatever the page's CSP says) and reports through a Playwright binding; dialogs
  (``alert(n)``) are caught and dismissed;
* CSP violations — a ``securitypolicyviolation`` listener added by the same init script,
  and the console's "Content Security Policy" errors;
* requests — anything the page asks for under ``/__xss__/`` (scripts, images, styles,
  frames, htmx requests, meta refreshes);
* the DOM — markup that escaped the escaping even where it did not fire: ``on*``
  attributes, ``style`` attributes, htmx/Alpine/Angular attributes carrying a payload,
  ``javascript:``/``data:`` URLs, script/frame/object/style/img/svg elements that are not
  Portico's own; and the word a template-syntax payload would print if it were ever
  compiled as a template.

The control test proves the detectors can fail: with the Markdown sanitiser replaced by
the identity function, the same pages show violations (CSP on) and executions (CSP
bypassed)."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.conf import settings
from django.contrib.admin import site as admin_site
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.utils.safestring import SafeString, mark_safe
from playwright.sync_api import BrowserContext, ConsoleMessage, Dialog, Page, Request
from pytest_django.live_server_helper import LiveServer

from portico.console.forms import SaveViewForm
from portico.console.models import SavedView
from portico.knowledge import services as knowledge
from portico.knowledge.models import Article, Category, Document, Faq, Feedback, NewsItem, Search
from portico.knowledge.models import Status as Published
from portico.notify import services as notify
from portico.parties import services as parties
from portico.parties.models import Individual, Organization, User, UserGroup
from portico.service import actions, content
from portico.service.models import Application, Note, Transaction
from tests.conftest import PASSWORD, PERSONAS
from tests.postgres_cluster import sqlite_pass_only
from tests.security.xss_payloads import PAYLOADS, TEMPLATE_SENTINEL, N, Payload, by_number

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    sqlite_pass_only("the rendering does not depend on the database"),
]

ISSUE = {"issue-type": "fault", "product": "clearflow-dosing-pump"}
# Knowledge search answers ten articles a query: each group of ten shares a word.
SEARCH_GROUP = 10

# Runs first in every document and frame, whatever the page's CSP.
INIT_SCRIPT = """
(() => {
  const report = (kind, detail) => {
    try { window.__xssReport(kind, String(detail)); } catch (e) {}
  };
  Object.defineProperty(window, "__xss", {
    value: (n) => report("exec", n), writable: false, configurable: false,
  });
  document.addEventListener("securitypolicyviolation", (e) => report("csp", JSON.stringify({
    directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile,
    line: e.lineNumber, sample: e.sample,
  })), true);
})();
"""

# Markup in the page that Portico's templates never write and user text must never
# become. Portico's own scripts carry the CSP nonce or come from /static/.
DOM_CHECK = """
() => {
  const found = [];
  const admin = location.pathname.startsWith("/admin/");
  const show = (el) => el.outerHTML.slice(0, 200);
  const dangerous = /^[\\s\\u0000-\\u001f]*(javascript|vbscript|data):/i;
  const ours = (url) => {
    try {
      const u = new URL(url, location.href);
      return u.origin === location.origin && u.pathname.startsWith("/static/");
    } catch (e) { return false; }
  };
  const urlAttributes = new Set(["href", "src", "action", "data", "xlink:href", "poster",
    "background", "formaction", "codebase", "cite", "srcset", "ping"]);
  const frameworkAttribute = /^(data-)?(hx-|x-|v-|ng-|_$|:|@)/;
  const elements = new Set(["script", "iframe", "frame", "frameset", "object", "embed",
    "applet", "base", "portal", "style", "link", "img", "image", "svg", "math", "video",
    "audio", "source", "picture", "marquee", "xmp", "plaintext", "noembed", "listing"]);
  for (const el of document.querySelectorAll("*")) {
    const tag = el.localName;
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value;
      if (name.startsWith("on")) found.push(`event handler ${name}: ${show(el)}`);
      // The admin's own scripts set style through the CSSOM, which the CSP allows.
      else if (name === "style" && (!admin || /xss|url|expression|position/i.test(value)))
        found.push(`style attribute: ${show(el)}`);
      else if (name === "srcdoc") found.push(`srcdoc: ${show(el)}`);
      else if (name.includes("xss")) found.push(`attribute ${name}: ${show(el)}`);
      // Every payload calls __xss(n) or alert(n), or asks for /__xss__/n: a bare "xss"
      // also matched a random CSRF token in hx-headers ("…cXsSc…").
      else if (frameworkAttribute.test(name) && /__xss|alert *[(]/i.test(value))
        found.push(`framework attribute ${name}: ${show(el)}`);
      else if (urlAttributes.has(name) && dangerous.test(value))
        found.push(`${name} with a script or data URL: ${show(el)}`);
    }
    if (tag === "meta" && el.httpEquiv) found.push(`meta http-equiv: ${show(el)}`);
    if (!elements.has(tag)) continue;
    if (tag === "script" && el.type === "application/json" && !el.src) continue;
    if (tag === "script" && (el.nonce || ours(el.src)) && !/xss/i.test(el.textContent)) continue;
    if (tag === "link" && ours(el.href)) continue;
    if (tag === "img" && ours(el.src)) continue;
    // The admin's own theme icons: inline SVG with nothing of a payload in it.
    if (tag === "svg" && admin && !/xss/i.test(el.outerHTML)) continue;
    found.push(`element <${tag}>: ${show(el)}`);
  }
  if (document.documentElement.outerHTML.includes(SENTINEL))
    found.push("template syntax in user text was evaluated");
  return found;
}
""".replace("SENTINEL", json.dumps(TEMPLATE_SENTINEL))


def user(key: str) -> User:
    person = PERSONAS[key].individual.user
    assert person is not None
    return person


# --- putting the payloads in --------------------------------------------------------------


def groups(limit: int, sep: str = " ") -> list[list[str]]:
    """Every payload, several to a value where the field is long enough: each one still
    reaches every field, in far fewer rows (and neighbours get to interact)."""
    found: list[list[str]] = [[]]
    for payload in PAYLOADS:
        text = payload.text[:limit]
        if found[-1] and len(sep.join([*found[-1], text])) > limit:
            found.append([])
        found[-1].append(text)
    return found


def packed(limit: int, sep: str = " ") -> list[str]:
    return [sep.join(group) for group in groups(limit, sep)]


@dataclass
class Corpus:
    """What was stored, and where to look for it."""

    everything: Transaction
    histories: list[Transaction]
    individuals: list[Individual]
    organizations: list[Organization]
    articles: list[Article]
    everything_article: Article
    category: Category
    news: NewsItem
    search_groups: int
    refused: dict[str, int] = field(default_factory=dict)


def _organizations(refuse: Callable[[str], None]) -> list[Organization]:
    """Through the Systems Admin form, as an administrator adds them; what the form
    refuses (NUL) is stored as an import would, so the pages see it all the same."""
    request = RequestFactory().post("/admin/parties/organization/add/")
    request.user = user("administrator")
    form_class = admin_site.get_model_admin(Organization).get_form(request)
    made = []
    for name in packed(200):
        form = form_class(data={"name": name, "kind": Organization.Kind.CUSTOMER})
        if form.is_valid():
            made.append(form.save())
        else:
            refuse("organisation name")
            made.append(Organization.objects.create(name=name))
    return made


def _individuals(
    organizations: list[Organization], actor: User, refuse: Callable[[str], None]
) -> list[Individual]:
    """Names and job titles through the contact-details service (the rules the portals
    and console apply). What it refuses (control and format characters) is stored as
    the admin form or an import would, so the pages are tested on it all the same."""
    group = UserGroup.objects.get(name="Customers")
    names = packed(80)
    titles = packed(120)
    made = []
    for n, name in enumerate(names):
        person = Individual.objects.create(
            first_name="Payload",
            last_name=str(n),
            organization=organizations[n % len(organizations)],
            user_group=group,
        )
        job_title = titles[n % len(titles)]
        try:
            parties.update_contact_details(
                actor=actor,
                individual=person,
                first_name=name,
                last_name=f"No {n}",
                job_title=job_title,
                phone="",
                mobile="",
            )
        except ValidationError:
            refuse("individual name or job title")
            Individual.objects.filter(pk=person.pk).update(first_name=name, job_title=job_title)
            person.refresh_from_db()
        made.append(person)
    return made


def _log(refuse: Callable[[str], None], **fields: Any) -> Transaction:
    """A transaction through the service; a title or description its rules refuse (one
    line of text, no control characters) is written as an older row or an import could
    hold it, so the pages are tested on it all the same."""
    try:
        return actions.create_transaction(**fields)
    except ValidationError:
        refuse("transaction title or description")
    made = actions.create_transaction(**{**fields, "title": "Refused", "description": ""})
    Transaction.objects.filter(pk=made.pk).update(
        title=fields["title"][:200], description=fields.get("description", "")
    )
    made.refresh_from_db()
    return made


def _note(refuse: Callable[[str], None], **fields: Any) -> None:
    try:
        actions.add_note(**fields)
    except ValidationError:
        refuse("note body")
        actions.add_note(**{**fields, "body": "Refused"})
        Note.objects.filter(pk=Note.objects.latest("pk").pk).update(body=fields["body"])


def _store_everything() -> Corpus:
    customer, csr = user("customer"), user("csr")
    customer_person, csr_person = PERSONAS["customer"].individual, PERSONAS["csr"].individual
    technician_person = PERSONAS["technician"].individual
    issue = Application.objects.get(code="service-issue")
    refused: dict[str, int] = {}

    def refuse(what: str) -> None:
        refused[what] = refused.get(what, 0) + 1

    organizations = _organizations(refuse)
    individuals = _individuals(organizations, csr, refuse)

    # The customer's own requests: titles and descriptions, seen in the portal too.
    logged = [
        _log(
            refuse,
            actor=customer,
            application=issue,
            title=" ".join(group),
            description="\n\n".join(group),
            profile=ISSUE,
        )
        for group in groups(200)
    ]
    # Logged by the desk for each payload person at their payload organisation, so the
    # list's requester and organisation columns carry them.
    for person in individuals:
        _log(
            refuse,
            actor=csr,
            application=issue,
            title=f"For {person.first_name}"[:200],
            requester=person,
            organization=person.organization,
            profile=ISSUE,
        )

    # One transaction with everything on it: every payload in its description (one
    # Markdown document), as a shared note of its own and as a file name.
    everything = _log(
        refuse,
        actor=customer,
        application=issue,
        title="Every payload at once",
        description="\n\n".join(p.text for p in PAYLOADS),
        profile=ISSUE,
    )
    actions.assign(actor=csr, transaction=everything, assignees=[technician_person])
    for payload in PAYLOADS:
        _note(
            refuse,
            actor=csr,
            transaction=everything,
            body=payload.text,
            visibility=Note.Visibility.SHARED,
            channel="phone",
        )
        actions.add_attachment(
            actor=customer,
            transaction=everything,
            upload=SimpleUploadedFile("upload", f"file {payload.number}\n".encode()),
            name=payload.text,
        )
    # Internal notes on a smaller transaction, so the admin's page of it stays quick.
    for body in packed(400, sep="\n\n"):
        _note(
            refuse,
            actor=csr,
            transaction=logged[0],
            body=body,
            visibility=Note.Visibility.INTERNAL,
        )
    for other in logged[:20]:
        actions.relate(actor=csr, transaction=everything, other=other, kind="related")
    # The customer writes under names that are payloads: the assignee is told by name.
    for name in packed(80)[:3]:
        parties.update_contact_details(
            actor=customer,
            individual=customer_person,
            first_name=name,
            last_name="Grant",
            job_title="",
            phone="",
            mobile="",
        )
        actions.add_note(
            actor=customer,
            transaction=everything,
            body="A reply",
            visibility=Note.Visibility.SHARED,
        )
    # And the technician is told everything else (the page shows the latest fifty).
    for text in packed(300):
        notify.notify(
            recipients=[technician_person],
            kind=notify.Kind.CUSTOMER_UPDATED,
            transaction=everything,
            text=text,
        )

    # Title and description changes land in the history (the latest fifty are shown).
    histories = []
    titles = packed(200)
    for start in range(0, len(titles), 45):
        changed = logged[start]
        for title in titles[start : start + 45]:
            try:
                actions.edit_text(
                    actor=csr, transaction=changed, title=title, description=f"Now {title}"
                )
            except ValidationError:
                # Only the rules' refusal: a title of one line and no control characters.
                refuse("title edit")
        histories.append(changed)

    # Saved views: their names are listed beside the transaction list.
    for name in packed(80):
        form = SaveViewForm(data={"name": name, "query": ""}, owner=csr_person, user=csr)
        if form.is_valid():
            SavedView.objects.create(
                owner=csr_person, name=form.cleaned_data["name"], query=form.cleaned_data["query"]
            )
        else:
            refuse("saved view name")

    # The knowledge base: titles, summaries, tags and bodies; FAQs, news, documents,
    # feedback comments and searches. Each group of articles shares one search word.
    category = Category.objects.create(name="Stored XSS corpus", slug="stored-xss-corpus")
    articles = []
    summaries, tags = packed(300), packed(290, sep=", ")
    for n, title in enumerate(packed(200)):
        articles.append(
            knowledge.save_article(
                actor=csr,
                change=knowledge.ArticleChange(
                    title=title,
                    summary=summaries[n % len(summaries)],
                    tags=tags[n % len(tags)],
                    body=f"{title}\n\nzebragroup{_letters(n // SEARCH_GROUP)} marker",
                    category=category,
                    status=Published.PUBLISHED,
                    public=True,
                ),
            )
        )
    for n in range(len(articles), max(len(summaries), len(tags))):
        refuse(f"summary or tag chunk {n} left out")
    everything_article = knowledge.save_article(
        actor=csr,
        change=knowledge.ArticleChange(
            title="Every payload in one article",
            summary="All of them",
            body="\n\n".join(p.text for p in PAYLOADS),
            category=category,
            status=Published.PUBLISHED,
            public=True,
        ),
    )
    for comment in packed(1000, sep="\n"):
        knowledge.record_feedback(
            user=customer, article=everything_article, helpful=False, comment=comment
        )
    for query in packed(200):
        knowledge.record_search(user=customer, query=query, results=0)
    for group in groups(300):
        Faq.objects.create(
            question=" ".join(group),
            answer="\n\n".join(group),
            category=category,
            status=Published.PUBLISHED,
            public=True,
        )
    for name in packed(150):
        knowledge.add_document(
            actor=csr,
            title=name,
            description=name,
            upload=SimpleUploadedFile("upload", b"%PDF-1.4 payload"),
            name=name,
            category=category,
            public=True,
        )
    news = NewsItem.objects.create(
        title="Every payload in the news",
        body="\n\n".join(p.text for p in PAYLOADS),
        status=Published.PUBLISHED,
        public=True,
    )
    return Corpus(
        everything=everything,
        histories=histories,
        individuals=individuals,
        organizations=organizations,
        articles=articles,
        everything_article=everything_article,
        category=category,
        news=news,
        search_groups=(len(articles) + SEARCH_GROUP - 1) // SEARCH_GROUP,
        refused=refused,
    )


def _letters(n: int) -> str:
    return chr(ord("a") + n // 26) + chr(ord("a") + n % 26)


# --- watching the pages -------------------------------------------------------------------


@dataclass
class Findings:
    executions: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    markup: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    timings: list[tuple[str, float]] = field(default_factory=list)

    def summary(self) -> str:
        lines = []
        for name in ("executions", "violations", "requests", "markup"):
            found: list[str] = getattr(self, name)
            lines.append(f"{name}: {len(found)}")
            lines.extend(f"  {line}" for line in found[:40])
        return "\n".join(lines)


class Watcher:
    """One browser context logged in as one persona, with every detector attached."""

    def __init__(self, page: Page, findings: Findings, label: str) -> None:
        self.page = page
        self.findings = findings
        self.label = label
        self.here = ""
        context: BrowserContext = page.context
        context.expose_binding("__xssReport", self._report)
        context.add_init_script(INIT_SCRIPT)
        page.on("dialog", self._dialog)
        page.on("console", self._console)
        page.on("request", self._request)

    def _where(self) -> str:
        return f"{self.label} {self.here}"

    def _report(self, source: Any, kind: str, detail: str) -> None:
        if kind == "exec":
            self.findings.executions.append(f"{self._where()}: __xss({detail}) {by_number(detail)}")
        else:
            self.findings.violations.append(f"{self._where()}: {detail}")

    def _dialog(self, dialog: Dialog) -> None:
        self.findings.executions.append(
            f"{self._where()}: {dialog.type}({dialog.message}) {by_number(dialog.message)}"
        )
        dialog.dismiss()

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.findings.violations.append(f"{self._where()}: console: {message.text[:300]}")

    def _request(self, request: Request) -> None:
        if "/__xss__/" in request.url:
            number = request.url.split("__xss__/", 1)[-1].split(".")[0].split("/")[0]
            self.findings.requests.append(
                f"{self._where()}: {request.resource_type} {request.url} {by_number(number)}"
            )

    def visit(self, path: str) -> Page:
        self.here = path
        began = time.monotonic()
        response = self.page.goto(path, wait_until="load")
        assert response is not None
        assert response.status == 200, f"{self.label} {path}: {response.status}"
        # Give htmx's load triggers and the reporting binding a moment.
        self.page.wait_for_timeout(40)
        markup: list[str] = self.page.evaluate(DOM_CHECK)
        self.findings.markup.extend(f"{self._where()}: {line}" for line in markup)
        self.findings.pages.append(f"{self.label} {path}")
        self.findings.timings.append((f"{self.label} {path}", time.monotonic() - began))
        return self.page


@pytest.fixture
def browse(new_page: Callable[..., Page], live_server: LiveServer) -> Callable[..., Watcher]:
    findings = Findings()

    def open_as(key: str | None, *, bypass_csp: bool = False, into: Findings = findings) -> Watcher:
        page = new_page(bypass_csp=bypass_csp)
        if key is not None:
            client = Client()
            response = client.post(
                "/accounts/login/", {"login": PERSONAS[key].email, "password": PASSWORD}
            )
            assert response.status_code == 302, f"{key} could not log in"
            page.context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                        "url": live_server.url,
                    }
                ]
            )
        return Watcher(page, into, key or "anonymous")

    return open_as


def _pages_of(watcher: Watcher, first: str, *, limit: int = 20) -> int:
    """Follow "Next page" links from `first`; answers how many pages were read."""
    page = watcher.visit(first)
    count = 1
    while count < limit:
        following = page.locator("a[rel=next]")
        if following.count() == 0:
            break
        href = following.first.get_attribute("href")
        assert href is not None
        if href.startswith("?"):
            href = watcher.here.split("?", 1)[0] + href
        page = watcher.visit(href)
        count += 1
    return count


# --- the test ------------------------------------------------------------------------------


@pytest.mark.slow
def test_no_payload_runs_or_breaks_the_policy_on_any_page(
    demo_data: None, browse: Callable[..., Watcher], monkeypatch: pytest.MonkeyPatch
) -> None:
    _prove_the_detectors_work(browse, monkeypatch)
    started = time.monotonic()
    corpus = _store_everything()
    stored_at = time.monotonic()
    findings = Findings()
    everything = corpus.everything.number

    # The service desk.
    csr = browse("csr", into=findings)
    _pages_of(csr, "/console/transactions/")
    csr.visit("/console/")
    csr.visit(f"/console/transactions/{everything}/")
    for changed in corpus.histories:
        csr.visit(f"/console/transactions/{changed.number}/")
    for n in range(0, len(corpus.individuals), len(corpus.individuals) // 4):
        csr.visit(f"/console/people/{corpus.individuals[n].pk}/")
    for n in range(0, len(corpus.organizations), len(corpus.organizations) // 4):
        csr.visit(f"/console/organizations/{corpus.organizations[n].pk}/")
    csr.visit(f"/console/people/{PERSONAS['customer'].individual.pk}/")
    csr.visit("/console/find/?q=Payload")
    csr.visit("/console/organizations/lookup/?q=script")
    _pages_of(csr, "/console/knowledge/")
    csr.visit(f"/console/knowledge/{corpus.everything_article.pk}/edit/")
    for article in corpus.articles[:: len(corpus.articles) // 3]:
        csr.visit(f"/console/knowledge/{article.pk}/edit/")

    technician = browse("technician", into=findings)
    technician.visit("/console/")
    technician.visit("/console/notifications/")

    # The customer, in the portal and the knowledge base.
    customer = browse("customer", into=findings)
    customer.visit("/portal/")
    _pages_of(customer, "/portal/transactions/")
    customer.visit(f"/portal/t/{everything}/")
    for changed in corpus.histories:
        customer.visit(f"/portal/t/{changed.number}/")
    customer.visit("/portal/profile/")
    customer.visit("/portal/new/")
    customer.visit("/help/")
    _pages_of(customer, f"/help/topics/{corpus.category.slug}/")
    for group in range(corpus.search_groups):
        customer.visit(f"/help/search/?q=zebragroup{_letters(group)}")
    customer.visit("/help/suggest/?q=zebragroupaa")
    customer.visit(f"/help/articles/{corpus.everything_article.slug}/")
    for article in corpus.articles[:: len(corpus.articles) // 3]:
        customer.visit(f"/help/articles/{article.slug}/")
    customer.visit("/help/faqs/")
    customer.visit("/help/downloads/")
    customer.visit("/help/news/")
    customer.visit(f"/help/news/{corpus.news.pk}/")

    # Nobody logged in: the public knowledge base.
    anonymous = browse(None, into=findings)
    anonymous.visit("/help/")
    anonymous.visit(f"/help/articles/{corpus.everything_article.slug}/")

    # Systems Admin: the change lists and the pages behind them.
    admin = browse("administrator", into=findings)
    for model in (Organization, Individual, Transaction, Article, Feedback, Search, Faq, Document):
        per_page = admin_site.get_model_admin(model).list_per_page
        for p in range(math.ceil(model.objects.count() / per_page)):
            admin.visit(f"/admin/{model._meta.app_label}/{model._meta.model_name}/?p={p + 1}")
    admin.visit(f"/admin/service/transaction/{corpus.histories[0].pk}/change/")
    admin.visit(f"/admin/parties/individual/{corpus.individuals[0].pk}/change/")
    admin.visit(f"/admin/parties/organization/{corpus.organizations[0].pk}/change/")

    finished = time.monotonic()
    slowest = sorted(findings.timings, key=lambda row: -row[1])[:8]
    print(
        f"{len(PAYLOADS)} payloads; {len(findings.pages)} pages; stored in "
        f"{stored_at - started:.1f} s, browsed in {finished - stored_at:.1f} s "
        f"(slowest: {', '.join(f'{path} {seconds:.2f} s' for path, seconds in slowest)}); "
        f"refused by validation and stored another way: {corpus.refused}"
    )
    print(findings.summary())
    assert findings.executions == [], findings.summary()
    assert findings.violations == [], findings.summary()
    assert findings.requests == [], findings.summary()
    assert findings.markup == [], findings.summary()


# --- the control --------------------------------------------------------------------------


def _no_sanitiser(text: str) -> SafeString:
    """What a template would do with `|safe` on a note: the text as it was written."""
    return mark_safe(text)  # noqa: S308 - the control deliberately renders raw HTML


def _prove_the_detectors_work(
    browse: Callable[..., Watcher], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the sanitiser switched off, a console page must light up every detector:
    violations, requests and stray markup with the CSP on, executions with it bypassed.
    (Run inside the main test: a test of its own would load the demo data again.)"""
    transaction = actions.create_transaction(
        actor=user("customer"),
        application=Application.objects.get(code="service-issue"),
        title="Control",
        profile=ISSUE,
    )
    script, handler, source, htmx = raw = [
        _written_as("<script>__xss(§)</script>"),
        _written_as("<img src=x onerror=__xss(§)>"),
        _written_as('<script src="/__xss__/§.js"></script>'),
        _written_as('<div hx-get="/__xss__/§" hx-trigger="load">htmx</div>'),
    ]
    for payload in raw:
        actions.add_note(
            actor=user("csr"),
            transaction=transaction,
            body=payload.text,
            visibility=Note.Visibility.SHARED,
        )
    path = f"/console/transactions/{transaction.number}/"
    with_csp, bypassed = Findings(), Findings()
    with monkeypatch.context() as patched:
        patched.setattr(content, "render_markdown", _no_sanitiser)
        browse("csr", into=with_csp).visit(path)
        browse("csr", bypass_csp=True, into=bypassed).visit(path)

    print("Control, sanitiser off, CSP on:\n" + with_csp.summary())
    print("Control, sanitiser off, CSP bypassed:\n" + bypassed.summary())
    assert with_csp.executions == [], "the CSP itself must stop inline script"
    assert with_csp.violations, "an inline script under the CSP must be reported"
    assert any("event handler onerror" in line for line in with_csp.markup)
    assert any("element <script>" in line for line in with_csp.markup)
    assert with_csp.requests, "a same-origin script or htmx request must be seen"
    executed = " ".join(bypassed.executions)
    assert f"__xss({script.number})" in executed
    assert f"__xss({handler.number})" in executed
    requested = " ".join(with_csp.requests)
    assert f"/__xss__/{source.number}.js" in requested
    assert f"/__xss__/{htmx.number}" in requested


def _written_as(template: str) -> Payload:
    return next(p for p in PAYLOADS if p.text == template.replace(N, str(p.number)))
