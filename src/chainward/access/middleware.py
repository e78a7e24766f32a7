"""Which organisation the user is working in; a one-time password must be replaced first;
two-step sign-in must be set up by those who need it; when a session was last seen."""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from chainward.core.scope import SESSION_KEY, organisations_of

from . import mfa, sessions
from .sso.services import counts_as_two_step as sso_counts_as_two_step


def active_organisation(request):
    """The organisation chosen in the session, else the user's first; None without any role."""
    from chainward.supplychain.models import Organisation

    user = request.user
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        allowed = Organisation.objects.filter(archived=False)
    else:
        allowed = Organisation.objects.filter(pk__in=organisations_of(user), archived=False)
    chosen = request.session.get(SESSION_KEY)
    return (chosen and allowed.filter(pk=chosen).first()) or allowed.order_by("name").first()


class OrganisationMiddleware:
    """Sets `request.organisation`, lazily."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.organisation = SimpleLazyObject(lambda: active_organisation(request))
        return self.get_response(request)


class PasswordChangeRequiredMiddleware:
    """Someone logged in with a one-time password may only choose a new one (or log out)."""

    ALLOWED = ("access:password_change", "logout")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = {reverse(name) for name in self.ALLOWED}
            if request.path not in allowed and not request.path.startswith(settings.STATIC_URL):
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": "Choose your own password at "
                                         f"{reverse('access:password_change')} first."},
                                        status=403)
                return redirect("access:password_change")
        return self.get_response(request)


class SessionActivityMiddleware:
    """Keeps the person's session list current: last seen (at most once a minute) and the
    session key Django rotates when the password changes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        key_before = session.session_key if session is not None else None
        response = self.get_response(request)
        sessions.touch(request, key_before)
        return response


class TwoStepRequiredMiddleware:
    """Someone who must use two-step sign-in (access.mfa.two_step_required) and whose session
    has not passed it may only set it up, change a one-time password, or log out; the API
    answers 403 with where to do it. API calls with a token carry no session and pass.

    One query per signed-in request: the device check of django-otp's middleware when the
    session is verified, else the role check."""

    ALLOWED = ("access:two_step", "access:password_change", "logout",
               # a security key as the first second step (access/passkeys.py)
               "access:passkey_register_begin", "access:passkey_register_complete",
               "access:passkey_name", "access:passkey_catalog")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and not mfa.is_verified(request)
                and not sso_counts_as_two_step(request)
                and not self._allowed(request.path) and mfa.two_step_required(user)):
            setup = reverse("access:two_step")
            if request.headers.get("HX-Request"):
                # A fragment the page loads (the notification badge, a panel) stays empty
                # (204: htmx swaps nothing), never redirected — htmx would follow the redirect
                # and put the whole set-up page inside the fragment (it did, under load).
                return HttpResponse(status=204)
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "Two-step sign-in is required for your role or "
                                     f"organisation: set it up at {setup} first (API tokens "
                                     "are not affected)."}, status=403)
            return redirect(setup)
        return self.get_response(request)

    def _allowed(self, path):
        return path in {reverse(name) for name in self.ALLOWED} or \
            path.startswith(settings.STATIC_URL)
