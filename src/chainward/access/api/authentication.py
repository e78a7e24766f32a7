"""API authentication with hashed tokens: `Authorization: Token cw_…`."""

from django.utils import timezone
from rest_framework import authentication, exceptions

from chainward.access.models import ApiToken


class TokenAuthentication(authentication.TokenAuthentication):
    """Looks a token up by the SHA-256 of the presented secret."""

    keyword = "Token"

    def authenticate_credentials(self, key):
        digest = ApiToken.hash(key)
        token = ApiToken.objects.select_related("user").filter(digest=digest).first()
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if token.expires_at and token.expires_at < timezone.now():
            raise exceptions.AuthenticationFailed("Token expired.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive.")
        # Record use at most once an hour: a busy integration should not write on every call.
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 3600:
            token.last_used_at = now
            token.save(update_fields=["last_used_at"])
        return token.user, token
