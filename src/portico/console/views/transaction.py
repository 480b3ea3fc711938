"""One transaction in the console: the profile, the notes timeline, files, relations,
grants and history on one page, and a POST endpoint per change. Each endpoint parses a
form, calls one service, and on refusal shows the page again with the reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction as db
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.backends.utils import csrf_input
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from portico import access, pages
from portico.audit import display
from portico.console import transaction_forms as f
from portico.forms_renderer import drawn
from portico.mail import trail
from portico.service import actions, content, selectors
from portico.service.models import (
    Attachment,
    Channel,
    Grant,
    Note,
    Status,
    Transaction,
)
from portico.statements import Statement
from portico.surveys import services as surveys
from portico.surveys.models import Answer


def _load(request: HttpRequest, number: str) -> Transaction:
    return access.transaction_for(request.user, number)


# The grants panel on every staff page of a transaction (portico.statements).
_GRANTS = Statement(
    lambda transaction: (
        Grant.objects.filter(transaction_id=transaction)
        .select_related("individual", "organization", "permission")
        .order_by("permission__name", "id")
    ),
    transaction=int,
)


def _page(
    request: HttpRequest,
    transaction: Transaction,
    bound: dict[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    with access.deciding_once():
        return _render_page(request, transaction, bound, status)


def _render_page(
    request: HttpRequest,
    transaction: Transaction,
    bound: dict[str, forms.Form] | None,
    status: int,
) -> HttpResponse:
    user = request.user
    caps = access.allowed_actions(user, transaction)
    current = actions.profile_of(transaction)
    moves = actions.status_moves(actor=_user(request), transaction=transaction)
    # The forms used on most visits; the rare ones (PANELS) are drawn when their panel
    # is opened, or here when `bound` brings one back with its errors.
    forms_ = {
        "profile": f.ProfileForm(transaction=transaction, current=current),
        "text": f.TextForm(transaction=transaction),
        "money": f.MoneyForm(transaction=transaction),
        "status": f.StatusForm(transaction=transaction, moves=moves),
        "note": f.NoteForm(transaction=transaction),
        "upload": f.UploadForm(),
        "follow_up": f.FollowUpForm(),
    }
    # A reply by e-mail for whoever may add a shared note; the requester it goes to is
    # shown either way, greyed with the reason when there is nobody to write to.
    may_reply = "add_shared_note" in caps
    reply_to = trail.reply_to(transaction) if may_reply else None
    if reply_to is not None and not reply_to.refused:
        forms_["reply"] = f.EmailReplyForm(transaction=transaction)
    forms_.update(bound or {})
    shown_notes = access.readable_note_rows(user, transaction)
    attachments = access.readable_attachment_rows(user, transaction)
    files_of: dict[int, list[Attachment]] = {}
    for attachment in attachments:
        if attachment.note_id is not None:
            files_of.setdefault(attachment.note_id, []).append(attachment)
    mailed = trail.trails(transaction, shown_notes)
    notes = [
        (note, content.render_markdown(note.body), mailed.get(note.pk), files_of.get(note.pk, []))
        for note in shown_notes
    ]
    grants = _GRANTS.rows(transaction=transaction.pk)
    history = [
        (event, display.title(event), display.describe(event), display.text_changes(event))
        for event in access.readable_history_rows(user, transaction)
    ]
    relations = selectors.relations_of(user, transaction)
    # The page's long runs of rows, drawn by Jinja2 (src/portico/jinja2/console/): through
    # Django's template language they were most of its rendering after the forms.
    rows = {
        "number": transaction.number,
        "csrf_input": csrf_input(request),
        "filesizeformat": filesizeformat,
        "may_delete": "delete_attachment" in caps,
        "may_manage": "manage_grants" in caps,
    }
    context: dict[str, Any] = {
        "t": transaction,
        "caps": caps,
        "status_moves": moves,
        "profile": [
            (field.classification.name, current.get(field.classification.code, ""))
            for field in transaction.application.profile_fields.all()
        ],
        "notes_html": drawn("console/_transaction_notes.html", {**rows, "notes": notes}),
        "files_html": drawn(
            "console/_transaction_files.html", {**rows, "attachments": attachments}
        ),
        "reply_to": reply_to,
        "relations_html": drawn(
            "console/_transaction_relations.html", {**rows, "relations": relations}
        ),
        "grants_html": drawn("console/_transaction_grants.html", {**rows, "grants": grants}),
        "history_html": drawn("console/_transaction_history.html", {**rows, "history": history}),
        "forms": forms_,
        "may_see_money": access.may_see_money(user, transaction),
        "may_set_money": access.may_set_money(user, transaction),
        "satisfaction": _satisfaction(transaction),
        "description": content.render_markdown(transaction.description),
        # A resolved transaction's fix can become a self-service answer.
        "may_draft_article": access.may_edit_knowledge(user)
        and transaction.status.category in (Status.Category.RESOLVED, Status.Category.CLOSED),
    }
    return render(request, "console/transaction.html", context, status=status)


@dataclass(frozen=True)
class SatisfactionRow:
    answer: Answer
    label: str
    extra_question: str
    open_follow_up: bool


def _satisfaction(transaction: Transaction) -> list[SatisfactionRow]:
    """The satisfaction questions asked about it, each with its answer as it reads."""
    setting = surveys.setting_for(transaction.application)
    return [
        SatisfactionRow(
            answer=row,
            label=surveys.rating_label(setting, row.rating),
            extra_question=setting.extra_question,
            open_follow_up=row.satisfied is False and row.followed_up_at is None,
        )
        for row in surveys.answers_of(transaction)
    ]


# 17 queries (18 with notes that were mailed): session and person, the transaction and
# its grants, profile values and fields with choices, the reply address, notes, files,
# mail deliveries, relations, history, satisfaction answers, the unread count, and the
# people its CC field offers. The contact is typed (suggestions: lookup.contact_lookup);
# the dispatch, forward, grant and relate forms read theirs when their panel opens
# (`panel`, docs/performance.md).
@access.zone_required(access.CONSOLE)
def detail(request: HttpRequest, number: str) -> HttpResponse:
    with access.deciding_once():  # a page that only reads, from the fetch on
        return _page(request, _load(request, number))


def _post(
    form_key: str,
    make_form: Callable[[HttpRequest, Transaction], forms.Form],
    act: Callable[[HttpRequest, Transaction, forms.Form], object],
) -> Callable[..., HttpResponse]:
    """A POST endpoint: bind the form, call the service, go back to the page (or show
    it again with the errors and a 400, having changed nothing)."""

    @access.zone_required(access.CONSOLE)
    @require_POST
    def endpoint(request: HttpRequest, /, number: str) -> HttpResponse:
        transaction = _load(request, number)
        form = make_form(request, transaction)
        if form.is_valid():
            try:
                act(request, transaction, form)
            except ValidationError as error:
                pages.add_service_errors(form, error)
            else:
                return pages.done(request, reverse("console:transaction", args=[number]))
        return _page(request, transaction, {form_key: form}, status=400)

    return endpoint


def _user(request: HttpRequest) -> Any:
    return request.user


profile = _post(
    "profile",
    lambda r, t: f.ProfileForm(r.POST, transaction=t, current=actions.profile_of(t)),
    lambda r, t, form: actions.update_profile(
        actor=_user(r),
        transaction=t,
        values=form.profile_values(),  # type: ignore[attr-defined]
        priority=form.cleaned_data.get("priority"),
    ),
)
money = _post(
    "money",
    lambda r, t: f.MoneyForm(r.POST, transaction=t),
    lambda r, t, form: actions.set_money(
        actor=_user(r),
        transaction=t,
        value=form.cleaned_data["value"],
        cost=form.cleaned_data["cost"],
    ),
)
edit_text = _post(
    "text",
    lambda r, t: f.TextForm(r.POST, transaction=t),
    lambda r, t, form: actions.edit_text(
        actor=_user(r),
        transaction=t,
        title=form.cleaned_data["title"],
        description=form.cleaned_data["description"],
    ),
)
status = _post(
    "status",
    lambda r, t: f.StatusForm(
        r.POST, transaction=t, moves=actions.status_moves(actor=_user(r), transaction=t)
    ),
    lambda r, t, form: actions.change_status(
        actor=_user(r),
        transaction=t,
        status=form.cleaned_data["status"],
        resolution=form.cleaned_data["resolution"],
    ),
)
# 12 queries (bench add-note): session and person, the transaction and the writer's
# grants, then in one write transaction the grants and the transaction read again, the
# note, the transaction's times, the event, and whether its dispatch is already queued.
add_note = _post(
    "note",
    lambda r, t: f.NoteForm(r.POST, transaction=t),
    lambda r, t, form: actions.add_note(
        actor=_user(r),
        transaction=t,
        body=form.cleaned_data["body"],
        visibility=form.cleaned_data["visibility"],
        channel=form.cleaned_data["channel"],
        direction=form.cleaned_data["direction"],
        contact=form.cleaned_data["contact"],
    ),
)
upload = _post(
    "upload",
    lambda r, t: f.UploadForm(r.POST, r.FILES),
    lambda r, t, form: actions.add_attachment(
        actor=_user(r),
        transaction=t,
        upload=form.cleaned_data["file"],
        name=form.cleaned_data["file"].name,
    ),
)


def _relate(request: HttpRequest, transaction: Transaction, form: forms.Form) -> object:
    try:
        other = access.transaction_for(request.user, form.cleaned_data["other"].strip())
    except Exception:  # 404 for a number the person cannot see: say the same as missing
        raise ValidationError({"other": ["No such transaction."]}) from None
    return actions.relate(
        actor=_user(request), transaction=transaction, other=other, kind=form.cleaned_data["kind"]
    )


relate = _post("relate", lambda r, t: f.RelateForm(r.POST), _relate)
add_grant = _post(
    "grant",
    lambda r, t: f.GrantForm(r.POST),
    lambda r, t, form: actions.grant(
        actor=_user(r),
        transaction=t,
        permission=form.cleaned_data["permission"],
        individual=form.cleaned_data["individual"],
        organization=form.cleaned_data["organization"],
    ),
)
assign = _post(
    "assign",
    lambda r, t: f.AssignForm(r.POST),
    lambda r, t, form: actions.assign(
        actor=_user(r), transaction=t, assignees=form.cleaned_data["assignees"]
    ),
)
forward = _post(
    "forward",
    lambda r, t: f.ForwardForm(r.POST),
    lambda r, t, form: actions.forward(
        actor=_user(r),
        transaction=t,
        team=form.cleaned_data["team"],
        note=form.cleaned_data["note"],
    ),
)


@dataclass(frozen=True)
class Panel:
    """A form the staff seldom use, drawn only when its panel is opened: `action` is
    what its POST's service requires (`access.require`), so no one is offered a form
    the server would refuse."""

    action: str
    make: Callable[[], forms.Form]


PANELS: dict[str, Panel] = {
    "relate": Panel("relate", f.RelateForm),
    "grant": Panel("manage_grants", f.GrantForm),
    "assign": Panel("assign", f.AssignForm),
    "forward": Panel("assign", f.ForwardForm),
}


@access.zone_required(access.CONSOLE)
@require_GET
def panel(request: HttpRequest, number: str, name: str) -> HttpResponse:
    """One rare form, asked for when its panel opens: for htmx the form alone, its first
    field focused as it comes in; without JavaScript the page with that panel open.
    Its POST goes to the form's own endpoint, which shows the page with the form open
    on an error, as it always has."""
    found = PANELS.get(name)
    if found is None:
        raise Http404
    with access.deciding_once():  # it only reads, from the fetch on
        transaction = _load(request, number)
        access.require(request.user, found.action, transaction)
        form = found.make()
        if request.headers.get("HX-Request") != "true":
            return _page(request, transaction, {name: form})
        next(iter(form.fields.values())).widget.attrs["autofocus"] = True
        return render(request, f"console/panels/{name}.html", {"t": transaction, "form": form})


# Marking a "not satisfied" answer followed up (surveys.follow_up refuses, with a 403,
# whoever may not add internal notes; the page offers the button to the others only).
follow_up = _post(
    "follow_up",
    lambda r, t: f.FollowUpForm(r.POST),
    lambda r, t, form: surveys.follow_up(
        actor=_user(r), transaction=t, note=form.cleaned_data["note"]
    ),
)


@access.zone_required(access.CONSOLE)
@require_POST
def email_reply(request: HttpRequest, number: str) -> HttpResponse:
    """Reply by e-mail: a shared note with channel e-mail to the requester and the CC,
    and its files, in one database transaction: a file refused leaves no note behind,
    and the worker sends the note with all its files or not at all. Someone who may not
    add a shared note is refused before anything they sent is read."""
    transaction = _load(request, number)
    access.require(request.user, "add_shared_note", transaction)
    form = f.EmailReplyForm(request.POST, request.FILES, transaction=transaction)
    if form.is_valid():
        try:
            _send_reply(request, transaction, form)
        except ValidationError as error:
            pages.add_service_errors(form, error)
        else:
            return pages.done(request, reverse("console:transaction", args=[number]))
    return _page(request, transaction, {"reply": form}, status=400)


def _send_reply(request: HttpRequest, transaction: Transaction, form: forms.Form) -> Note:
    stored: list[Attachment] = []
    try:
        with db.atomic():
            note = actions.add_note(
                actor=_user(request),
                transaction=transaction,
                body=form.cleaned_data["body"],
                visibility=Note.Visibility.SHARED,
                channel=Channel.EMAIL,
                direction=Note.Direction.OUTBOUND,
                cc=form.cleaned_data["cc"],
            )
            for upload in form.cleaned_data["attachments"]:
                stored.append(
                    actions.add_attachment(
                        actor=_user(request),
                        transaction=transaction,
                        upload=upload,
                        name=upload.name,
                        note=note,
                        channel=Channel.EMAIL,
                    )
                )
    except Exception:
        # The rows went with the rollback; the bytes already stored must go too.
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    return note


@access.zone_required(access.CONSOLE)
@require_POST
def remove_grant(request: HttpRequest, number: str, grant_id: int) -> HttpResponse:
    transaction = _load(request, number)
    row = get_object_or_404(Grant, pk=grant_id, transaction=transaction)
    actions.revoke(actor=request.user, grant_row=row)  # type: ignore[arg-type]
    return pages.done(request, reverse("console:transaction", args=[number]))


@access.zone_required(access.CONSOLE)
@require_POST
def delete_file(request: HttpRequest, number: str, attachment_id: int) -> HttpResponse:
    transaction = _load(request, number)
    attachment = selectors.attachment_for(request.user, transaction, attachment_id)
    actions.delete_attachment(actor=request.user, attachment=attachment)  # type: ignore[arg-type]
    return pages.done(request, reverse("console:transaction", args=[number]))
