"""The portals' pages, written once and bound to each portal (`portal.sites`) in
`portal.urls`: the home, the full lists, logging a new transaction, one transaction
with its shared notes and files (the person's own contact details and API tokens are
`portal.profile_views`).

Views only do HTTP. Who may see or do what is asked of `portico.access` (and enforced
again by the services); every change is a service call; a service's ValidationError
comes back as errors on the form, with what was typed kept.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction as db
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils import dateformat, timezone
from django.views.decorators.http import require_POST

from portico import access, pages
from portico.audit.models import Channel as AuditChannel
from portico.forms_renderer import drawn
from portico.knowledge.models import NewsItem
from portico.parties.models import Individual, User
from portico.portal import banner
from portico.portal.forms import NoteForm, ReasonForm, RequestForm, UploadForm
from portico.portal.sites import APPLICATION_HINTS, Section, Site
from portico.service import actions, content, filters, selectors, sla
from portico.service.models import Application, Channel, Note, Status, Transaction
from portico.surveys import services as surveys

HOME_ROWS = 25
LIST_ROWS = 25


def _actor(request: HttpRequest) -> User:
    # zone_required has let only a logged-in person with a zone through.
    user = request.user
    assert isinstance(user, User)
    return user


def _individual(request: HttpRequest) -> Individual:
    individual = access.individual_of(request.user)
    if individual is None:  # a rescue account with every zone but no person
        raise PermissionDenied("The portals are for people; this log-in is not one.")
    return individual


def _render(
    request: HttpRequest,
    site: Site,
    template: str,
    context: dict[str, Any],
    *,
    status: int = 200,
) -> HttpResponse:
    """Every portal page knows its portal and whether to offer "log a new request"."""
    context = {
        "site": site,
        "may_create": bool(access.creatable_applications(request.user)),
        # The navigation offers feedback forms only while one is open to the person.
        "has_forms": access.has_answerable_forms(request.user),
        **context,
    }
    return render(request, template, context, status=status)


# --- lists ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    section: Section
    rows: list[Transaction]
    more: bool
    url: str
    table_html: str  # portal/_table.html, drawn by Jinja2


def _table(
    site: Site, section: Section, rows: list[Transaction], now: datetime.datetime, heading: str
) -> str:
    """A portal list's table (the homes' sections, the full lists), drawn by Jinja2:
    through Django's template language the home's three tables were most of its
    drawing (a `{% url %}` and two time tags a row)."""
    context = {"site": site, "section": section, "rows": rows, "now": now, "heading_id": heading}
    return drawn("portal/_table.html", context)


def _related(section: Section) -> tuple[str, ...]:
    """What a portal list shows of a row beside the transaction (portal/_table.html):
    the requester where the section names them, never the organisation or team the
    console's lists join."""
    return ("requester",) if section.show_requester else ()


def home(request: HttpRequest, site: Site) -> HttpResponse:
    now = timezone.now()
    individual = _individual(request)
    shown: list[tuple[Section, list[Transaction]]] = []
    # The sections narrow the same visible transactions: built once for each writing.
    visible: dict[bool, QuerySet[Transaction]] = {}
    for section in site.home_sections:
        narrowed = section.narrow(individual)
        if narrowed is None:
            continue
        if section.per_row not in visible:
            visible[section.per_row] = access.visible_transactions(
                request.user, per_row=section.per_row
            )
        rows = selectors.listed(
            visible[section.per_row].filter(narrowed), related=_related(section)
        ).order_by(*section.order)
        shown.append((section, list(rows[: HOME_ROWS + 1])))  # one more says there is more
    selectors.fill_lookups(*(first[:HOME_ROWS] for _section, first in shown), user=request.user)
    listings = [
        Listing(
            section=section,
            rows=first[:HOME_ROWS],
            more=len(first) > HOME_ROWS,
            url=f"{site.url('transactions')}?show={section.key}",
            table_html=_table(site, section, first[:HOME_ROWS], now, f"{section.key}-heading"),
        )
        for section, first in shown
    ]
    return _render(
        request,
        site,
        "portal/home.html",
        {
            "individual": individual,
            "listings": listings,
            "now": now,
            "support": sla.support_hours(now=now),
            "may_search": access.may_search_knowledge(request.user),
            "news": access.visible_publications(request.user, NewsItem.objects.all())[:3],
            "surveys": surveys.pending(individual, _actor(request)),
        },
    )


# The filters the portals' lists offer (`service.filters`' names and meanings): the
# search box. Which statuses a list holds is its section's choice.
PORTAL_FILTERS = ("q",)


def transaction_list(request: HttpRequest, site: Site) -> HttpResponse:
    section = site.section(request.GET.get("show", "")) or site.section("all")
    assert section is not None
    narrowed = section.narrow(_individual(request))
    if narrowed is None:
        raise Http404("That list is not one of yours.")
    # Kept as typed (less what HTML cannot hold), so a refused search can be corrected.
    query = str(request.GET.get("q", "")).strip().replace("\x00", "")
    error = ""
    try:
        chosen = filters.parse(request.user, request.GET, offered=PORTAL_FILTERS)
    except ValidationError as problem:
        # As on the console: the mistake is said, and no list is shown for it.
        error = " ".join(problem.messages)
        chosen = filters.TransactionFilters()
    chosen = replace(chosen, status=filters.ALL_STATUSES)
    rows = selectors.listed(
        selectors.transaction_list(request.user, chosen, per_row=section.per_row).filter(narrowed),
        related=_related(section),
    ).order_by(*section.order)
    if error:
        rows = rows.none()
    page = Paginator(rows, LIST_ROWS).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    selectors.fill_lookups(page.object_list, user=request.user)
    now = timezone.now()
    return _render(
        request,
        site,
        "portal/list.html",
        {
            "section": section,
            "page": page,
            "table_html": (
                _table(site, section, page.object_list, now, "list-heading")
                if page.object_list
                else ""
            ),
            "query": query,
            "error": error,
            "max_length": filters.MAX_LENGTH,
            "now": now,
            "others": [s for s in site.sections if s.key != section.key],
        },
        status=400 if error else 200,
    )


# --- logging a new one ------------------------------------------------------------------


# A POST is 11 queries: session and person, then in one write transaction the next
# number, the transaction, its profile values and default grants (an INSERT each), the
# event and whether its dispatch is already queued, and the grants read for the redirect.
def create(request: HttpRequest, site: Site) -> HttpResponse:
    """Choosing the kind of transaction is a plain GET (?application=<code>), so the
    profile fields follow the choice without JavaScript; htmx only saves the reload."""
    offered = access.creatable_applications(request.user)
    by_code = {a.code: a for a in offered}
    source = request.POST if request.method == "POST" else request.GET
    code = source.get("application", "")
    application = by_code.get(code) if code else (offered[0] if len(offered) == 1 else None)
    chooser_error = ""
    if code and application is None:
        # Only what the group may create is offered; anything else is refused here and,
        # were it to get through, by create_transaction's own may_create.
        chooser_error = "Choose one of the kinds of request offered here."
    form = None
    status = 200
    # A title carried over from a knowledge search that found no answer.
    carried = request.GET.get("title", "")[:200]
    if application is not None:
        if request.method == "POST":
            form = RequestForm(request.POST, application=application, user=request.user)
            created = _create(request, form, application)
            if created is not None:
                return _created(request, site, created)
            status = 400
        else:
            form = RequestForm(
                application=application, user=request.user, initial={"title": carried}
            )
        _offer_answers(request, form)
    elif request.method == "POST":
        status = 400
    now = timezone.now()
    return _render(
        request,
        site,
        "portal/create.html",
        {
            "offered": [(a, a.description or APPLICATION_HINTS.get(a.code, "")) for a in offered],
            "application": application,
            "chooser_error": chooser_error,
            "form": form,
            "carried_title": carried,
            "support": sla.support_hours(now=now),
            **(_promises(now) if application is not None and application.uses_priority else {}),
        },
        status=status,
    )


def _promises(now: datetime.datetime) -> dict[str, Any]:
    """ "If you send this now, we will respond by …" for each priority, from the function
    that sets a new transaction's due times, and the priority "not sure" is given."""
    return {"promises": sla.promises(now=now), "default_priority": sla.default_priority()}


def _offer_answers(request: HttpRequest, form: RequestForm) -> None:
    """Deflection (seed 004: search the knowledge base, then open a ticket): while the
    title is typed, htmx asks for articles that may already answer it."""
    if not access.may_search_knowledge(request.user):
        return
    form.fields["title"].widget.attrs.update(
        {
            "hx-get": reverse("knowledge:suggest"),
            "hx-trigger": "input changed delay:300ms, load",
            "hx-target": "#suggestions",
            "hx-swap": "innerHTML",
            "aria-describedby": "id_title_helptext suggestions",
        }
    )


def _create(
    request: HttpRequest, form: RequestForm, application: Application
) -> Transaction | None:
    if not form.is_valid():
        return None
    try:
        return actions.create_transaction(
            actor=_actor(request),
            application=application,
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            priority=form.cleaned_data.get("priority"),
            profile=form.profile_values(),
            channel=Channel.WEB,
        )
    except ValidationError as error:
        pages.add_service_errors(form, form.service_error(error))
    except PermissionDenied as error:
        form.add_error(None, str(error))
    return None


def _created(request: HttpRequest, site: Site, created: Transaction) -> HttpResponse:
    message = f"Thank you: {created.number} is logged."
    if created.response_due_at is not None:
        due = dateformat.format(timezone.localtime(created.response_due_at), "j M Y, H:i")
        message += f" We will respond by {due}."
    if access.can(request.user, "view", created):
        messages.success(request, message)
        return pages.done(request, site.url("transaction", created.number))
    # Some kinds are handed to our staff without the person who logged them following
    # them in the portal (no grant gives them a view); the number is still theirs.
    messages.success(request, f"{message} Our team will be in touch about it.")
    return pages.done(request, site.url("home"))


# --- one transaction --------------------------------------------------------------------


# 11 queries: session and person, the transaction and the reader's grants, the view event
# (seed 004), notes, files, relations, profile values, the satisfaction question, and
# which open feedback forms the person answered. Most are statements (portico.statements).
def transaction_page(request: HttpRequest, site: Site, number: str) -> HttpResponse:
    # Deciding once from the fetch on: whether the person may see it is the first
    # question the page asks of their capabilities, and only an event is written here.
    with access.deciding_once():
        transaction = access.transaction_for(request.user, number)
        actions.record_view(actor=_actor(request), transaction=transaction, channel=Channel.WEB)
        return _page(request, site, transaction)


@require_POST
def add_note(request: HttpRequest, site: Site, number: str) -> HttpResponse:
    transaction = access.transaction_for(request.user, number)
    access.require(request.user, "add_shared_note", transaction)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            note = actions.add_note(
                actor=_actor(request),
                transaction=transaction,
                body=form.cleaned_data["body"],
                visibility=Note.Visibility.SHARED,
                channel=Channel.WEB,
            )
        except ValidationError as error:
            pages.add_service_errors(form, error)
        else:
            messages.success(request, "Your note is added.")
            return pages.done(request, f"{site.url('transaction', number)}#note-{note.pk}")
    return _page(request, site, transaction, note_form=form, status=400)


@require_POST
def upload(request: HttpRequest, site: Site, number: str) -> HttpResponse:
    transaction = access.transaction_for(request.user, number)
    access.require(request.user, "attach_files", transaction)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            attachment = actions.add_attachment(
                actor=_actor(request),
                transaction=transaction,
                upload=upload,
                name=upload.name or "file",
                channel=Channel.WEB,
            )
        except ValidationError as error:
            pages.add_service_errors(form, error)
        else:
            messages.success(request, f"“{attachment.name}” is attached.")
            return pages.done(request, f"{site.url('transaction', number)}#files")
    return _page(request, site, transaction, upload_form=form, status=400)


@require_POST
def withdraw(request: HttpRequest, site: Site, number: str) -> HttpResponse:
    return _move(request, site, number, "withdraw")


@require_POST
def reopen(request: HttpRequest, site: Site, number: str) -> HttpResponse:
    return _move(request, site, number, "reopen")


def _move(request: HttpRequest, site: Site, number: str, move: str) -> HttpResponse:
    """Withdraw or reopen, with the reason typed; a refusal shows the page again with
    the reason kept and the service's message beside it."""
    transaction = access.transaction_for(request.user, number)
    access.require(request.user, move, transaction)
    form = ReasonForm(request.POST)
    if form.is_valid():
        act = actions.withdraw if move == "withdraw" else actions.reopen
        try:
            done = act(
                actor=_actor(request),
                transaction=transaction,
                reason=form.cleaned_data["reason"],
                channel=Channel.WEB,
            )
        except ValidationError as error:
            pages.add_service_errors(form, error)
        else:
            said = "withdrawn" if move == "withdraw" else "reopened"
            messages.success(request, f"{done.number} is {said}.")
            return pages.done(request, site.url("transaction", number))
    return _page(request, site, transaction, move_form=(move, form), status=400)


@require_POST
def satisfaction(request: HttpRequest, site: Site, number: str) -> HttpResponse:
    """The person's answer to the satisfaction question from the transaction page's
    banner: the same service, and so the same rules, as the e-mail's signed page. Only
    the person who was asked answers here; anyone else gets the 404 of a page that is
    not theirs."""
    transaction = access.transaction_for(request.user, number)
    me = _individual(request)
    if surveys.asked(me, transaction) is None:
        raise Http404("No question to answer.")
    posted = request.POST
    try:
        rating = int(posted.get("rating") or 0)
    except ValueError:
        rating = 0
    survey_form = {
        "rating": rating,
        "comment": posted.get("comment", ""),
        "extra": posted.get("extra", ""),
    }
    reopening = bool(posted.get("reopen")) and "reopen" in actions.offered(
        request.user, transaction
    )
    try:
        # The answer and the reopening it asks for go together, or neither does.
        with db.atomic():
            surveys.answer(
                person=me,
                transaction=transaction,
                rating=rating,
                comment=posted.get("comment", ""),
                extra=posted.get("extra", ""),
                channel=AuditChannel.WEB,
            )
            if reopening:
                actions.reopen(
                    actor=_actor(request),
                    transaction=transaction,
                    reason=posted.get("comment", "").strip()
                    or "Not satisfied with how it was resolved.",
                    channel=Channel.WEB,
                )
    except ValidationError as error:
        return _page(request, site, transaction, survey=(survey_form, error), status=400)
    said = "Thank you: your answer is recorded."
    if reopening:
        said = f"Thank you: your answer is recorded and {transaction.number} is reopened."
    messages.success(request, said)
    return pages.done(request, f"{site.url('transaction', number)}#satisfaction")


@dataclass(frozen=True)
class NoteRow:
    note: Note
    html: str
    from_staff: bool
    mine: bool


def _page(
    request: HttpRequest,
    site: Site,
    transaction: Transaction,
    *,
    note_form: NoteForm | None = None,
    upload_form: UploadForm | None = None,
    move_form: tuple[str, ReasonForm] | None = None,
    survey: tuple[dict[str, Any], ValidationError] | None = None,
    status: int = 200,
) -> HttpResponse:
    with access.deciding_once():
        return _render_page(
            request, site, transaction, note_form, upload_form, move_form, survey, status
        )


def _render_page(
    request: HttpRequest,
    site: Site,
    transaction: Transaction,
    note_form: NoteForm | None,
    upload_form: UploadForm | None,
    move_form: tuple[str, ReasonForm] | None,
    survey: tuple[dict[str, Any], ValidationError] | None,
    status: int,
) -> HttpResponse:
    user = request.user
    me = _individual(request)
    may_note = access.can(user, "add_shared_note", transaction)
    may_attach = access.can(user, "attach_files", transaction)
    # Internal notes never reach this page: notes_for keeps them to the staff.
    notes = [
        NoteRow(
            note=note,
            html=content.render_markdown(note.body),
            from_staff=access.is_staff_member(note.author),
            mine=note.author_id == me.pk,
        )
        for note in access.readable_note_rows(user, transaction)
    ]
    files = [
        (attachment, reverse("service:attachment", args=[transaction.number, attachment.pk]))
        for attachment in access.readable_attachment_rows(user, transaction)
    ]
    related = [
        (r.label, r.transaction, site.url("transaction", r.transaction.number))
        for r in selectors.relations_of(user, transaction)
    ]
    finished = transaction.status.category in {Status.Category.RESOLVED, Status.Category.CLOSED}
    now = timezone.now()
    # Only the move the person may make now is offered; a refused one keeps its form.
    moves = actions.offered(user, transaction, now=now)
    forms = {move: ReasonForm() for move in moves}
    refused: list[str] = []
    if move_form is not None:
        move, form = move_form
        if move in moves:
            forms[move] = form
        else:  # no longer possible (the period ran out): say why, offer no form
            refused = [str(message) for message in form.non_field_errors()]
    resolved = transaction.status.category == Status.Category.RESOLVED
    context: dict[str, Any] = {
        "me": me,
        "transaction": transaction,
        "description": content.render_markdown(transaction.description),
        "profile": [
            (field.classification.name, value)
            for field, value in selectors.profile_shown(user, transaction)
        ],
        "notes": notes,
        "files": files,
        "related": related,
        "finished": finished,
        "waiting": transaction.status.category == Status.Category.WAITING,
        "may_note": may_note,
        "may_attach": may_attach,
        "note_form": note_form or (NoteForm() if may_note else None),
        "upload_form": upload_form or (UploadForm() if may_attach else None),
        "withdraw_form": forms.get("withdraw"),
        "reopen_form": forms.get("reopen"),
        "refused": refused,
        "reopen_until": actions.reopen_deadline(transaction) if resolved else None,
        "reopen_days": transaction.application.reopen_days,
        # Said instead of a control the server would refuse: why it cannot be reopened.
        "reopen_closed": (
            resolved
            and "reopen" not in moves
            and not refused
            and access.can(user, "reopen", transaction)
        ),
        "now": now,
        "survey": banner.survey(me, transaction, moves, survey),
    }
    # The body is drawn by Jinja2 (portal/_transaction.html); the layout around it by
    # Django: through Django's template language the body was most of the page's drawing.
    context["body_html"] = drawn(
        "portal/_transaction.html", {**context, "site": site, "csrf_input": csrf_input(request)}
    )
    return _render(request, site, "portal/transaction.html", context, status=status)
