"""Logging in, changing and resetting passwords (Django's views, our rules and templates)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy

from chainward.ledger.context import acting_as
from chainward.ledger.services import append_entry

from . import sessions, throttle
from .services import has_current_role

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
        attempt.succeeded()
        return cleaned

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not has_current_role(user):
            raise ValidationError(self.error_messages["no_role"], code="no_role")


class LoginView(auth_views.LoginView):
    """Login; remembers the browser for the throttle; a one-time password leads to the
    password page."""

    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        response.set_cookie(
            throttle.DEVICE_COOKIE, throttle.device_cookie(user.email),
            max_age=throttle.DEVICE_MAX_AGE, httponly=True, samesite="Lax",
            secure=getattr(settings, "SESSION_COOKIE_SECURE", False))
        return response

    def get_success_url(self):
        if getattr(self.request.user, "must_change_password", False):
            return reverse("access:password_change")
        return super().get_success_url()


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


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password (also where a one-time password must be replaced)."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        # The session key as recorded at login; Django rotates it while keeping this session.
        current = self.request.session.session_key
        response = super().form_valid(form)
        _password_set(form.user, "password_changed", keep_session=current)
        messages.success(self.request, "Your password has been changed.")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link by e-mail (same answer for any address). One client address asks
    at most LOGIN_ADDRESS_FAILURE_LIMIT times per window, so nobody floods a mailbox."""

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

    def form_valid(self, form):
        response = super().form_valid(form)
        _password_set(form.user, "password_reset")
        return response
