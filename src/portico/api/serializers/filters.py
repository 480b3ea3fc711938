"""The transaction list's filters, described for the OpenAPI schema."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from portico.service import filters

# The list's filters are `service.filters`', parsed by `filters.parse` as on every
# channel; here they are only described.
_FILTER_ENUMS: dict[str, list[str]] = {
    "status": [value for value, _ in filters.STATUS_CHOICES if value],
    "due": [value for value, _ in filters.DUE_CHOICES if value],
}
_FILTER_IDS = {"team", "assignee"}
TRANSACTION_FILTERS = [
    OpenApiParameter(
        name,
        OpenApiTypes.INT if name in _FILTER_IDS else OpenApiTypes.STR,
        OpenApiParameter.QUERY,
        required=False,
        description=description,
        enum=_FILTER_ENUMS.get(name),
    )
    for name, description in filters.FILTERS.items()
]
