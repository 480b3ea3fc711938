"""Forms of the console's home, transaction list and saved views. They parse what was
typed and turn it into a queryset filter; who may see what stays `portico.access`'s."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone

from portico import access
from portico.console.lookup import OrganizationField
from portico.console.models import SavedView
from portico.parties.models import Individual, Organization
from portico.service import selectors
from portico.service.models import (
    Application,
    Choice,
    Priority,
    ProfileValue,
    Status,
    Transaction,
)
from portico.widgets import QuickSelect, SmallModelChoiceField

if TYPE_CHECKING:
    from portico.access import Person

OPEN_CATEGORIES = (Status.Category.NEW, Status.Category.OPEN, Status.Category.WAITING)
ALL_STATUSES = "all"
STATUS_CHOICES = [
    ("", "All open"),
    (Status.Category.NEW.value, "New"),
    (Status.Category.OPEN.value, "Open (in progress)"),
    (Status.Category.WAITING.value, "Waiting on customer"),
    (Status.Category.RESOLVED.value, "Resolved"),
    (Status.Category.CLOSED.value, "Closed"),
    (ALL_STATUSES, "Any status"),
]
DUE_CHOICES = [
    ("", "Any time"),
    ("overdue", "Overdue"),
    ("today", "Due today"),
    ("week", "Due in the next 7 days"),
]
# The classifications offered as list filters, by code (standard set-up, service app).
PRODUCT = "product"
AREA = "area"


def _no_such(thing: str) -> dict[str, str]:
    return {"invalid_choice": f"There is no such {thing} (“%(value)s”). Choose one from the list."}


class ChoiceOfClassification(SmallModelChoiceField[Choice]):
    """A classification's choices by code, so a saved view's URL stays readable
    (product=clearflow-dosing-pump). Retired choices stay: old transactions have them."""

    def label_from_instance(self, obj: Choice) -> str:
        return obj.label if obj.active else f"{obj.label} (retired)"


class TransactionFilterForm(forms.Form):
    """The transaction list's filters (a GET form). Every field is optional; an empty
    form means "all open transactions I may see"."""

    text = forms.CharField(
        label="Number or title",
        required=False,
        max_length=200,
        help_text="A whole number such as SI-000123, or words from the title.",
    )
    application = SmallModelChoiceField(
        Application.objects.none(),
        required=False,
        to_field_name="code",
        empty_label="Any application",
        error_messages=_no_such("application"),
    )
    status = forms.ChoiceField(
        widget=QuickSelect,
        choices=STATUS_CHOICES,
        required=False,
        error_messages=_no_such("status category"),
    )
    priority = SmallModelChoiceField(
        Priority.objects.all(),
        required=False,
        to_field_name="code",
        empty_label="Any priority",
        error_messages=_no_such("priority"),
    )
    # Typed, not picked from a select: there may be thousands (console.lookup).
    organization = OrganizationField(
        Organization.objects.filter(
            kind__in=[Organization.Kind.CUSTOMER, Organization.Kind.PARTNER]
        ).only("pk", "name", "account_number"),
        list_id="organization-suggestions",
        label="Organisation",
        required=False,
        help_text="Name or account number.",
    )
    team = SmallModelChoiceField(
        Organization.objects.filter(kind=Organization.Kind.TEAM).only("pk", "name"),
        required=False,
        empty_label="Any team",
        error_messages=_no_such("team"),
    )
    assignee = SmallModelChoiceField(
        Individual.objects.none(),
        label="Assigned to",
        required=False,
        empty_label="Anyone or no one",
        error_messages=_no_such("member of staff"),
    )
    product = ChoiceOfClassification(
        Choice.objects.filter(classification__code=PRODUCT),
        required=False,
        to_field_name="code",
        empty_label="Any product",
        error_messages=_no_such("product"),
    )
    area = ChoiceOfClassification(
        Choice.objects.filter(classification__code=AREA),
        required=False,
        to_field_name="code",
        empty_label="Any area",
        error_messages=_no_such("area"),
    )
    due = forms.ChoiceField(
        widget=QuickSelect,
        label="Due",
        choices=DUE_CHOICES,
        required=False,
        error_messages=_no_such("due period"),
    )

    def __init__(self, *args: Any, user: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
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
        # The two classifications' choices in one read; each field still judges what is
        # submitted by its own queryset.
        choices = list(
            Choice.objects.filter(classification__code__in=(PRODUCT, AREA)).select_related(
                "classification"
            )
        )
        for code in (PRODUCT, AREA):
            field = self.fields[code]
            assert isinstance(field, ChoiceOfClassification)
            field.rows = [c for c in choices if c.classification.code == code]

    def priorities(self) -> list[Priority]:
        """The priorities the form offers, read once for its select and for the rows'
        `selectors.fill_lookups`."""
        priority = self.fields["priority"]
        assert isinstance(priority, forms.ModelChoiceField)
        assert priority.queryset is not None
        return list(priority.queryset)

    def filter(
        self, transactions: QuerySet[Transaction], *, now: datetime.datetime
    ) -> QuerySet[Transaction]:
        """Narrow a queryset by the cleaned filters. Call after is_valid()."""
        data = self.cleaned_data
        if data.get("application"):
            transactions = transactions.filter(application_id=data["application"].pk)
        status = data.get("status") or ""
        if status != ALL_STATUSES:
            categories = [status] if status else list(OPEN_CATEGORIES)
            # By status id (a tiny table), so the (status, due_at) index can serve it.
            transactions = transactions.filter(
                status_id__in=Status.objects.filter(category__in=categories).values("pk")
            )
            if set(categories) <= set(OPEN_CATEGORIES):
                # The same rows (actions.change_status keeps resolved_at null exactly
                # while the status is an open one), said so that the partial index of
                # unresolved transactions by due time serves the queue: by status alone
                # the first page walked 8,000 finished transactions (scale L).
                transactions = transactions.filter(resolved_at__isnull=True)
        if data.get("priority"):
            transactions = transactions.filter(priority_id=data["priority"].pk)
        if data.get("organization"):
            transactions = transactions.filter(organization_id=data["organization"].pk)
        if data.get("team"):
            transactions = transactions.filter(team_id=data["team"].pk)
        if data.get("assignee"):
            # The task list's own rule (and its literal permission ids, for the planner).
            assigned = selectors.task_grants(data["assignee"]).filter(transaction_id=OuterRef("pk"))
            transactions = transactions.filter(Exists(assigned))
        for code in (PRODUCT, AREA):
            choice = data.get(code)
            if choice:
                # EXISTS on (choice, transaction): the profile_value_choice index.
                transactions = transactions.filter(
                    Exists(
                        ProfileValue.objects.filter(
                            choice_id=choice.pk, transaction_id=OuterRef("pk")
                        )
                    )
                )
        transactions = _due_filter(transactions, data.get("due") or "", now=now)
        text = (data.get("text") or "").strip()
        if text:
            # A number is matched whole (unique index); words are looked for in the title.
            transactions = transactions.filter(Q(number=text.upper()) | Q(title__icontains=text))
        return transactions

    def query_string(self) -> str:
        """The submitted filters as a normalised query string: only this form's fields,
        no empty values, in field order."""
        out = QueryDict(mutable=True)
        for name in self.fields:
            value = str(self.data.get(name, "") or "").strip()
            if value:
                out[name] = value
        return out.urlencode()


def _due_filter(
    transactions: QuerySet[Transaction], due: str, *, now: datetime.datetime
) -> QuerySet[Transaction]:
    if due == "overdue":
        return transactions.filter(due_at__lt=now, resolved_at__isnull=True)
    if due == "today":
        # "Today" is the local working day, not the UTC one.
        start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        return transactions.filter(due_at__gte=start, due_at__lt=start + datetime.timedelta(days=1))
    if due == "week":
        return transactions.filter(due_at__gte=now, due_at__lt=now + datetime.timedelta(days=7))
    return transactions


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
        filters = TransactionFilterForm(
            QueryDict(self.cleaned_data.get("query") or ""), user=self.user
        )
        if not filters.is_valid():
            problems = "; ".join(
                f"{filters.fields[name].label or name}: {' '.join(map(str, messages))}"
                if name in filters.fields
                else " ".join(map(str, messages))
                for name, messages in filters.errors.items()
            )
            raise ValidationError(f"These filters cannot be saved ({problems}).")
        return filters.query_string()
