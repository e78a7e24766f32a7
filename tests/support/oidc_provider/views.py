"""The provider's claims (e-mail, name, groups) and its refusal of people in the group
"blocked" (error=access_denied, as an identity provider answers someone not assigned to the
application)."""

from urllib.parse import urlencode

from django.http import HttpResponseRedirect
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.views import AuthorizationView


class ClaimsValidator(OAuth2Validator):
    """Every claim in the ID token whatever the scopes."""

    oidc_claim_scope = None

    def get_additional_claims(self, request):
        user = request.user
        return {
            "email": user.email,
            "name": user.get_full_name() or user.username,
            "groups": sorted(g.name for g in user.groups.all()),
        }


class RefusingAuthorizationView(AuthorizationView):
    """Django-oauth-toolkit's authorization endpoint, which answers access_denied for members
    of "blocked"."""

    def get(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.groups.filter(name="blocked").exists():
            scopes, credentials = self.validate_authorization_request(request)
            query = urlencode(
                {
                    "error": "access_denied",
                    "state": credentials.get("state", ""),
                    "error_description": "not assigned to this application",
                }
            )
            return HttpResponseRedirect(f"{credentials['redirect_uri']}?{query}")
        return super().get(request, *args, **kwargs)
