"""Forms of the console's transaction page. They only parse what was typed; the rules
(who may, what is valid) are the services' and `portico.access`'s."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Prefetch, prefetch_related_objects
from django.urls import reverse

from portico import access
from portico.access import setup
from portico.console.lookup import ContactField, OrganizationField, SuggestInput
from portico.mail import trail
from portico.parties.models import Individual, Organization
from portico.service import rules, selectors
from portico.service.models import (
    Channel,
    Choice,
    Classification,
    Note,
    Permission,
    Priority,
    ProfileField,
    Relation,
    Status,
    Transaction,
)
from portico.widgets import (
    QuickSelect,
    QuickSelectMultiple,
    SmallModelChoiceField,
    SmallModelMultipleChoiceField,
    TypedText,
)

NOTE_CHANNELS = [
    (Channel.PHONE, "Phone call"),
    (Channel.EMAIL, "E-mail"),
    (Channel.FAX, "Fax"),
    (Channel.MEETING, "Meeting"),
    (Channel.CHAT, "Chat"),
    (Channel.WALK_IN, "Walk-in"),
    (Channel.INTERNAL, "Internal note"),
]


def staff_people() -> Any:
    # Names only. Joined to their organisations, PostgreSQL expected 25,000 staff at
    # scale L (it knows the groups, not how few are in them) and hashed all 5,000
    # organisations for 87 people: 9 ms, on every transaction page.
    return access.assignable_individuals()


class ProfileForm(forms.Form):
    """The profile as drop-downs: one field per classification of the application."""

    def __init__(
        self, *args: Any, transaction: Transaction, current: dict[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.transaction = transaction
        # Two queries for the application's profile with its choices, whatever its size;
        # read here, where a form needs them, not for every POST to the transaction.
        profile_fields = ProfileField.objects.select_related("classification").prefetch_related(
            Prefetch("classification__choices", queryset=Choice.objects.order_by("position"))
        )
        prefetch_related_objects(
            [transaction.application], Prefetch("profile_fields", queryset=profile_fields)
        )
        if transaction.application.uses_priority:
            # A new transaction has no priority yet: the service gives the least urgent
            # one unless someone chooses.
            priority = SmallModelChoiceField(
                Priority.objects.all(),
                required=False,
                initial=transaction.priority_id,
                empty_label=None if transaction.pk else "Not set",
            )
            priority.rows = selectors.priorities()
            self.fields["priority"] = priority
        for field in transaction.application.profile_fields.all():
            c = field.classification
            label = c.name
            if c.kind == Classification.Kind.CHOICE:
                choices = [("", "—")] + [(ch.code, ch.label) for ch in c.choices.all() if ch.active]
                by_label = {ch.label: ch.code for ch in c.choices.all()}
                self.fields[c.code] = forms.ChoiceField(
                    label=label,
                    choices=choices,
                    widget=QuickSelect,
                    required=False,
                    initial=by_label.get(current.get(c.code, ""), ""),
                )
            # Typed values reach `clean_profile` as typed, so its words answer here as on
            # the portal and the API (a NUL character is not Django's to refuse).
            elif c.kind == Classification.Kind.DATE:
                self.fields[c.code] = TypedText(
                    label=label,
                    initial=current.get(c.code, ""),
                    widget=forms.DateInput(attrs={"type": "date"}),
                )
            elif c.kind == Classification.Kind.TEXT:
                self.fields[c.code] = TypedText(
                    rule=rules.profile_text(c.name),
                    label=label,
                    initial=current.get(c.code, ""),
                )
            else:
                self.fields[c.code] = TypedText(label=label, initial=current.get(c.code, ""))
            self.fields[c.code].mandatory = field.mandatory  # type: ignore[attr-defined]

    def profile_values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "priority"}


class TextForm(forms.Form):
    """The title and description as typed. Their rules (length, line breaks) are
    `actions.edit_text`'s, the same on every channel, so the form adds none of its
    own: an empty or over-long title reaches the service and comes back with its
    message."""

    title = TypedText(rule=rules.TITLE, label="Title")
    description = TypedText(
        rule=rules.DESCRIPTION,
        label="Description (Markdown)",
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args: Any, transaction: Transaction, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"title": transaction.title, "description": transaction.description}
        )
        super().__init__(*args, **kwargs)

    def clean_description(self) -> str:
        # Browsers send a textarea's line breaks as CR LF; stored text has LF, so an
        # untouched description would otherwise count as changed.
        return str(self.cleaned_data["description"]).replace("\r\n", "\n")


class MoneyForm(forms.Form):
    """The transaction's value and cost as typed: `actions.set_money` judges them by
    `rules.clean_money`, the rule the API applies too, and says what is wrong."""

    value = forms.CharField(
        label="Value",
        required=False,
        strip=False,
        help_text="What the work is worth, e.g. 1250.50 (0 for none).",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    cost = forms.CharField(
        label="Cost",
        required=False,
        strip=False,
        help_text="What it cost the desk, e.g. 80 (0 for none).",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, transaction: Transaction, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {"value": f"{transaction.value:.2f}", "cost": f"{transaction.cost:.2f}"}
        )
        super().__init__(*args, **kwargs)


class StatusForm(forms.Form):
    # No move is preselected: the placeholder is not a status, and sent as it is it is
    # refused as "choose one" rather than read as a move.
    status = SmallModelChoiceField(
        Status.objects.none(),
        label="New status",
        empty_label="Move to…",
        error_messages={"required": "Choose the status to move to."},
    )
    resolution = TypedText(
        rule=rules.RESOLUTION,
        label="Resolution (the customer reads this)",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, transaction: Transaction, moves: list[Status], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["status"]
        # Offered: the moves `actions.status_moves` allows from here. Parsed: any status
        # of the application, so that a move the flow forbids reaches the service and is
        # refused with its message (which names the allowed moves), as on every channel.
        field.rows = moves  # type: ignore[attr-defined]
        field.queryset = Status.objects.filter(  # type: ignore[attr-defined]
            application_id=transaction.application_id
        )


class NoteForm(forms.Form):
    channel = forms.ChoiceField(choices=NOTE_CHANNELS, initial=Channel.PHONE, widget=QuickSelect)
    direction = forms.ChoiceField(
        choices=Note.Direction.choices, initial=Note.Direction.INBOUND, widget=QuickSelect
    )
    visibility = forms.ChoiceField(
        choices=Note.Visibility.choices, initial=Note.Visibility.INTERNAL, widget=QuickSelect
    )
    # Typed, with suggestions: the organisation may have hundreds of people.
    contact = ContactField(required=False, label="With", list_id="contact-suggestions")
    body = TypedText(rule=rules.NOTE_BODY, label="Note", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, transaction: Transaction, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contact = cast("ContactField", self.fields["contact"])
        # Exactly whom services.add_note accepts (`access.may_be_contact`).
        contact.queryset = access.possible_contacts(transaction)
        cast("SuggestInput", contact.widget).lookup = reverse(
            "console:contacts", args=[transaction.number]
        )
        # The requester, where they may be named (a page only: a POST says whom).
        contact.initial = lambda: _default_contact(transaction)


def _default_contact(transaction: Transaction) -> Individual | None:
    requester = transaction.requester
    if requester is None or not requester.active:
        return None
    return requester if access.may_be_contact(transaction, requester) else None


class UploadForm(forms.Form):
    file = forms.FileField(label="File")


class _FilesInput(forms.FileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Any number of files from one input (none is fine): a list of uploads."""

    widget = _FilesInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        each = data if isinstance(data, list | tuple) else [data] if data else []
        clean_one = super().clean
        return [clean_one(one, initial) for one in each if one]


class EmailReplyForm(forms.Form):
    """A reply by e-mail: a shared note sent to the requester and the chosen CC, with
    files. Who may be copied is offered from `trail.cc_choices` (what `add_note`
    accepts); any individual named is parsed, so that one the service refuses is
    refused in its words, as on every channel."""

    body = TypedText(
        rule=rules.NOTE_BODY, label="Message", widget=forms.Textarea(attrs={"rows": 6})
    )
    cc = SmallModelMultipleChoiceField(
        Individual.objects.all(),
        required=False,
        label="CC",
        help_text="Contacts of this transaction with an e-mail address (Ctrl to pick several).",
        widget=QuickSelectMultiple(attrs={"size": 4}),
    )
    attachments = FilesField(required=False, label="Files to attach")

    def __init__(self, *args: Any, transaction: Transaction, **kwargs: Any) -> None:
        # Its own ids: the note form beside it has a "body" too, and a label must name
        # one field.
        kwargs.setdefault("auto_id", "id_reply_%s")
        super().__init__(*args, **kwargs)
        self.transaction = transaction
        # Read when the form is drawn, not when it is only parsed.
        self.fields["cc"].rows = trail.cc_choices(transaction)  # type: ignore[attr-defined]

    def clean_cc(self) -> list[Individual]:
        # The requester has the message anyway: named again, they are not copied twice.
        people = self.cleaned_data["cc"]
        return [p for p in people if p.pk != self.transaction.requester_id]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        refused = trail.reply_to(self.transaction).refused
        if refused:
            raise forms.ValidationError(refused)
        return data


class FollowUpForm(forms.Form):
    note = forms.CharField(
        label="What was done (optional)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept in the history for the staff; the customer does not see it.",
    )


class RelateForm(forms.Form):
    other = forms.CharField(label="Transaction number", max_length=24)
    kind = forms.ChoiceField(label="Relation", choices=Relation.Kind.choices)


class GrantForm(forms.Form):
    individual = forms.EmailField(label="Individual's e-mail", required=False)
    organization = OrganizationField(
        Organization.objects.filter(active=True),
        list_id="grant-organization-suggestions",
        required=False,
        label="or organisation",
        help_text="Name or account number.",
    )
    permission = SmallModelChoiceField(Permission.objects.all(), empty_label=None)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        permission = cast("SmallModelChoiceField[Permission]", self.fields["permission"])
        permission.rows = setup.rows("permissions", None, lambda: list(Permission.objects.all()))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        email = data.get("individual")
        if email:
            person = Individual.objects.filter(email__iexact=email).first()
            if person is None:
                self.add_error("individual", "No individual has that e-mail address.")
            data["individual"] = person
        else:
            data["individual"] = None
        return data


class AssignForm(forms.Form):
    assignees = SmallModelMultipleChoiceField(
        Individual.objects.none(), label="Assign to", widget=QuickSelectMultiple(attrs={"size": 6})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignees"].queryset = staff_people()  # type: ignore[attr-defined]


class ForwardForm(forms.Form):
    team = SmallModelChoiceField(
        Organization.objects.filter(kind=Organization.Kind.TEAM, active=True),
        label="Forward to team",
        empty_label=None,
    )
    # Judged by the note's rule in `actions.forward`, in its words on every channel.
    note = TypedText(rule=rules.FORWARD_NOTE, label="Why", widget=forms.Textarea(attrs={"rows": 2}))
