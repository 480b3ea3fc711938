"""What goes over the wire. Input serializers only parse (types, lengths, lookups by
code or id within what the person may see); the rules are the services'. Output
serializers show what the portal or console page shows, nothing more."""

from portico.api.serializers.common import (
    CodeNameSerializer,
    MoneyAmount,
    PartyRefSerializer,
    StatusRefSerializer,
    TypedText,
)
from portico.api.serializers.filters import (
    TRANSACTION_FILTERS,
)
from portico.api.serializers.parties import (
    IndividualSerializer,
    OrganizationSerializer,
)
from portico.api.serializers.setup import (
    ApplicationSerializer,
    ChoiceSerializer,
    ClassificationSerializer,
    PermissionSerializer,
    PrioritySerializer,
    ProfileFieldSerializer,
    StatusSerializer,
)
from portico.api.serializers.tokens import (
    NewTokenSerializer,
    TokenCreateSerializer,
    TokenSerializer,
)
from portico.api.serializers.transactions import (
    AssignSerializer,
    AttachmentSerializer,
    AttachmentUploadSerializer,
    EventSerializer,
    GrantCreateSerializer,
    GrantSerializer,
    NoteCreateSerializer,
    NoteSerializer,
    ProfileValuesField,
    ProfileValueText,
    ReasonSerializer,
    RelatedTransactionSerializer,
    RelationCreateSerializer,
    StatusChangeSerializer,
    TransactionCreateSerializer,
    TransactionDetailSerializer,
    TransactionSerializer,
    TransactionUpdateSerializer,
)

__all__ = [
    "TRANSACTION_FILTERS",
    "ApplicationSerializer",
    "AssignSerializer",
    "AttachmentSerializer",
    "AttachmentUploadSerializer",
    "ChoiceSerializer",
    "ClassificationSerializer",
    "CodeNameSerializer",
    "EventSerializer",
    "GrantCreateSerializer",
    "GrantSerializer",
    "IndividualSerializer",
    "MoneyAmount",
    "NewTokenSerializer",
    "NoteCreateSerializer",
    "NoteSerializer",
    "OrganizationSerializer",
    "PartyRefSerializer",
    "PermissionSerializer",
    "PrioritySerializer",
    "ProfileFieldSerializer",
    "ProfileValueText",
    "ProfileValuesField",
    "ReasonSerializer",
    "RelatedTransactionSerializer",
    "RelationCreateSerializer",
    "StatusChangeSerializer",
    "StatusRefSerializer",
    "StatusSerializer",
    "TokenCreateSerializer",
    "TokenSerializer",
    "TransactionCreateSerializer",
    "TransactionDetailSerializer",
    "TransactionSerializer",
    "TransactionUpdateSerializer",
    "TypedText",
]
