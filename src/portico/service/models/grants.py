"""Who may do what with one transaction: a permission given to an individual or an
organisation (seed 000)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from portico.parties.models import Individual, Organization
from portico.service.models.setup import Permission
from portico.service.models.transactions import Transaction


class Grant(models.Model):
    """A row of Individual and Organization Permissions on one transaction (seed 000)."""

    transaction = models.ForeignKey(Transaction, on_delete=models.CASCADE, related_name="grants")
    individual = models.ForeignKey(
        Individual, null=True, blank=True, on_delete=models.CASCADE, related_name="grants"
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="grants"
    )
    permission = models.ForeignKey(Permission, on_delete=models.PROTECT, related_name="grants")
    granted_at = models.DateTimeField(default=timezone.now, editable=False)
    granted_by = models.ForeignKey(
        Individual, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(individual__isnull=False, organization__isnull=True)
                    | Q(individual__isnull=True, organization__isnull=False)
                ),
                name="grant_one_principal",
            ),
            models.UniqueConstraint(
                fields=["transaction", "individual", "permission"],
                condition=Q(individual__isnull=False),
                name="grant_individual_unique",
            ),
            models.UniqueConstraint(
                fields=["transaction", "organization", "permission"],
                condition=Q(organization__isnull=False),
                name="grant_organization_unique",
            ),
        ]
        indexes = [
            # "Which transactions may this person see?" starts from the principal. The
            # permission is in the key so the answer comes from the index alone: the
            # busiest organisation's 11,000 grants in 1 ms rather than 8 (scale L).
            models.Index(
                fields=["individual", "transaction", "permission"], name="grant_individual_access"
            ),
            models.Index(
                fields=["organization", "transaction", "permission"],
                name="grant_organization_access",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.principal} – {self.permission}"

    @property
    def principal(self) -> Individual | Organization:
        principal = self.individual or self.organization
        assert principal is not None
        return principal
