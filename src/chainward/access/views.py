"""Pages of people and access: invitations, the user's own API tokens and sessions, and the
register views that differ from the generic ones (people are invited, not created; the last
administrator stays)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from chainward.core.scope import SESSION_KEY
from chainward.core.views import ObjectArchiveView, RegisterView

from . import invitations, mfa, services, sessions, throttle
from .forms import AcceptWithPasswordForm, InvitationForm, NewAccountForm
from .login import LOCKED
from .models import TokenScope, User


# --- API tokens ----------------------------------------------------------------------------------
@login_required
def tokens(request):
    """List the user's tokens; POST issues a new one whose secret is shown once."""
    secret, status = None, 200
    if request.method == "POST":
        try:
            days = int(request.POST.get("days") or settings.API_TOKEN_DAYS)
            _, secret = services.issue_token(
                request.user, request.POST.get("name", ""), days=days,
                scope=request.POST.get("scope") or TokenScope.READ_ONLY)
        except (ValueError, OverflowError):
            messages.error(request, "Give the lifetime as a number of days.")
            status = 400
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            status = 400
        except PermissionDenied as denied:
            messages.error(request, str(denied))
            status = 403
    return render(request, "access/tokens.html", {
        "tokens": request.user.api_tokens.all(), "secret": secret,
        "default_days": settings.API_TOKEN_DAYS, "max_days": settings.API_TOKEN_MAX_DAYS,
        "scopes": TokenScope.choices, "chosen_scope": request.POST.get("scope")
        or TokenScope.READ_ONLY},
        status=status)


@login_required
@require_POST
def revoke_token(request, pk):
    """Revoke one of the user's tokens (someone else's is not found)."""
    token = get_object_or_404(request.user.api_tokens, pk=pk)
    services.revoke_token(request.user, token)
    messages.success(request, f"Revoked {token}; it no longer works.")
    return redirect("access:tokens")


# --- sessions ------------------------------------------------------------------------------------
@login_required
def session_list(request):
    """The person's signed-in sessions, this one marked."""
    current = request.session.session_key
    active = sessions.active_sessions(request.user)
    if current and not any(record.session_key == current for record in active):
        # Signed in before sessions were recorded: list this one too.
        active.insert(0, sessions.record_login(request, request.user))
    return render(request, "access/sessions.html", {
        "sessions": active, "current": current,
        "age_hours": settings.SESSION_COOKIE_AGE // 3600})


@login_required
@require_POST
def end_session(request, pk):
    """End one of the person's sessions (someone else's is not found)."""
    record = get_object_or_404(request.user.browser_sessions, pk=pk, ended_at=None)
    sessions.end_session(request.user, record)
    if record.session_key == request.session.session_key:
        logout(request)  # this browser's own session: nothing may save it again
        return redirect("login")
    messages.success(request, "That session has ended; its browser is signed out.")
    return redirect("access:sessions")


@login_required
@require_POST
def end_other_sessions(request):
    """End every session of the person except this one."""
    count = sessions.end_other_sessions(request.user, request.session.session_key)
    messages.success(request, f"{count} other session{'s' if count != 1 else ''} ended."
                     if count else "No other session was signed in.")
    return redirect("access:sessions")


# --- invitations -------------------------------------------------------------------------------
class InviteView(RegisterView):
    """The "add" page of People and roles: invite an address to a role."""

    template_name = "core/edit.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.organisation and not (
                self.register.can_add and self.can("add")):
            raise PermissionDenied("You may not add people to this organisation.")
        return super().dispatch(request, *args, **kwargs)

    def form(self, data=None):
        return InvitationForm(data, user=self.request.user,
                              organisation=self.request.organisation)

    def render_form(self, form, status=200):
        return render(self.request, self.template_name, self.context(
            form=form, object=None, invitation=True), status=status)

    def get(self, request, *args, **kwargs):
        return self.render_form(self.form())

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render_form(form, status=400)
        data = form.cleaned_data
        try:
            invitation, sent = invitations.invite_person(
                request.user, request.organisation, email=data["email"], role=data["role"],
                all_sites=data["all_sites"], sites=data["sites"],
                valid_until=data["valid_until"], full_name=data["full_name"],
                accept_url=lambda secret: request.build_absolute_uri(
                    reverse("access:invitation", args=[secret])))
        except ValidationError as error:
            for name, errors in error.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
            return self.render_form(form, status=400)
        # The same answer whether or not the address has an account.
        messages.success(request, f"Invitation sent to {invitation.email}. They join "
                                  f"{invitation.organisation} when they accept it (the link "
                                  f"works for {settings.INVITATION_DAYS} days).")
        if not sent:
            messages.warning(request, "The e-mail could not be sent; check the mail settings "
                                      "and invite again.")
        return redirect(self.register.list_url)


def invitation(request, secret):
    """Accept an invitation: signed in as the invited address, with its password, or by
    choosing a password when the address has no account."""
    try:
        pending = invitations.pending(secret)
    except invitations.InvitationGone:
        return render(request, "access/invitation_gone.html", status=410)
    existing = User.objects.filter(email__iexact=pending.email).first()
    context = {"invitation": pending, "sites": list(pending.sites.all())}
    status = 200
    if request.user.is_authenticated:
        if request.user.email.lower() != pending.email:
            return render(request, "access/invitation.html", {
                **context, "wrong_account": True}, status=403)
        if request.method == "POST":
            return _accept(request, secret, request.user)
        return render(request, "access/invitation.html", {**context, "confirm": True})
    if existing is not None:
        form = AcceptWithPasswordForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            attempt = throttle.Attempt(request, pending.email)
            if attempt.is_refused():
                form.add_error(None, LOCKED)
            else:
                user = authenticate(request, username=pending.email,
                                    password=form.cleaned_data["password"])
                if user is None:
                    attempt.failed()
                    form.add_error("password", "That is not the password of this account.")
                elif mfa.has_two_step(user):
                    # The code step first; it brings them back here, signed in, to accept.
                    mfa.start_pending(request, user, request.path)
                    return redirect("access:two_step_login")
                else:
                    attempt.succeeded()
                    login(request, user)
                    return _accept(request, secret, user)
        status = 400 if form.errors else 200
        return render(request, "access/invitation.html", {**context, "form": form,
                                                           "sign_in": True}, status=status)
    form = NewAccountForm(request.POST or None, initial={"full_name": pending.full_name})
    if request.method == "POST" and form.is_valid():
        try:
            user = invitations.accept_as_new_person(
                secret, full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["new_password1"])
        except ValidationError as error:
            form.add_error("new_password1", error)
        else:
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            messages.success(request, f"Welcome to {pending.organisation}.")
            return redirect("home")
    status = 400 if form.errors else 200
    return render(request, "access/invitation.html", {**context, "form": form}, status=status)


def _accept(request, secret, user):
    try:
        invitations.accept_invitation(secret, user)
    except invitations.InvitationGone:
        return render(request, "access/invitation_gone.html", status=410)
    except PermissionDenied as denied:
        messages.error(request, str(denied))
        return redirect("home")
    invitation = invitations.Invitation.by_secret(secret)
    request.session[SESSION_KEY] = invitation.organisation_id
    messages.success(request, f"You joined {invitation.organisation} as {invitation.role}.")
    return redirect("home")


# --- register views that differ ------------------------------------------------------------------
class RoleAssignmentArchiveView(ObjectArchiveView):
    """Archive/restore an assignment; the last administrator's refusal is a message."""

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except services.LastAdministrator as refusal:
            messages.error(request, refusal.messages[0])
            return redirect(self.get_object("view").get_absolute_url())
