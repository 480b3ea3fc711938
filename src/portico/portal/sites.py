"""The three portals (customer, partner, employee) as data: the zone each belongs to,
the words on its pages and how its home splits the transactions its people may see.
The pages are written once (`portal.views`) and bound to each site in `portal.urls`.

Which transactions a person sees is never decided here: every list starts from
`access.visible_transactions`; a section only narrows that down for the reader.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import F, OrderBy, Q
from django.urls import reverse

from portico import access
from portico.parties.models import Individual

SALES_OPPORTUNITY = "sales-opportunity"
# actions.change_status sets resolved_at exactly when a transaction becomes resolved or
# closed, so this is "not finished", written as the running-only indexes are.
STILL_OPEN = Q(resolved_at__isnull=True)

NEWEST_UPDATE = (F("updated_at").desc(), F("id").desc())
# Finished transactions always have resolved_at (actions.change_status), so this is
# also the order of the transaction_org_resolved index, which the list walks.
NEWEST_RESOLVED = (F("resolved_at").desc(), F("id").desc())


@dataclass(frozen=True)
class Section:
    """One list on a portal's home (and its full page): a narrowing of the visible
    transactions for the reader, or None where it does not apply to them."""

    key: str
    heading: str
    empty: str
    narrow: Callable[[Individual], Q | None]
    order: tuple[OrderBy, ...] = NEWEST_UPDATE
    show_requester: bool = False
    finished: bool = False  # shows when it was resolved rather than when it is due
    on_home: bool = True  # False: only a full list (the nav's "All transactions")
    # Narrowed to one requester or organisation, in an order an index on it keeps:
    # access is then tested row by row along that index (visible_transactions(per_row)).
    per_row: bool = False


@dataclass(frozen=True)
class Site:
    key: str  # starts each URL name: "customer-home", "customer-transaction", ...
    zone: str
    title: str
    intro: str
    create_label: str
    create_intro: str
    sections: tuple[Section, ...]

    def url(self, page: str, *args: object) -> str:
        return reverse(self.url_name(page), args=args)

    def url_name(self, page: str) -> str:
        return f"portal:{self.key}-{page}"

    # For templates, which cannot pass arguments to a method.
    @property
    def home_url(self) -> str:
        return self.url("home")

    @property
    def create_url(self) -> str:
        return self.url("create")

    @property
    def list_url(self) -> str:
        return self.url("transactions")  # every transaction the person may see

    @property
    def profile_url(self) -> str:
        return self.url("profile")

    @property
    def forms_url(self) -> str:
        return self.url("forms")

    @property
    def transaction_url_name(self) -> str:
        return self.url_name("transaction")

    @property
    def add_note_url_name(self) -> str:
        return self.url_name("add-note")

    @property
    def upload_url_name(self) -> str:
        return self.url_name("upload")

    @property
    def withdraw_url_name(self) -> str:
        return self.url_name("withdraw")

    @property
    def reopen_url_name(self) -> str:
        return self.url_name("reopen")

    @property
    def satisfaction_url_name(self) -> str:
        return self.url_name("satisfaction")

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)

    @property
    def home_sections(self) -> tuple[Section, ...]:
        return tuple(s for s in self.sections if s.on_home)


def _mine(individual: Individual) -> Q:
    return Q(requester_id=individual.pk) & STILL_OPEN


def _my_organisations(individual: Individual) -> Q | None:
    if individual.organization_id is None:
        return None
    return (
        Q(organization_id=individual.organization_id) & ~Q(requester_id=individual.pk) & STILL_OPEN
    )


def _our_finished(individual: Individual) -> Q:
    # Like the two lists above it, the organisation's (or, without one, the person's own);
    # a finished transaction of another organisation shared with them is in "All".
    if individual.organization_id is None:
        return _my_finished(individual)
    return Q(organization_id=individual.organization_id, resolved_at__isnull=False)


def _my_finished(individual: Individual) -> Q:
    return Q(requester_id=individual.pk, resolved_at__isnull=False)


def _opportunities(individual: Individual) -> Q:
    return Q(application__code=SALES_OPPORTUNITY)


def _shared(individual: Individual) -> Q:
    return ~Q(application__code=SALES_OPPORTUNITY)


def _everything(individual: Individual) -> Q:
    return Q()


ALL = Section(
    "all",
    "All transactions",
    "There is nothing here for you to see yet.",
    _everything,
    show_requester=True,
    on_home=False,
)


CUSTOMER = Site(
    key="customer",
    zone=access.CUSTOMER_PORTAL,
    title="Customer portal",
    intro="Log a new request and follow your open ones here.",
    create_label="Log a new request",
    create_intro="Tell us what you need. We reply in the notes of your request, "
    "and you can add to it at any time.",
    sections=(
        Section(
            "mine",
            "My open transactions",
            "You have no open transactions.",
            _mine,
            per_row=True,
        ),
        Section(
            "organisation",
            "My organisation's transactions",
            "Nothing else from your organisation is open that you may see.",
            _my_organisations,
            show_requester=True,
            per_row=True,
        ),
        Section(
            "resolved",
            "Recently resolved",
            "Nothing has been resolved yet.",
            _our_finished,
            order=NEWEST_RESOLVED,
            show_requester=True,
            finished=True,
            per_row=True,
        ),
        ALL,
    ),
)

PARTNER = Site(
    key="partner",
    zone=access.PARTNER_PORTAL,
    title="Partner portal",
    intro="Register opportunities and follow the transactions shared with your organisation.",
    create_label="Register an opportunity",
    create_intro="Register a deal you are working on; our sales team will be in touch.",
    sections=(
        Section(
            "opportunities",
            "Our opportunities",
            "No opportunities are shared with you yet.",
            _opportunities,
            show_requester=True,
        ),
        Section(
            "shared",
            "Shared with us",
            "Nothing is shared with your organisation yet.",
            _shared,
            show_requester=True,
        ),
        ALL,
    ),
)

EMPLOYEE = Site(
    key="employee",
    zone=access.EMPLOYEE_PORTAL,
    title="Employee portal",
    intro="Raise internal requests and follow them here.",
    create_label="Raise a request",
    create_intro="Ask the service desk for help or ask a question.",
    sections=(
        Section("mine", "My requests", "You have no open requests.", _mine, per_row=True),
        Section(
            "resolved",
            "Recently resolved",
            "None of your requests has been resolved yet.",
            _my_finished,
            order=NEWEST_RESOLVED,
            finished=True,
            per_row=True,
        ),
        ALL,
    ),
)

SITES = (CUSTOMER, PARTNER, EMPLOYEE)

# What each kind of transaction is for, in a customer's words, where the application
# itself has no description.
APPLICATION_HINTS = {
    "service-issue": "Something is not working as it should.",
    "complaint": "Tell us where we fell short.",
    "compliment": "Tell us what went well.",
    "enquiry": "Ask about a product, a price or how to do something.",
    "call-back": "Ask us to phone you.",
    SALES_OPPORTUNITY: "Register a deal you are working on with a customer.",
}
