"""On the phone (seed 002): find the caller in one box, see the whole customer — the
360° view of the individual and of their organisation — and log a transaction for them
from there on one page, keyboard only."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from portico import access
from portico.audit import display
from portico.audit.models import Event
from portico.console.transaction_forms import ProfileForm
from portico.parties.models import Individual, Organization
from portico.service import actions, rules, selectors
from portico.service.models import Application, Channel, Note, Priority, Transaction
from portico.widgets import TypedText

RESULTS = 20
OPEN_LIMIT = 25
ORGANIZATIONS_AS_IDS = 1_000


@access.zone_required(access.CONSOLE)
def find(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    people: QuerySet[Individual] = Individual.objects.none()
    organizations: QuerySet[Organization] = Organization.objects.none()
    if q:
        people = _people_matching(q)[:RESULTS]
        organizations = (
            Organization.objects.filter(Q(name__icontains=q) | Q(account_number__iexact=q))
            .exclude(kind=Organization.Kind.TEAM)
            .order_by("name")[:RESULTS]
        )
    return render(
        request, "console/find.html", {"q": q, "people": people, "organizations": organizations}
    )


def _people_matching(q: str) -> QuerySet[Individual]:
    """By name (first, last or both), e-mail, phone or organisation, in one box.

    Each test but the phone number's can be answered from an index (parties/0005): the
    names and e-mail by their lowercase prefix, the organisations by their ids, read
    first from the far smaller organisation table. Written as UPPER(…) LIKE, with the
    organisation's name joined in, the box read every individual (70 ms at 50,000)."""
    typed = q.lower()
    named = Organization.objects.filter(name__icontains=q).values("pk")
    organizations: Any = list(named.values_list("pk", flat=True)[: ORGANIZATIONS_AS_IDS + 1])
    if len(organizations) > ORGANIZATIONS_AS_IDS:
        organizations = named  # a subquery, rather than thousands of parameters
    match = (
        Q(first_lower__startswith=typed)
        | Q(last_lower__startswith=typed)
        | Q(email_lower__startswith=typed)
        | Q(organization_id__in=organizations)
    )
    words = typed.split()
    if len(words) >= 2:
        match |= Q(first_lower__startswith=words[0], last_lower__startswith=" ".join(words[1:]))
    digits = re.sub(r"\D", "", q)
    if len(digits) >= 4:
        # Stored numbers carry spaces; compare on the digits the caller reads out.
        tail = digits[-6:]
        match |= Q(phone__regex=r"\s*".join(tail)) | Q(mobile__regex=r"\s*".join(tail))
    return (
        Individual.objects.alias(
            first_lower=Lower("first_name"),
            last_lower=Lower("last_name"),
            email_lower=Lower("email"),
        )
        .filter(match)
        .select_related("organization", "user_group")
        .order_by("last_name", "first_name")
    )


def _transactions_of(request: HttpRequest, **where: Any) -> dict[str, Any]:
    visible = selectors.listed(access.visible_transactions(request.user).filter(**where))
    lists = {
        "open": list(
            visible.filter(resolved_at__isnull=True).order_by("due_at", "id")[:OPEN_LIMIT]
        ),
        "closed": list(
            visible.filter(resolved_at__isnull=False).order_by("-resolved_at", "-id")[:OPEN_LIMIT]
        ),
    }
    selectors.fill_lookups(*lists.values(), user=request.user)
    return lists


def _recent_notes(request: HttpRequest, **where: Any) -> list[Note]:
    # Internal notes only where the person may read them: a Read only grant hides them
    # here as on the transaction's page.
    shown = Note.objects.select_related("author", "contact")
    return access.recent_readable_notes(request.user, shown, count=10, **where)


@access.zone_required(access.CONSOLE)
def individual(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(
        Individual.objects.select_related("organization", "user_group", "user"), pk=pk
    )
    activity = _activity(request, person)
    return render(
        request,
        "console/individual.html",
        {
            "person": person,
            "transactions": _transactions_of(request, requester=person),
            "notes": _recent_notes(request, requester=person),
            "activity": activity,
        },
    )


ACTIVITY = 10


def _activity(request: HttpRequest, person: Individual) -> list[tuple[Event, str, str]]:
    """The person's newest events the viewer may read — on transactions the viewer may
    see, and about internal notes only where the viewer may read them — each with what
    happened and the number of the transaction it was on."""
    if person.user_id is None:
        return []
    events = access.recent_readable_events(
        request.user, Event.objects.filter(actor_id=person.user_id), count=ACTIVITY
    )
    kind = ContentType.objects.get_for_model(Transaction).pk
    ids = {int(e.subject_id) for e in events if e.subject_type_id == kind}
    numbers = dict(Transaction.objects.filter(pk__in=ids).values_list("pk", "number"))
    return [
        (
            event,
            display.title(event),
            numbers.get(int(event.subject_id), "") if event.subject_type_id == kind else "",
        )
        for event in events
    ]


# 11 queries: the organisation, its people, open and resolved transactions, the recent
# notes' walk (transactions, notes, the grants deciding internal ones, the notes shown),
# and the session, user and unread count every console page reads.
@access.zone_required(access.CONSOLE)
def organization(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(Organization, pk=pk)
    return render(
        request,
        "console/organization.html",
        {
            "org": org,
            "people": org.people.select_related("user_group").order_by("last_name", "first_name"),
            "transactions": _transactions_of(request, organization=org),
            "notes": _recent_notes(request, organization=org),
        },
    )


class CreateForm(forms.Form):
    application = forms.ModelChoiceField(Application.objects.none(), empty_label=None)
    requester = forms.ModelChoiceField(
        Individual.objects.filter(active=True), required=False, widget=forms.HiddenInput
    )
    channel = forms.ChoiceField(choices=Channel.choices, initial=Channel.PHONE)
    # Judged by create_transaction (service/rules.py), in the words every channel uses.
    title = TypedText(rule=rules.TITLE)
    description = TypedText(rule=rules.DESCRIPTION, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, applications: list[Application], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = Application.objects.filter(  # type: ignore[attr-defined]
            pk__in=[a.pk for a in applications]
        )
        self.fields["title"].widget.attrs["autofocus"] = True


@access.zone_required(access.CONSOLE)
def create(request: HttpRequest) -> HttpResponse:
    applications = access.creatable_applications(request.user)
    data = request.POST if request.method == "POST" else None
    code = request.POST.get("application_code") or request.GET.get("application") or ""
    chosen = next((a for a in applications if a.code == code), None) or next(
        (a for a in applications if a.code == "service-issue"),
        applications[0] if applications else None,
    )
    if chosen is None:
        return render(request, "403.html", status=403)
    requester = None
    requester_id = request.GET.get("requester") or request.POST.get("requester")
    if requester_id and requester_id.isdigit():
        requester = (
            Individual.objects.select_related("organization")
            .filter(pk=int(requester_id), active=True)
            .first()
        )
    dummy = Transaction(application=chosen)
    form = CreateForm(
        data, applications=applications, initial={"application": chosen.pk, "requester": requester}
    )
    profile = ProfileForm(data, transaction=dummy, current={}, prefix="profile")
    if data is not None and form.is_valid() and profile.is_valid():
        application = form.cleaned_data["application"]
        try:
            created = actions.create_transaction(
                actor=request.user,  # type: ignore[arg-type]
                application=application,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                requester=form.cleaned_data["requester"],
                priority=profile.cleaned_data.get("priority") or None,
                profile=profile.profile_values(),
                channel=form.cleaned_data["channel"],
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                target = profile if field in profile.fields else form
                target.add_error(field if field in target.fields else None, messages)
        else:
            return redirect("console:transaction", created.number)
    return render(
        request,
        "console/create.html",
        {
            "form": form,
            "profile": profile,
            "requester": requester,
            "applications": applications,
            "chosen": chosen,
            "priorities": Priority.objects.all(),
        },
        status=400 if data is not None else 200,
    )
