"""Rate limits, counted in the default cache (shared by every process): per token when
a token is used, so each script has its own allowance, else per log-in; per address
for anonymous callers. Rates come from REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], read
on each request so that settings changes apply without a restart of this module."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from portico.api.models import ApiToken


class _SettingsRate(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        rates: dict[str, Any] = api_settings.DEFAULT_THROTTLE_RATES
        rate = rates.get(str(self.scope))
        return None if rate is None else str(rate)


class PersonRateThrottle(_SettingsRate):
    scope = "person"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not request.user or not request.user.is_authenticated:
            return None
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        else:
            ident = f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonymousRateThrottle(_SettingsRate):
    scope = "anonymous"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        # The address portico.operations.proxy believed, not DRF's get_ident: that reads
        # X-Forwarded-For as sent, which a caller writes afresh for a new allowance.
        ident = request.META.get("REMOTE_ADDR", "")
        return self.cache_format % {"scope": self.scope, "ident": ident}
