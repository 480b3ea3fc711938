"""The rules for the free text a person writes into a transaction, in one place (seed
003: "the same mandatory fields and data formatting rules must apply").

The services call these before they write, so the portal, the console, the API, and
later e-mail-in and imports, all judge a value the same way and refuse it in the same
words. The interfaces pass what was typed through untouched (`portico.widgets.TypedText`,
`portico.api.serializers.TypedText`): a form or serializer that judged a field itself
would answer in Django's or DRF's words and drift from the others, as the API's 50,000
characters once drifted from the portal's none.

Each `clean_*` takes what was sent and returns what to store (trimmed; a multi-line
text's line breaks as "\\n"), or raises `ValidationError` with the field's one message.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

# Characters no text of ours may hold: control characters (C0, DEL, C1) and lone
# surrogates (JSON may carry them; no database can store them).
_REFUSED = frozenset({"Cc", "Cs"})
# A title is one line: line and paragraph separators break it as a newline does.
_LINE_BREAKS = frozenset({"Zl", "Zp"})
# What a multi-line text may keep of the control characters.
_MULTI_LINE_ALLOWED = frozenset({"\n", "\t"})


@dataclass(frozen=True)
class TextRule:
    """How one field is judged. `field` is the key the services' errors use."""

    field: str
    max_length: int
    multi_line: bool
    too_long: str
    bad_characters: str
    required: str = ""  # the message when it is empty; "" when it may be empty

    def clean(self, value: str | None) -> str:
        text = value or ""
        if self.multi_line:
            # Browsers send a textarea's line breaks as CRLF; store them one way.
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = text.strip()
        if not text:
            if self.required:
                raise ValidationError(self.required, code="required")
            return ""
        if len(text) > self.max_length:
            raise ValidationError(self.too_long, code="max_length")
        if not self._printable(text):
            raise ValidationError(self.bad_characters, code="characters")
        return text

    def _printable(self, text: str) -> bool:
        for character in text:
            category = unicodedata.category(character)
            if self.multi_line:
                if category in _REFUSED and character not in _MULTI_LINE_ALLOWED:
                    return False
            elif category in _REFUSED or category in _LINE_BREAKS:
                return False
        return True

    def clean_field(self, value: str | None) -> str:
        """`clean`, its error under the field's name (for a service's ValidationError)."""
        errors: dict[str, list[str]] = {}
        text = self.collect(value, errors)
        if errors:
            raise ValidationError(errors)
        return text

    def collect(self, value: str | None, errors: dict[str, list[str]]) -> str:
        """`clean`, for a service that reports every field's mistake at once: the
        message goes into `errors` under the field's name, and "" comes back."""
        try:
            return self.clean(value)
        except ValidationError as error:
            errors[self.field] = list(error.messages)
            return ""


TITLE = TextRule(
    field="title",
    max_length=200,
    multi_line=False,
    required="Give the transaction a title.",
    too_long="The title is at most 200 characters.",
    bad_characters="The title is one line of text: no line breaks, tabs or control characters.",
)
DESCRIPTION = TextRule(
    field="description",
    max_length=50_000,
    multi_line=True,
    too_long="The description is at most 50,000 characters.",
    bad_characters=(
        "The description has control characters; only line breaks and tabs are allowed."
    ),
)
NOTE_BODY = TextRule(
    field="body",
    max_length=50_000,
    multi_line=True,
    required="Write something in the note.",
    too_long="A note is at most 50,000 characters.",
    bad_characters="The note has control characters; only line breaks and tabs are allowed.",
)
RESOLUTION = TextRule(
    field="resolution",
    max_length=50_000,
    multi_line=True,
    too_long="The resolution is at most 50,000 characters.",
    bad_characters=(
        "The resolution has control characters; only line breaks and tabs are allowed."
    ),
)
# Text that becomes a note is judged as a note is, with words for what it is: a note
# can hold nothing a note's rule would refuse, whichever way it was written.
FORWARD_NOTE = replace(NOTE_BODY, field="note", required="Say why it is being forwarded.")
REASON = replace(
    NOTE_BODY,
    field="reason",
    required="",  # each move says it in its own words (below)
    too_long="A reason is at most 50,000 characters.",
    bad_characters="The reason has control characters; only line breaks and tabs are allowed.",
)
WITHDRAW_REASON = replace(REASON, required="Say why you are withdrawing it.")
REOPEN_REASON = replace(REASON, required="Say why you are reopening it.")

# A text classification's value (clean_profile): its message names the classification.
PROFILE_TEXT_MAX = 200


def profile_text(name: str) -> TextRule:
    """The rule for a text classification's value: one line, at most 200 characters,
    as a title; empty is for `clean_profile` to judge (it knows if it is mandatory)."""
    return TextRule(
        field=name,
        max_length=PROFILE_TEXT_MAX,
        multi_line=False,
        too_long=f"{name} is at most {PROFILE_TEXT_MAX} characters.",
        bad_characters=f"{name} is one line of text: no line breaks, tabs or control characters.",
    )


def clean_title(value: str | None) -> str:
    return TITLE.clean(value)


def clean_description(value: str | None) -> str:
    return DESCRIPTION.clean(value)


def clean_note_body(value: str | None) -> str:
    return NOTE_BODY.clean(value)


def clean_resolution(value: str | None) -> str:
    return RESOLUTION.clean(value)


def clean_profile_text(name: str, value: str) -> str:
    return profile_text(name).clean(value)


# --- money --------------------------------------------------------------------------------
# A transaction's value and cost (seed 002: "dollar value, cost of call"): amounts in the
# desk's currency, kept as Decimal(14, 2). The console's form and the API send what was
# typed; this one function judges it, so both refuse the same amounts in the same words.

MONEY_FIELDS = {"value": "The value", "cost": "The cost"}
MONEY_WHOLE_DIGITS = 12
MONEY_DECIMALS = 2


def clean_money(field: str, value: object) -> Decimal:
    """What was sent for `value` or `cost` (text such as "1250.50", an int, or a JSON
    number) as the Decimal to store; ValidationError with one message otherwise."""
    name = MONEY_FIELDS[field]
    # A float is taken by its shortest spelling ("0.1", not 0.1000000000000000055…):
    # that is what the sender wrote in the JSON. True and False are not amounts.
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValidationError(f"{name} must be an amount such as 1250.50.", code="invalid")
    text = value.strip() if isinstance(value, str) else str(value)
    if not text:
        raise ValidationError(f"Give {name.lower()} as an amount; 0 for none.", code="required")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite():
        raise ValidationError(f"{name} must be an amount such as 1250.50.", code="invalid")
    if amount < 0:
        raise ValidationError(f"{name} cannot be negative.", code="negative")
    exponent = amount.normalize().as_tuple().exponent
    assert isinstance(exponent, int)  # finite, checked above
    if -exponent > MONEY_DECIMALS:
        raise ValidationError(
            f"{name} has at most {MONEY_DECIMALS} digits after the decimal point.",
            code="decimals",
        )
    if amount >= Decimal(10) ** MONEY_WHOLE_DIGITS:
        raise ValidationError(
            f"{name} has at most {MONEY_WHOLE_DIGITS} digits before the decimal point.",
            code="too_large",
        )
    return amount.quantize(Decimal("0.01"))
