"""API authentication with hashed tokens: `Authorization: Token cw_…`."""

from django.utils import timezone
from rest_framework import authentication, exceptions

from chainward.access.models import ApiToken
from chainward.access.services import has_current_role


class TokenAuthentication(authentication.TokenAuthentication):
    """Looks a token up by the SHA-256 of the presented secret; refuses expired tokens and
    tokens of people whose roles have all ended."""

    keyword = "Token"

    def authenticate_credentials(self, key):
        digest = ApiToken.hash(key)
        token = ApiToken.objects.select_related("user").filter(digest=digest).first()
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if token.is_expired:
            raise exceptions.AuthenticationFailed(
                "Token expired: create a new one under Account → API tokens.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive.")
        if not has_current_role(token.user):
            raise exceptions.AuthenticationFailed(
                "Your access has ended: you have no current role in any organisation.")
        # Record use at most once an hour: a busy integration should not write on every call.
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 3600:
            token.last_used_at = now
            token.save(update_fields=["last_used_at"])
        return token.user, token
