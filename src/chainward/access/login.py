"""Logging in, changing and resetting passwords (Django's views, our rules and templates)."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import FormView

from chainward.ledger.context import acting_as
from chainward.ledger.services import append_entry

from . import mfa, sessions, throttle
from .models import User
from .services import has_current_role
from .sso import services as sso

LOCKED = ("Too many failed attempts to log in to this account from here. Wait 15 minutes and "
          "try again, or reset your password.")
NO_ROLE = ("Your access has ended: you have no current role in any organisation. Ask your "
           "organisation's administrator to renew it.")


class LoginForm(AuthenticationForm):
    """E-mail and password, throttled (access/throttle.py); people without a role are told so
    only once their password is right."""

    error_messages = {**AuthenticationForm.error_messages, "locked": LOCKED, "no_role": NO_ROLE}

    def clean(self):
        attempt = throttle.Attempt(self.request, self.cleaned_data.get("username") or "")
        if attempt.email and attempt.is_refused():
            raise ValidationError(self.error_messages["locked"], code="locked")
        try:
            cleaned = super().clean()
        except ValidationError as error:
            if error.code == "invalid_login" and attempt.email:
                attempt.failed()
            raise
        if self.user_cache is None or not mfa.has_two_step(self.user_cache):
            # With two-step sign-in the count is cleared only once the code is right too, so
            # wrong passwords and wrong codes add up (TwoStepLoginView).
            attempt.succeeded()
        return cleaned

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not has_current_role(user):
            raise ValidationError(self.error_messages["no_role"], code="no_role")
        provider = sso.password_login_refused(user)
        if provider is not None:
            raise ValidationError(sso.PASSWORDS_DISABLED.format(provider=provider),
                                  code="sso_only")


def remember_browser(response, user):
    """Mark this browser as one the account signed in from (the throttle spares it)."""
    response.set_cookie(
        throttle.DEVICE_COOKIE, throttle.device_cookie(user.email),
        max_age=throttle.DEVICE_MAX_AGE, httponly=True, samesite="Lax",
        secure=getattr(settings, "SESSION_COOKIE_SECURE", False))
    return response


class LoginView(auth_views.LoginView):
    """Login; remembers the browser for the throttle; someone with two-step sign-in is asked
    for a code next (TwoStepLoginView); a one-time password leads to the password page."""

    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if mfa.has_two_step(user):
            # Not signed in yet: the session only remembers whose password was right.
            mfa.start_pending(self.request, user, self.get_redirect_url())
            return redirect("access:two_step_login")
        return remember_browser(super().form_valid(form), user)

    def get_success_url(self):
        if getattr(self.request.user, "must_change_password", False):
            return reverse("access:password_change")
        return super().get_success_url()


class TwoStepForm(forms.Form):
    """The second step: a code from the authenticator app, or a recovery code."""

    code = forms.CharField(label="Code", max_length=40, strip=True,
                           help_text="The 6 digits your authenticator app shows, or one of "
                                     "your recovery codes.")


class TwoStepLoginView(FormView):
    """After the password: a code, checked by django-otp (throttled on the device) and
    counted by our login throttle when wrong; then the person is signed in."""

    form_class = TwoStepForm
    template_name = "registration/two_step_login.html"

    def dispatch(self, request, *args, **kwargs):
        self.pending = mfa.pending_login(request)
        if self.pending is None:
            messages.info(request, "Sign in with your e-mail and password first.")
            return redirect("login")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        from . import passkey_views, passkeys

        context = super().get_context_data(**kwargs)
        if passkeys.available() and passkeys.has_key(self.pending[0]):
            # The person's security keys work here too (access/passkey_views.py).
            context.update(passkey_views.page_context(self.request), has_key=True)
        return context

    def form_valid(self, form):
        user, backend, redirect_to = self.pending
        attempt = throttle.Attempt(self.request, user.email)
        if attempt.is_refused():
            form.add_error("code", LOCKED)
            return self.form_invalid(form)
        try:
            device = mfa.verify_second_step(user, form.cleaned_data["code"])
        except ValidationError as error:
            if error.code == "wrong_code":
                attempt.failed()
            form.add_error("code", error)
            return self.form_invalid(form)
        attempt.succeeded()
        mfa.end_pending(self.request)
        auth_login(self.request, user, backend=backend)
        mfa.mark_verified(self.request, device)
        if device.name == mfa.RECOVERY_NAME:
            left = mfa.recovery_codes_left(user)
            messages.warning(self.request, f"You signed in with a recovery code; it is now used "
                             f"up ({left} left). Replace them under Account → Two-step "
                             "sign-in if you are running out.")
        return remember_browser(redirect(self._success_url(redirect_to)), user)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def _success_url(self, redirect_to):
        if getattr(self.request.user, "must_change_password", False):
            return reverse("access:password_change")
        if redirect_to and url_has_allowed_host_and_scheme(
                redirect_to, allowed_hosts={self.request.get_host()},
                require_https=self.request.is_secure()):
            return redirect_to
        return resolve_url(settings.LOGIN_REDIRECT_URL)


def _password_set(user, action, keep_session=None):
    """Clear a pending forced change, ledger that the person chose a password, and end their
    other sessions (Django's session hash already refuses them; this keeps the list true)."""
    with acting_as(user), transaction.atomic():
        if user.must_change_password:
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])
        append_entry(action, object_type="access.user", object_id=user.pk,
                     object_repr=user.email)
        sessions.end_other_sessions(user, keep_session, reason="password changed")


SSO_ONLY_TEMPLATE = "access/password_sso_only.html"


def sso_only_page(request, provider, *, status=200):
    """Instead of a password form: the person's organisation signs in through its provider."""
    return render(request, SSO_ONLY_TEMPLATE, {"provider": provider}, status=status)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password (also where a one-time password must be replaced); members
    of an organisation whose provider disables local passwords are told to use it instead
    (sso.password_login_refused: a password would not let them in)."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("home")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            provider = sso.password_login_refused(request.user)
            if provider is not None:
                return sso_only_page(request, provider,
                                     status=200 if request.method == "GET" else 403)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        # The session key as recorded at login; Django rotates it while keeping this session.
        current = self.request.session.session_key
        response = super().form_valid(form)
        _password_set(form.user, "password_changed", keep_session=current)
        messages.success(self.request, "Your password has been changed.")
        return response


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset request, except for members of an organisation whose provider disables
    local passwords: they get an e-mail saying to sign in through it, not a reset link (also
    those who never had a password, e.g. accounts made on first single sign-on)."""

    def get_users(self, email):
        """Active accounts of the address that may reset a password or must be told not to."""
        email_field = User.get_email_field_name()
        active = User._default_manager.filter(**{f"{email_field}__iexact": email,
                                                 "is_active": True})
        return (user for user in active
                if auth_forms._unicode_ci_compare(email, getattr(user, email_field))
                and (user.has_usable_password() or sso.password_login_refused(user)))

    def send_mail(self, subject_template_name, email_template_name, context, from_email,
                  to_email, html_email_template_name=None):
        provider = sso.password_login_refused(context["user"])
        if provider is not None:
            # No uid, no token: nothing in this e-mail sets a password.
            context = {key: context[key] for key in ("email", "domain", "site_name", "protocol")}
            context["provider"] = provider
            subject_template_name = "access/password_sso_only_subject.txt"
            email_template_name = "access/password_sso_only_email.txt"
            html_email_template_name = None
        super().send_mail(subject_template_name, email_template_name, context, from_email,
                          to_email, html_email_template_name=html_email_template_name)


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link by e-mail (same answer for any address). One client address asks
    at most LOGIN_ADDRESS_FAILURE_LIMIT times per window, so nobody floods a mailbox."""

    form_class = PasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("access:password_reset_done")

    def form_valid(self, form):
        if throttle.count_reset_request(self.request) > settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return redirect(self.get_success_url())  # the same answer, no e-mail
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choose a new password from a reset link (the link works once)."""

    success_url = reverse_lazy("access:password_reset_complete")

    def render_to_response(self, context, **response_kwargs):
        # A link sent before the organisation disabled local passwords sets none.
        provider = self._sso_provider()
        if provider is not None:
            return sso_only_page(self.request, provider)
        return super().render_to_response(context, **response_kwargs)

    def form_valid(self, form):
        provider = self._sso_provider()
        if provider is not None:
            return sso_only_page(self.request, provider, status=403)
        response = super().form_valid(form)
        _password_set(form.user, "password_reset")
        return response

    def _sso_provider(self):
        user = getattr(self, "user", None)
        if not getattr(self, "validlink", False) or user is None:
            return None
        return sso.password_login_refused(user)
