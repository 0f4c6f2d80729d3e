"""API-key authentication, scopes and per-key throttling.

Keys come from djangorestframework-api-key (hashed, shown once). The request's `auth` is the
`OrganisationAPIKey`; every queryset of this package is scoped through `request.auth.organisation`.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework_api_key.permissions import KeyParser

from analytics.models import OrganisationAPIKey
from survey.services.audit import audit_actor_set

# Used when a settings module defines no "api_key" rate.
DEFAULT_RATE = "6000/minute"


class APIKeyAuthentication(authentication.BaseAuthentication):
    keyword = KeyParser.keyword

    def authenticate(self, request: Request) -> tuple[None, OrganisationAPIKey] | None:
        key = KeyParser().get_from_authorization(request)
        if key is None:
            return None
        try:
            # `get_from_key` skips revoked keys, so a revocation takes effect on the next request.
            api_key = OrganisationAPIKey.objects.get_from_key(key)
        except OrganisationAPIKey.DoesNotExist:
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.", code="invalid_key") from None
        if api_key.has_expired:
            raise exceptions.AuthenticationFailed("This API key has expired.", code="expired_key")
        # What this request changes is recorded as the key's doing (AuditActorMiddleware resets it).
        audit_actor_set(f"api-key:{api_key.prefix} {api_key.name}")
        return None, api_key

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (not 403) when the key is missing.
        return self.keyword


class APIKeyScheme(OpenApiAuthenticationExtension):
    target_class = APIKeyAuthentication
    name = "ApiKey"

    def get_security_definition(self, auto_schema: object) -> dict:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`; create one with `manage.py create_api_key`.",
        }


class HasReadScope(permissions.BasePermission):
    """Any valid key: both scopes read aggregates."""

    def has_permission(self, request: Request, view: object) -> bool:
        return isinstance(request.auth, OrganisationAPIKey)


class HasAdminScope(permissions.BasePermission):
    message = "This endpoint needs an API key with the `admin` scope."
    code = "admin_scope_required"

    def has_permission(self, request: Request, view: object) -> bool:
        return isinstance(request.auth, OrganisationAPIKey) and request.auth.scope == OrganisationAPIKey.Scope.ADMIN


class APIKeyThrottle(throttling.SimpleRateThrottle):
    """One bucket per key (by its public prefix), whatever the client's address."""

    scope = "api_key"

    def get_rate(self) -> str:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope) or DEFAULT_RATE

    def get_cache_key(self, request: Request, view: object) -> str | None:
        if not isinstance(request.auth, OrganisationAPIKey):
            return None  # unauthenticated requests fail before they cost anything
        return self.cache_format % {"scope": self.scope, "ident": request.auth.prefix}
