"""The portals' forms. They carry what a person typed to a service and show the
service's errors against the right field; the rules themselves live in the services
(`service.actions`: `create_transaction`, `clean_profile`, `add_note`, `add_attachment`), so
a value is judged the same way whichever page or API it came through."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

from portico import access
from portico.service import actions, rules, selectors
from portico.service.models import Application, Classification, Priority, ProfileField
from portico.widgets import TypedText

if TYPE_CHECKING:
    from portico.access import Person

PROFILE_PREFIX = "profile_"


def _minutes(minutes: int) -> str:
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour" if hours == 1 else f"{hours} hours"
    return f"{minutes} minutes"


class PriorityField(forms.ModelChoiceField[Priority]):
    def label_from_instance(self, obj: Priority) -> str:
        return f"{obj.name} – {obj.code}, we respond within {_minutes(obj.response_minutes)}"

    def to_python(self, value: Any) -> Priority | None:
        # The priority chosen, from the set-up kept per process rather than a query.
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        key = str(value.pk if isinstance(value, Priority) else value)
        chosen = next((p for p in selectors.priorities() if str(p.pk) == key), None)
        if chosen is None:
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return chosen


class RequestForm(forms.Form):
    """A new transaction of one application: title, description, the impact (for
    applications with a priority) and the application's Profile. Fields are not required
    here on purpose: `create_transaction` reports every missing or wrong value at once,
    with the words the console and the API use too."""

    title = TypedText(
        rule=rules.TITLE,
        label="Summary",
        help_text="One line that says what it is about.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    description = TypedText(
        rule=rules.DESCRIPTION,
        label="Details",
        help_text="What happened, when, and anything you have tried. You may use Markdown.",
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(
        self, *args: Any, application: Application, user: Person | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.application = application
        self.mandatory: set[str] = {"title"}
        self.profile_names: dict[str, str] = {}  # form field name -> classification code
        if application.uses_priority:
            self.fields["priority"] = PriorityField(
                queryset=Priority.objects.order_by("position"),
                required=False,
                label="How much does this affect you?",
                empty_label="Not sure – we will judge it",
                help_text="Choose “Site down” only if you cannot operate at all.",
            )
        # Only the classifications the person may set: never a staff-only one (issue 19).
        profile = [
            profile_field
            for profile_field in actions.profile_fields(application)
            if access.may_see_classification(user, profile_field.classification)
        ]
        for profile_field in profile:
            name = PROFILE_PREFIX + profile_field.classification.code
            self.fields[name] = _profile_field(profile_field)
            self.profile_names[name] = profile_field.classification.code
            if profile_field.mandatory:
                self.mandatory.add(name)

    def profile_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.profile_names]

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in self.profile_names]

    def profile_values(self) -> dict[str, str]:
        return {
            code: self.cleaned_data.get(name) or ""
            for name, code in self.profile_names.items()
            if self.cleaned_data.get(name)
        }

    def service_error(self, error: ValidationError) -> ValidationError:
        """The service names profile errors by classification code; the form's fields
        carry a prefix so no code can collide with "title" or "priority"."""
        if not hasattr(error, "error_dict"):
            return error
        by_code = {code: name for name, code in self.profile_names.items()}
        return ValidationError(
            {by_code.get(key, key): messages for key, messages in error.message_dict.items()}
        )


def _profile_field(profile_field: ProfileField) -> forms.Field:
    classification = profile_field.classification
    attrs: dict[str, Any] = {"required": True} if profile_field.mandatory else {}
    common: dict[str, Any] = {
        "label": classification.name,
        "required": False,
        "help_text": classification.help_text,
    }
    kind = classification.kind
    # Typed values reach `clean_profile` as they were typed, as they do from the console
    # and the API, so a refusal is in its words (not Django's, for a NUL character, say).
    typed = {"label": common["label"], "help_text": common["help_text"]}
    if kind == Classification.Kind.CHOICE:
        choices = [("", "Choose…")] + [
            (c.code, c.label) for c in getattr(classification, "active_choices", [])
        ]
        # A plain CharField behind the <select>: a value that is not offered reaches
        # clean_profile, which says which classification it is not a choice of.
        return forms.CharField(widget=forms.Select(attrs=attrs, choices=choices), **common)
    if kind == Classification.Kind.DATE:
        return TypedText(widget=forms.DateInput(attrs={**attrs, "type": "date"}), **typed)
    if kind in {Classification.Kind.NUMBER, Classification.Kind.MONEY}:
        hint = "An amount, e.g. 1250.00" if kind == Classification.Kind.MONEY else "A number"
        typed["help_text"] = typed["help_text"] or hint
        return TypedText(widget=forms.TextInput(attrs={**attrs, "inputmode": "decimal"}), **typed)
    return TypedText(
        rule=rules.profile_text(classification.name),
        widget=forms.TextInput(attrs=attrs),
        **typed,
    )


class ReasonForm(forms.Form):
    """Why a request is withdrawn or reopened; `actions.clean_reason` judges it, by
    the rule of the move (both have the limits of `rules.REASON`)."""

    reason = TypedText(
        rule=rules.REASON,
        label="Reason",
        help_text="The people working on it read this as a note.",
        widget=forms.Textarea(attrs={"rows": 3, "required": True}),
    )

    mandatory = frozenset({"reason"})


class NoteForm(forms.Form):
    body = TypedText(
        rule=rules.NOTE_BODY,
        label="Your note",
        help_text="The people working on it see it at once. You may use Markdown.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    mandatory = frozenset({"body"})


class UploadForm(forms.Form):
    file = forms.FileField(
        label="File",
        error_messages={"required": "Choose a file to attach.", "empty": "The file is empty."},
    )

    mandatory = frozenset({"file"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit = actions.attachment_limit()
        self.fields["file"].help_text = f"Up to {filesizeformat(self.limit)}."

    def clean_file(self) -> Any:
        # add_attachment enforces the limit too; saying it here, in the reader's units
        # and with the file's own size, is only a clearer message.
        upload = self.cleaned_data["file"]
        if upload.size is not None and upload.size > self.limit:
            raise ValidationError(
                f"“{upload.name}” is {filesizeformat(upload.size)}; a file may be at most "
                f"{filesizeformat(self.limit)}.",
                code="too_big",
            )
        return upload
