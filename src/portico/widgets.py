"""Form widgets and fields the interface apps share.

`QuickSelect` renders a select in Python rather than through Django's widget templates,
which run one template per option: the console's filter form alone has some two hundred
options, and rendering them was a third of the transaction list's time. On the
transaction page at scale L the selects of its forms (the staff to assign, the
organisation's people to note a call with) took 23 and 11 ms through the template."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Model
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

if TYPE_CHECKING:
    from portico.service.rules import TextRule


class QuickSelect(forms.Select):
    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = []
        for group, choices, _index in widget["optgroups"]:
            options = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                (
                    (option["value"], " selected" if option["selected"] else "", option["label"])
                    for option in choices
                ),
            )
            parts.append(
                format_html('<optgroup label="{}">{}</optgroup>', group, options)
                if group
                else options
            )
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            SafeString("".join(parts)),
        )


class QuickSelectMultiple(QuickSelect, forms.SelectMultiple):
    """`QuickSelect` for a multiple select (`SelectMultiple` adds the attribute)."""


class _FetchedChoices[M: Model](forms.models.ModelChoiceIterator[M]):
    """The options read in one query. Django's own reads them through
    `QuerySet.iterator()`, a server-side cursor on PostgreSQL: three round trips
    (DECLARE, FETCH, CLOSE) per select for a list of a few dozen rows."""

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        rows = getattr(self.field, "rows", None)
        for obj in self.queryset if rows is None else rows:
            yield self.choice(obj)


class SmallModelChoiceField[T: Model](forms.ModelChoiceField[T]):
    """A choice of rows from a small table (applications, teams, staff), for a select.

    One query per form: a select reads its options twice (the first one, to decide on
    `required`, then all of them), and these share the queryset's cached rows. Rendered
    by `QuickSelect` unless a form says otherwise.

    `rows`, when a form sets it, are the options already read this request, offered
    without a query; what is submitted is still looked up in the queryset."""

    widget = QuickSelect
    iterator: type[forms.models.ModelChoiceIterator[T]] = _FetchedChoices
    rows: list[T] | None = None


class SmallModelMultipleChoiceField[T: Model](forms.ModelMultipleChoiceField[T]):
    """`SmallModelChoiceField` for a multiple select."""

    widget = QuickSelectMultiple
    iterator: type[forms.models.ModelChoiceIterator[T]] = _FetchedChoices


class TypedText(forms.CharField):
    """What was typed, handed to the service as it is: not trimmed, never "required",
    and without Django's own check for NUL characters. The service's rules judge it
    (`portico.service.rules`, or the parties' contact rules) and answer in the same
    words on every channel; a form that judged first would answer in Django's words.

    Given a rule, the browser is told its limits (maxlength, and required where the
    rule needs a value), so the page offers nothing the service will refuse."""

    def __init__(self, *, rule: TextRule | None = None, **kwargs: Any) -> None:
        if rule is not None and rule.multi_line:
            kwargs.setdefault("widget", forms.Textarea)
        super().__init__(required=False, strip=False, **kwargs)
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]
        if rule is not None:
            self.widget.attrs.setdefault("maxlength", rule.max_length)
            if rule.required:
                self.widget.attrs.setdefault("required", True)
