"""Reading the roll-ups for a report (issue 24), by area: the core figures (core), the
period before (compared), satisfaction and money. Callers use `queries.<name>`."""

from portico.reports.queries.compared import (
    Compared,
    merged,
    people_compared,
    products_compared,
)
from portico.reports.queries.core import (
    NONE_LABEL,
    Day,
    MonthShare,
    Period,
    PersonRow,
    Row,
    SelfService,
    active_portal_users,
    channels_by_month,
    days,
    figures,
    knowledge_gaps,
    label_of,
    months_of,
    people,
    self_service,
    top_figures,
    total,
)
from portico.reports.queries.money import (
    CENT,
    MONEY_DIMENSIONS,
    MoneyRow,
    money,
    money_total,
)
from portico.reports.queries.satisfaction import (
    Satisfaction,
    satisfaction,
    satisfaction_total,
)

__all__ = [
    "CENT",
    "MONEY_DIMENSIONS",
    "NONE_LABEL",
    "Compared",
    "Day",
    "MoneyRow",
    "MonthShare",
    "Period",
    "PersonRow",
    "Row",
    "Satisfaction",
    "SelfService",
    "active_portal_users",
    "channels_by_month",
    "days",
    "figures",
    "knowledge_gaps",
    "label_of",
    "merged",
    "money",
    "money_total",
    "months_of",
    "people",
    "people_compared",
    "products_compared",
    "satisfaction",
    "satisfaction_total",
    "self_service",
    "top_figures",
    "total",
]
