"""The login page's single sign-on: e-mail domain → provider (OpenID Connect or SAML 2.0) →
back here with a code (OIDC callback) or a signed response (SAML ACS).

Authlib does the protocol: state and PKCE kept in the session, the code exchanged at the token
endpoint, the ID token checked (signature against the provider's JWKS, iss, aud, nonce, exp).
What we decide (sso.services): who that person is here, and whether they may come in.

Two-step sign-in after single sign-on: the provider's authentication replaces the password,
not the second step. Someone with an authenticator is asked for its code as after a password
— unless the organisation says its provider enforces multi-factor sign-in, then the session
counts as two-step (sso.services.counts_as_two_step; access.middleware agrees).
"""

import logging

import requests
from authlib.common.errors import AuthlibBaseError
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from joserfc.errors import JoseError

from chainward.access import mfa
from chainward.access.login import remember_browser

from . import saml, services
from .models import OidcProvider, SamlProvider

log = logging.getLogger(__name__)
FLOW_KEY = "sso:flow"  # {"provider": pk, "next": url} while at the provider
UNUSABLE = (
    "Single sign-on through {provider} is not working on this Chainward just now (its "
    "settings need attention). Ask your organisation's Chainward administrator to open the "
    "provider's page; meanwhile you cannot sign in through it."
)
DENIED = (
    "{provider} did not let you in (it answered “{error}”). If you should have access, "
    "ask your IT department to allow you to use Chainward."
)


def _safe_next(request, url):
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


@require_POST
def start(request):
    """Send an address of a routed domain to its provider; any other back to the password."""
    email = (request.POST.get("email") or "").strip()
    provider = services.provider_for_email(email)
    if provider is None:
        messages.info(
            request,
            "Your organisation does not use single sign-on here: log in "
            "with your e-mail and password.",
        )
        return redirect("login")
    next_url = _safe_next(request, request.POST.get("next"))
    try:
        if isinstance(provider, SamlProvider):
            url = saml.start_url(request, provider, email, next_url)
        else:
            request.session[FLOW_KEY] = {"provider": provider.pk, "next": next_url}
            url = services.oauth_client(provider).authorize_redirect(
                request, request.build_absolute_uri(reverse("sso:callback")), login_hint=email
            )["Location"]
    except services.SecretUnreadable as unreadable:
        log.error("single sign-on start with %s impossible: %s", provider, unreadable)
        messages.error(request, UNUSABLE.format(provider=provider))
        return redirect("login")
    except (
        requests.RequestException,
        AuthlibBaseError,
        ValidationError,
        saml.SamlFailure,
        ValueError,
        KeyError,
        RuntimeError,
    ) as error:
        log.warning("single sign-on start with %s failed: %s", provider, error)
        messages.error(
            request,
            f"{provider} cannot be reached just now; try again later or ask your IT department.",
        )
        return redirect("login")
    # Not a redirect: the login page's CSP (form-action 'self') forbids a form's redirect to
    # another origin. The page moves on by itself (Refresh) or by its link.
    response = render(request, "sso/redirect.html", {"provider": provider, "url": url})
    response["Refresh"] = f"0;url={url}"
    return response


@require_GET
def callback(request):
    """The provider's answer: refusals become messages on the login page, never errors."""
    flow = request.session.pop(FLOW_KEY, None)
    provider = (
        OidcProvider.objects.filter(pk=(flow or {}).get("provider"), archived=False)
        .select_related("organisation")
        .first()
    )
    if provider is None:
        messages.error(
            request,
            "This single sign-on answer does not belong to a sign-in "
            "started here. Start again from the login page.",
        )
        return redirect("login")
    error = request.GET.get("error")
    if error:
        return _refuse(
            request,
            provider,
            DENIED.format(provider=provider, error=error),
            reason=f"provider answered {error}",
        )
    try:
        token = services.oauth_client(provider).authorize_access_token(
            request, claims_options=services.id_token_claims_options(provider)
        )
        claims = token.get("userinfo")
        if not claims:
            raise ValueError("no ID token in the token response")
        user = services.person_for_claims(provider, claims)
    except services.SignInRefused as refused:
        return _refuse(request, provider, str(refused), reason=str(refused))
    except services.SecretUnreadable as unreadable:
        log.error("single sign-on with %s impossible: %s", provider, unreadable)
        return _refuse(
            request,
            provider,
            UNUSABLE.format(provider=provider),
            reason="client secret unreadable",
        )
    except (
        AuthlibBaseError,
        JoseError,
        requests.RequestException,
        ValueError,
        KeyError,
    ) as failure:
        log.warning("single sign-on with %s refused: %r", provider.issuer, failure)
        return _refuse(
            request,
            provider,
            f"The answer from {provider} could not be "
            "verified, so you are not signed in. Start again from the login page.",
            reason=f"not verified: {type(failure).__name__}",
        )
    return _signed_in(request, provider, user, provider.issuer, flow.get("next") or "")


def _signed_in(request, provider, user, issuer, redirect_to):
    """Either kind of provider vouched for `user`: ledgered, then the second step (unless the
    provider enforces it) or the session."""
    services.record_sign_in(request, provider, user, issuer)
    user.backend = settings.AUTHENTICATION_BACKENDS[0]
    marker = {"provider": provider.pk, "mfa": provider.provider_enforces_mfa}
    if mfa.has_two_step(user) and not provider.provider_enforces_mfa:
        mfa.start_pending(request, user, redirect_to)
        # Kept by the login that follows the code (same session, its key rotated).
        request.session[services.SESSION_KEY] = marker
        return redirect("access:two_step_login")
    auth_login(request, user, backend=user.backend)
    request.session[services.SESSION_KEY] = marker
    target = redirect_to or resolve_url(settings.LOGIN_REDIRECT_URL)
    return remember_browser(redirect(target), user)


@require_GET
def saml_metadata(request, pk):
    """Chainward's service-provider metadata for one SAML provider (to give the provider)."""
    provider = get_object_or_404(SamlProvider, pk=pk, archived=False)
    try:
        xml = saml.sp_metadata(request, provider)
    except saml.SamlFailure as failure:
        return HttpResponse(str(failure), status=503, content_type="text/plain")
    return HttpResponse(xml, content_type="application/samlmetadata+xml")


@csrf_exempt  # the provider's cross-site POST; the signed response and InResponseTo protect it
@require_POST
def saml_acs(request, pk):
    """The SAML provider's answer (HTTP-POST): refusals become messages on the login page."""
    provider = (
        SamlProvider.objects.filter(pk=pk, archived=False).select_related("organisation").first()
    )
    if provider is None:
        messages.error(request, "This single sign-on answer is for no provider configured here.")
        return redirect("login")
    try:
        claims, issuer, redirect_to = saml.verify_response(
            request, provider, request.POST.get("SAMLResponse", "")
        )
        user = services.person_for_claims(provider, claims)
    except services.SignInRefused as refused:
        return _refuse(request, provider, str(refused), reason=str(refused))
    except saml.SamlFailure as failure:
        log.warning("SAML single sign-on with %s refused: %s", provider, failure)
        return _refuse(
            request,
            provider,
            f"The answer from {provider} could not be "
            "verified, so you are not signed in. Start again from the login page.",
            reason=f"not verified: {failure}",
        )
    return _signed_in(request, provider, user, issuer, _safe_next(request, redirect_to))


def _refuse(request, provider, message, *, reason):
    services.record_refusal(request, provider, reason)
    messages.error(request, message)
    return redirect("login")
