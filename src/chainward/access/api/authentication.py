"""API authentication with hashed tokens: `Authorization: Token cw_…`."""

from datetime import timedelta

from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.permissions import SAFE_METHODS

from chainward.access.models import ApiToken
from chainward.access.services import has_current_role

# A busy integration should not write on every call: last use is recorded at most this often.
LAST_USED_PRECISION = timedelta(minutes=1)
READ_ONLY = ("This token is read-only: it may only read (GET, HEAD, OPTIONS). Create a "
             "read-and-write token under Account → API tokens to change records.")


class TokenAuthentication(authentication.TokenAuthentication):
    """Looks a token up by the SHA-256 of the presented secret; refuses (401) expired and
    revoked tokens and tokens of people whose roles have all ended, and (403) any change made
    with a read-only token."""

    keyword = "Token"

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and result[1].read_only and request.method not in SAFE_METHODS:
            # Refused here rather than by a permission class: no view's own permission
            # classes can forget it.
            raise exceptions.PermissionDenied(READ_ONLY)
        return result

    def authenticate_credentials(self, key):
        digest = ApiToken.hash(key)
        token = ApiToken.objects.select_related("user").filter(digest=digest).first()
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if token.is_revoked:
            raise exceptions.AuthenticationFailed(
                "Token revoked: create a new one under Account → API tokens.")
        if token.is_expired:
            raise exceptions.AuthenticationFailed(
                "Token expired: create a new one under Account → API tokens.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive.")
        if not has_current_role(token.user):
            raise exceptions.AuthenticationFailed(
                "Your access has ended: you have no current role in any organisation.")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
            token.last_used_at = now
            token.save(update_fields=["last_used_at"])
        return token.user, token
