"""Who someone is to Portico: their person, their user group's zones, whether they are
staff, where they land, and the guard that keeps a page to a zone."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Concatenate, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

# Zone codes live below access (parties/zones.py); the package exports them all.
from portico.access import setup
from portico.parties.zones import (
    CONSOLE,
    CUSTOMER_PORTAL,
    EMPLOYEE_PORTAL,
    PARTNER_PORTAL,
    SYSTEMS_ADMIN,
)

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    from portico.parties.models import Individual, User

    type Person = User | AbstractBaseUser | AnonymousUser

_ZONES_ATTR = "_portico_zones"


def individual_of(user: Person | None) -> Individual | None:
    """The active Individual behind a log-in, or None (anonymous, no person, or left)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    individual: Individual | None = getattr(user, "individual", None)
    if individual is None or not individual.active:
        return None
    return individual


def zones_of(user: Person | None) -> frozenset[str]:
    """The zone codes a person may enter, read once per request and kept on the user."""
    cached: frozenset[str] | None = getattr(user, _ZONES_ATTR, None)
    if cached is not None:
        return cached
    individual = individual_of(user)
    if individual is None:
        # The command-line rescue account (a superuser with no person) opens every zone.
        rescue = may_log_in(user) and bool(getattr(user, "is_superuser", False))
        zones: frozenset[str] = all_zone_codes() if rescue else frozenset()
    else:
        group = individual.user_group
        zones = setup.remembered(
            "zones", group.pk, lambda: frozenset(group.zones.values_list("code", flat=True))
        )
    if user is not None and user.is_authenticated:
        setattr(user, _ZONES_ATTR, zones)
    return zones


def all_zone_codes() -> frozenset[str]:
    from portico.parties.models import Zone

    return frozenset(Zone.objects.values_list("code", flat=True))


def may_enter(user: Person | None, zone: str) -> bool:
    return zone in zones_of(user)


def may_administer(user: Person | None) -> bool:
    """Systems Admin (Django's admin) opens to those whose group opens its zone: the
    admin site, the backend's model permissions and the admin templates all ask this."""
    return may_enter(user, SYSTEMS_ADMIN)


# The person automation rules act as (portico.automations.actor): a log-in that cannot log
# in (no usable password, a group with no zones), in a staff group of its own. It may do
# anything to any transaction, since the rules it carries out were written by an
# administrator; nobody is offered it as an assignee.
AUTOMATION_EMAIL = "automations@portico.invalid"
AUTOMATION_GROUP = "Automations"


def is_automation(individual: Individual | None) -> bool:
    if individual is None or individual.user_group.name != AUTOMATION_GROUP:
        return False
    user = individual.user
    return user is not None and user.email == AUTOMATION_EMAIL and not user.has_usable_password()


def is_staff(user: Person | None) -> bool:
    """Staff are the members of groups whose home is the service console."""
    return is_staff_member(individual_of(user))


def is_staff_member(individual: Individual | None) -> bool:
    """`is_staff` for a person rather than a log-in: who wrote a note "from the service
    team", as the portal and the API label it."""
    return individual is not None and individual.user_group.is_staff_group


def staff_individuals(*, active_only: bool = True) -> QuerySet[Individual]:
    """The staff as a query: members of groups whose home is the console."""
    from portico.parties.models import Individual

    # By the groups' ids, not a join on the groups: PostgreSQL then counts each group's
    # members from its statistics and reads the few staff by the user_group index. Joined,
    # it could not tell which groups the condition keeps, guessed 64,000 of 150,000
    # people and read them all (30 ms of every console list at scale L).
    people = Individual.objects.filter(user_group_id__in=staff_group_ids())
    return people.filter(active=True) if active_only else people


def staff_group_ids() -> tuple[int, ...]:
    """The groups whose home is the console, less the automation's: set-up, kept per
    process (`access.setup`)."""
    from portico.parties.models import Portal, UserGroup

    return setup.remembered(
        "staff_groups",
        None,
        lambda: tuple(
            sorted(
                UserGroup.objects.filter(portal=Portal.CONSOLE)
                .exclude(name=AUTOMATION_GROUP)
                .values_list("pk", flat=True)
            )
        ),
    )


def may_log_in(user: Person | None) -> bool:
    """A log-in works only while its person is active (seed 003: access ends on leaving).
    A log-in with no Individual is the command-line rescue superuser."""
    if user is None or not user.is_active:
        return False
    individual = getattr(user, "individual", None)
    if individual is None:
        return bool(getattr(user, "is_superuser", False))
    return bool(individual.active)


# Where each portal's people land, and the URL prefix its pages live under.
PORTAL_HOMES = {
    "console": ("console:home", "/console/", CONSOLE),
    "customer": ("portal:customer-home", "/portal/", CUSTOMER_PORTAL),
    "partner": ("portal:partner-home", "/partners/", PARTNER_PORTAL),
    "employee": ("portal:employee-home", "/employees/", EMPLOYEE_PORTAL),
}


def portal_of(user: Person | None, *, next_url: str = "") -> str:
    """The portal a person belongs to; for someone not (yet) known, the portal whose
    page they were heading for."""
    individual = individual_of(user) if user is not None else None
    if individual is not None:
        return str(individual.user_group.portal)
    for portal, (_, prefix, _zone) in PORTAL_HOMES.items():
        if next_url.startswith(prefix):
            return portal
    return ""


def home_url(user: Person | None) -> str:
    """Each person lands on their own home: staff on the console, customers, partners
    and employees on their portal (seed 004: one log-in, access by who the user is)."""
    from django.urls import reverse

    individual = individual_of(user)
    if individual is None:
        if may_administer(user):
            return reverse("admin:index")
        return reverse("account_login")
    url_name, _prefix, zone = PORTAL_HOMES[individual.user_group.portal]
    if not may_enter(user, zone):
        # A group switched out of its own portal still gets a page, not a loop.
        return reverse("no-zones")
    return reverse(url_name)


def zone_required[**P](
    zone: str,
) -> Callable[
    [Callable[Concatenate[HttpRequest, P], HttpResponse]],
    Callable[Concatenate[HttpRequest, P], HttpResponse],
]:
    """Guard a view by zone: anonymous people are sent to log in, people whose group
    lacks the zone get a plain 403 (never a redirect, which could loop)."""

    def decorate(
        view: Callable[Concatenate[HttpRequest, P], HttpResponse],
    ) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
        @wraps(view)
        def guarded(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not may_enter(request.user, zone):
                raise PermissionDenied(f"Your user group does not open the {zone} zone.")
            return view(request, *args, **kwargs)

        guarded.zone = zone  # type: ignore[attr-defined]
        return cast("Callable[Concatenate[HttpRequest, P], HttpResponse]", guarded)

    return decorate
