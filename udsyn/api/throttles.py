"""The API's rate limits (DRF throttles), counted in a cache the processes of one machine share
(``CACHES["throttle"]``) and by the real client address (udsyn.core.requests.client_address). Rates are
``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` (UDSYN_API_*_RATE); an answer over the limit is 429 with
Retry-After."""

from typing import Any

from django.core.cache import caches
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle

from udsyn.core.requests import client_address


class _Shared:
    @property
    def cache(self) -> Any:
        return caches["throttle"]

    @property
    def THROTTLE_RATES(self) -> dict[str, str]:  # noqa: N802 - DRF's name; read when asked, not at import
        return dict(api_settings.DEFAULT_THROTTLE_RATES)

    def get_ident(self, request: Any) -> str:
        return client_address(request)


class AnonThrottle(_Shared, AnonRateThrottle):
    """Anonymous callers, per address."""


class UserThrottle(_Shared, UserRateThrottle):
    """Signed-in callers, per user."""


class TokenThrottle(_Shared, ScopedRateThrottle):
    """``POST /api/token/``, per address (beside django-axes' lockout of failed passwords)."""

    scope_attr = "throttle_scope"
