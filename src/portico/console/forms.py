"""Forms of the console's transaction list and saved views. The list's form shows the
filters; their meaning is `portico.service.filters`' and who may see what stays
`portico.access`'s."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.utils import timezone

from portico import access
from portico.console.lookup import OrganizationField
from portico.console.models import SavedView
from portico.parties.models import Individual, Organization
from portico.service import filters, selectors
from portico.service.filters import AREA, PRODUCT
from portico.service.models import Application, Choice, Priority, Transaction
from portico.widgets import QuickSelect, SmallModelChoiceField

if TYPE_CHECKING:
    from portico.access import Person

# The names of old links and saved views: free text was `text` before every channel
# called it `q` (saved views were rewritten by console/0002).
OLD_NAMES = {"text": "q"}


class ChoiceOfClassification(SmallModelChoiceField[Choice]):
    """A classification's choices by code, so a saved view's URL stays readable
    (product=clearflow-dosing-pump). Retired choices stay: old transactions have them."""

    def label_from_instance(self, obj: Choice) -> str:
        return obj.label if obj.active else f"{obj.label} (retired)"


class TransactionFilterForm(forms.Form):
    """The transaction list's filters (a GET form). Every field is optional; an empty
    form means "all open transactions I may see".

    The fields only show the filters; what a value means, and whether it is valid, is
    `filters.parse`'s, the one parse of every channel that lists transactions."""

    q = forms.CharField(
        label="Number or title",
        required=False,
        max_length=filters.MAX_LENGTH,
        help_text="A whole number such as SI-000123, or words from the title.",
    )
    application = SmallModelChoiceField(
        Application.objects.none(),
        required=False,
        to_field_name="code",
        empty_label="Any application",
    )
    status = forms.ChoiceField(
        widget=QuickSelect,
        choices=filters.STATUS_CHOICES,
        required=False,
    )
    priority = SmallModelChoiceField(
        Priority.objects.all(),
        required=False,
        to_field_name="code",
        empty_label="Any priority",
    )
    # Typed, not picked from a select: there may be thousands (console.lookup).
    organization = OrganizationField(
        Organization.objects.none(),
        list_id="organization-suggestions",
        label="Organisation",
        required=False,
        help_text="Name or account number.",
    )
    team = SmallModelChoiceField(
        filters.teams(),
        required=False,
        empty_label="Any team",
    )
    assignee = SmallModelChoiceField(
        Individual.objects.none(),
        label="Assigned to",
        required=False,
        empty_label="Anyone or no one",
    )
    product = ChoiceOfClassification(
        Choice.objects.filter(classification__code=PRODUCT),
        required=False,
        to_field_name="code",
        empty_label="Any product",
    )
    area = ChoiceOfClassification(
        Choice.objects.filter(classification__code=AREA),
        required=False,
        to_field_name="code",
        empty_label="Any area",
    )
    due = forms.ChoiceField(
        widget=QuickSelect,
        label="Due",
        choices=filters.DUE_CHOICES,
        required=False,
    )

    def __init__(
        self, data: QueryDict | dict[str, Any] | None = None, *, user: Person, **kwargs: Any
    ) -> None:
        if data is not None and any(old in data for old in OLD_NAMES):
            renamed = data.copy()
            for old, new in OLD_NAMES.items():
                if old in renamed and new not in renamed:
                    renamed[new] = str(data.get(old, ""))
            data = renamed
        super().__init__(data, **kwargs)
        self.user = user
        self.filters = filters.TransactionFilters()
        organization = self.fields["organization"]
        assert isinstance(organization, OrganizationField)
        organization.queryset = filters.filterable_organizations(user)
        application = self.fields["application"]
        assert isinstance(application, SmallModelChoiceField)
        # Only the applications the person's group sees are worth offering. Their rights
        # hold them already (and the rows' lookups take them from there too).
        rights = access.application_rights(user)
        application.queryset = Application.objects.filter(pk__in=list(rights))
        application.rows = sorted((r.application for r in rights.values()), key=lambda a: a.name)
        assignee = self.fields["assignee"]
        assert isinstance(assignee, forms.ModelChoiceField)
        # Staff are the members of console groups (UserGroup.is_staff_group); only they
        # can be assigned for action (actions.assign). People who left stay choosable:
        # their old assignments are still worth finding.
        assignee.queryset = access.staff_individuals(active_only=False).only(
            "pk", "first_name", "last_name"
        )
        priority = self.fields["priority"]
        assert isinstance(priority, SmallModelChoiceField)
        priority.rows = selectors.priorities()
        # The two classifications' choices in one read, for the two selects.
        choices = list(
            Choice.objects.filter(classification__code__in=(PRODUCT, AREA)).select_related(
                "classification"
            )
        )
        for code in (PRODUCT, AREA):
            field = self.fields[code]
            assert isinstance(field, ChoiceOfClassification)
            field.rows = [c for c in choices if c.classification.code == code]

    def full_clean(self) -> None:
        """Judge the submitted filters by `filters.parse`, its messages on the fields
        they are about; the fields' own cleaning is not run, so no rule is said twice."""
        self._errors = ErrorDict()
        self.cleaned_data = {}
        if not self.is_bound:
            return
        try:
            self.filters = filters.parse(self.user, self.data)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                self.add_error(name, messages)
        if self.filters.organization is not None:
            organization = self.fields["organization"]
            assert isinstance(organization, OrganizationField)
            organization.known = (str(self.data.get("organization", "")), self.filters.organization)

    def query_string(self) -> str:
        """The submitted filters as a normalised query string: only this form's fields,
        no empty values, in field order."""
        out = QueryDict(mutable=True)
        for name in self.fields:
            value = str(self.data.get(name, "") or "").strip()
            if value:
                out[name] = value
        return out.urlencode()


# --- keyset paging ----------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: after the row with this (due_at, id). Rows with no
    due time come last, so a cursor with due_at None is in that tail."""

    due_at: datetime.datetime | None
    pk: int

    def encode(self) -> str:
        return f"{self.due_at.isoformat() if self.due_at else ''}|{self.pk}"

    @classmethod
    def decode(cls, raw: str) -> Cursor:
        due, sep, pk = raw.partition("|")
        error = ValidationError(
            "That page link is damaged or out of date. Showing the first page instead."
        )
        if not sep or not re.fullmatch(r"[0-9]{1,18}", pk):
            raise error
        due_at = None
        if due:
            try:
                due_at = datetime.datetime.fromisoformat(due)
            except ValueError:
                raise error from None
            if timezone.is_naive(due_at):
                raise error
        return cls(due_at=due_at, pk=int(pk))

    @classmethod
    def of(cls, transaction: Transaction) -> Cursor:
        return cls(due_at=transaction.due_at, pk=transaction.pk)


def page_of(
    transactions: QuerySet[Transaction], *, after: Cursor | None, size: int
) -> tuple[list[Transaction], Cursor | None]:
    """One page in (due_at, id) order, no-due-time last, and the cursor for the next.

    Two range reads, each a seek on the (due_at, id) index that stops after size+1 rows:
    the dated rows from the cursor on, then the undated ones by id. One query with
    "due_at > x OR due_at IS NULL" could not seek, and OFFSET reads every row it skips.
    The undated read runs even when the dated one filled the page (for one row), so a
    page costs the same number of queries whatever the data (the list's query count is
    asserted). Give it `selectors.listed` rows, and fill their lookups with
    `selectors.fill_lookups`."""
    rows: list[Transaction] = []
    if after is None or after.due_at is not None:
        dated = transactions.filter(due_at__isnull=False).order_by("due_at", "id")
        if after is not None:
            dated = dated.filter(due_at__gte=after.due_at).exclude(
                due_at=after.due_at, id__lte=after.pk
            )
        rows = list(dated[: size + 1])
    # Ordered by (due_at, id) although due_at is NULL throughout: PostgreSQL then walks
    # the (due_at, id) index for this tail instead of filtering the primary key's.
    undated = transactions.filter(due_at__isnull=True).order_by("due_at", "id")
    if after is not None and after.due_at is None:
        undated = undated.filter(id__gt=after.pk)
    # At least one row, so the query runs (and is counted) whatever the data; no more
    # than the page still needs, so a full page does not build fifty rows to drop them.
    rows += list(undated[: max(1, size + 1 - len(rows))])
    if len(rows) > size:
        return rows[:size], Cursor.of(rows[size - 1])
    return rows, None


# --- saved views ------------------------------------------------------------------------


class SaveViewForm(forms.Form):
    name = forms.CharField(label="Name this view", max_length=80)
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, owner: Individual | None, user: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.user = user

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        if not name:
            raise ValidationError("Give the view a name.")
        if (
            self.owner is not None
            and SavedView.objects.filter(owner=self.owner, name__iexact=name).exists()
        ):
            raise ValidationError(
                f"You already have a view called “{name}”. Choose another name, or delete "
                "that one first."
            )
        return name

    def clean_query(self) -> str:
        """Validate the filters through the list's own form and keep them normalised."""
        form = TransactionFilterForm(
            QueryDict(self.cleaned_data.get("query") or ""), user=self.user
        )
        if not form.is_valid():
            problems = "; ".join(
                f"{form.fields[name].label or name}: {' '.join(map(str, messages))}"
                if name in form.fields
                else " ".join(map(str, messages))
                for name, messages in form.errors.items()
            )
            raise ValidationError(f"These filters cannot be saved ({problems}).")
        return form.query_string()
