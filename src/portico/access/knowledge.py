"""Who reads which articles, FAQs, downloads and news, and who writes them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from portico.access.roles import individual_of, is_staff, may_administer, may_enter
from portico.parties.zones import DOCUMENTS, KNOWLEDGE, NEWS

if TYPE_CHECKING:
    from portico.access.roles import Person
    from portico.knowledge.models import Article


# --- knowledge ---------------------------------------------------------------------------
# Seed 004: self-support before a ticket. Articles, FAQs, documents and news are read by
# the audience each names (user groups, or anyone when public), inside the zone each
# belongs to; visitors who are not signed in read public pieces only.

PUBLICATION_ZONES = {
    "article": KNOWLEDGE,
    "faq": KNOWLEDGE,
    "document": DOCUMENTS,
    "newsitem": NEWS,
}


def may_read_zone(user: Person | None, zone: str) -> bool:
    """Whether the pages of a reading zone open at all: to visitors (who then see only
    public pieces) and to signed-in people whose group opens the zone."""
    if user is None or not user.is_authenticated:
        return True
    return may_enter(user, zone)


def require_reading_zone(user: Person | None, zone: str) -> None:
    """Refuse (403) a signed-in person whose group does not open a reading zone; the
    help pages and the API's knowledge endpoints ask this before anything else."""
    if not may_read_zone(user, zone):
        raise PermissionDenied(f"Your user group does not open the {zone} zone.")


def may_search_knowledge(user: Person | None) -> bool:
    """Whether a page offers the knowledge search (the deflection widget, a search box)."""
    return may_read_zone(user, KNOWLEDGE)


def visible_publications[M: Model](user: Person | None, queryset: QuerySet[M]) -> QuerySet[M]:
    """The published pieces (articles, FAQs, documents, news) of `queryset` a person may
    read, as a query: staff read everything published in the zones they enter; others
    the public pieces and those whose audience names their group; visitors public only."""
    from portico.knowledge.models import Status

    model = queryset.model
    name = str(model._meta.model_name)
    zone = PUBLICATION_ZONES[name]
    if not may_read_zone(user, zone):
        return queryset.none()
    published = queryset.filter(status=Status.PUBLISHED)
    individual = individual_of(user)
    if individual is None:
        # The command-line rescue account (every zone, no person) reads everything.
        return published if may_administer(user) else published.filter(public=True)
    if individual.user_group.is_staff_group:
        return published
    through = cast("Any", model).audience.through
    readers = through.objects.filter(
        **{name: OuterRef("pk"), "usergroup": individual.user_group_id}
    )
    return published.filter(Q(public=True) | Exists(readers))


def may_edit_knowledge(user: Person | None) -> bool:
    """Staff who enter the knowledge zone write and publish articles."""
    return is_staff(user) and may_enter(user, KNOWLEDGE)


def require_editor(user: Person | None) -> None:
    """Refuse (403) anyone who may not write knowledge (`may_edit_knowledge`)."""
    if not may_edit_knowledge(user):
        raise PermissionDenied("Only the service staff write knowledge articles.")


def readable_articles(user: Person | None) -> QuerySet[Article]:
    """Articles a person may open by URL: what they may read, and for editors the
    drafts and archived ones as well (to preview and restore them)."""
    from portico.knowledge.models import Article

    if may_edit_knowledge(user):
        return Article.objects.all()
    return visible_publications(user, Article.objects.all())
