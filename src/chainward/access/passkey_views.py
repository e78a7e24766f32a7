"""Pages and ceremony endpoints of security keys (access/passkeys.py has the rules).

The four ceremony endpoints are django-otp-webauthn's views, narrowed: registration is for the
signed-in person (the package refuses it to a session that has not passed an existing second
step); authentication serves only the second step of a login whose password was right
(access.mfa.pending_login) — no sign-in with a key alone — and ends as the code form of
access.login.TwoStepLoginView does: login throttle, our login, the verified mark."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.middleware import csrf
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import exceptions
from django_otp_webauthn import views as webauthn_views

from . import mfa, passkeys, throttle
from .login import LOCKED, remember_browser


def script_config(request):
    """What django-otp-webauthn's browser script reads from the page (the text of the element
    #otp_webauthn_config, a hidden div here: no inline script element): our endpoints and the
    CSRF token."""
    return {
        "beginRegistrationUrl": reverse("access:passkey_register_begin"),
        "completeRegistrationUrl": reverse("access:passkey_register_complete"),
        "beginAuthenticationUrl": reverse("access:passkey_login_begin"),
        "completeAuthenticationUrl": reverse("access:passkey_login_complete"),
        "autocompleteLoginFieldSelector": None,
        "nextFieldSelector": "input[name='next']",
        "csrfToken": csrf.get_token(request),
    }


class Refused(exceptions.OTPWebAuthnApiError):
    """A ceremony this session may not start (JSON 403 with the reason)."""

    status_code = 403


class Locked(exceptions.OTPWebAuthnApiError):
    """Too many failed attempts (the login throttle): JSON 429."""

    status_code = 429


# The package's translated messages for its script (it calls gettext()).
catalog = JavaScriptCatalog.as_view(packages=["django_otp_webauthn"])


# --- registration (Account -> Two-step sign-in) --------------------------------------------------
class _Registration:
    def check_can_register(self):
        if not passkeys.available():
            raise Refused(
                "Security keys need the site on https (WEBAUTHN_ORIGINS).", code="unavailable"
            )


class RegisterBegin(_Registration, webauthn_views.BeginCredentialRegistrationView):
    """Options for the browser to create a key (the challenge stays in the session)."""


class RegisterComplete(_Registration, webauthn_views.CompleteCredentialRegistrationView):
    """Verify and save the new key (passkeys.KeyHelper ledgers it); the session counts as
    verified with it if it was not (the person just proved they hold it)."""


@login_required
@require_POST
def name_key(request):
    """After a key was registered (the script submits this form with its id): its name; for a
    first second step, the recovery codes, shown once."""
    if not request.POST.get("device"):
        messages.error(
            request, "Press “Add a security key” and touch your key: a name alone adds nothing."
        )
        return redirect("access:two_step")
    try:
        device = passkeys.own_key(request.user, request.POST.get("device"))
        passkeys.name_key(request.user, device, request.POST.get("name"))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("access:two_step")
    codes = passkeys.first_recovery_codes(request.user)
    messages.success(request, f"Security key “{device.name}” added.")
    if codes:
        return render(request, "access/two_step_codes.html", {"codes": codes})
    return redirect("access:two_step")


@login_required
@require_POST
def remove_key(request, pk):
    """Remove one of one's keys (after signing in with a second step)."""
    if not mfa.is_verified(request):
        messages.error(request, "Sign in with your second step first to remove a key.")
        return redirect("access:two_step")
    device = passkeys.own_key(request.user, pk)
    try:
        off = passkeys.remove_key(request, device)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("access:two_step")
    messages.success(
        request,
        f"Security key “{device.name}” removed." + (" Two-step sign-in is now off." if off else ""),
    )
    return redirect("access:two_step")


# --- the second step at login --------------------------------------------------------------------
class _SecondStep:
    """Only for a login whose password was right less than MFA_LOGIN_SECONDS ago."""

    def initial(self, request, *args, **kwargs):
        self.pending = mfa.pending_login(request)
        super().initial(request, *args, **kwargs)

    def get_user(self):
        return self.pending[0] if self.pending else None

    def check_can_authenticate(self):
        if self.pending is None:
            raise Refused("Sign in with your e-mail and password first.", code="no_pending_login")
        self.attempt = throttle.Attempt(self.request, self.pending[0].email)
        if self.attempt.is_refused():
            raise Locked(LOCKED, code="locked")
        super().check_can_authenticate()


class LoginBegin(_SecondStep, webauthn_views.BeginCredentialAuthenticationView):
    """Options for the browser to sign with one of the pending person's keys."""


class LoginComplete(_SecondStep, webauthn_views.CompleteCredentialAuthenticationView):
    """Check the key's signature (django-otp-webauthn on py_webauthn), then sign the person
    in; a refused signature counts in the login throttle as a wrong code does."""

    def handle_exception(self, exc):
        if (
            isinstance(exc, exceptions.OTPWebAuthnApiError)
            and getattr(self, "attempt", None)
            and exc.code not in {"locked", "invalid_state"}
        ):
            self.attempt.failed()
        return super().handle_exception(exc)

    def complete_auth(self, device):
        user, backend, _next = self.pending
        self.attempt.succeeded()
        mfa.end_pending(self.request)
        auth_login(self.request, user, backend=backend)
        mfa.mark_verified(self.request, device)

    def get_success_url(self):
        redirect_to = self.pending[2]
        if getattr(self.request.user, "must_change_password", False):
            return reverse("access:password_change")
        if redirect_to and url_has_allowed_host_and_scheme(
            redirect_to,
            allowed_hosts={self.request.get_host()},
            require_https=self.request.is_secure(),
        ):
            return redirect_to
        return resolve_url(settings.LOGIN_REDIRECT_URL)

    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        return remember_browser(response, self.pending[0])


def page_context(request):
    """The security-key part of the two-step pages (set-up and login)."""
    return {
        "passkeys_available": passkeys.available(),
        "passkey_config": json.dumps(script_config(request)),
    }
