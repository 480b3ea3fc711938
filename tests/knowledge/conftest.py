"""Small, known articles for the search and access tests, written through the service
an editor uses (so each has its version and its index entry)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from portico.knowledge import services
from portico.knowledge.models import Article, Status
from portico.parties.models import UserGroup

MakeArticle = Callable[..., Article]


@pytest.fixture
def make_article(demo_data: None) -> MakeArticle:
    def make(
        title: str,
        body: str = "Nothing much to say.",
        *,
        audience: tuple[str, ...] = ("public",),
        status: str = Status.PUBLISHED,
        tags: str = "",
        summary: str = "",
    ) -> Article:
        groups = tuple(UserGroup.objects.filter(name__in=audience))
        return services.save_article(
            actor=None,
            change=services.ArticleChange(
                title=title,
                body=body,
                summary=summary,
                tags=tags,
                status=status,
                public="public" in audience,
                audience=groups,
            ),
        )

    return make
