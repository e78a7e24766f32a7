"""Pages of two-step sign-in: Account → Two-step sign-in (set up, recovery codes, the
organisation's policy) and an administrator's reset of someone's (access/mfa.py has the
rules)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from chainward.core.registry import get_register
from chainward.core.scope import allows

from . import mfa, passkey_views, passkeys
from .login import TwoStepForm
from .models import RoleAssignment


def _may_set_policy(request):
    organisation = request.organisation
    return bool(organisation) and allows(request.user, "change", organisation)


def _page(request, *, form=None, status=200):
    user = request.user
    authenticator = mfa.confirmed_authenticator(user)
    context = {"authenticator": authenticator, "verified": mfa.is_verified(request),
               "recovery_count": settings.MFA_RECOVERY_CODES,
               "required": mfa.two_step_required(user),
               "policy_organisation": request.organisation if _may_set_policy(request)
               else None}
    keys = list(passkeys.keys_of(user))
    context.update(passkey_views.page_context(request), keys=keys)
    if authenticator is None:
        device = mfa.pending_authenticator(user)
        context.update(form=form or TwoStepForm(), uri=device.config_url,
                       secret=mfa.secret_text(device), qr=mfa.qr_svg(device),
                       pending_id=device.pk)
    if authenticator is not None or keys:
        context["codes_left"] = mfa.recovery_codes_left(user)
    return render(request, "access/two_step.html", context, status=status)


def _codes(request, codes):
    return render(request, "access/two_step_codes.html", {"codes": codes})


@login_required
def two_step(request):
    """Set up two-step sign-in (scan or type the key, confirm with a code, note the recovery
    codes), or see it and replace the recovery codes; administrators set the organisation's
    policy here."""
    if request.method != "POST":
        return _page(request)
    action = request.POST.get("action")
    if action == "confirm":
        form = TwoStepForm(request.POST)
        if form.is_valid():
            device = mfa.pending_authenticator(request.user)
            if str(device.pk) != request.POST.get("device"):
                form.add_error("code", "The key changed while you were setting it up: scan or "
                                       "type the key shown now.")
            else:
                try:
                    device, codes = mfa.confirm_authenticator(
                        request.user, device, form.cleaned_data["code"])
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    mfa.mark_verified(request, device)
                    messages.success(request, "Two-step sign-in is on.")
                    return _codes(request, codes)
        return _page(request, form=form, status=400)
    if action == "recovery":
        if not mfa.is_verified(request):
            raise PermissionDenied("Sign in with your code first to replace recovery codes.")
        return _codes(request, mfa.new_recovery_codes(request.user))
    if action == "policy":
        if not _may_set_policy(request):
            raise PermissionDenied("Only an administrator of this organisation sets its policy.")
        required = request.POST.get("require_two_step") == "on"
        mfa.set_two_step_policy(request.user, request.organisation, required)
        messages.success(request, f"Two-step sign-in is now required of "
                         f"{'everyone' if required else 'the roles that always need it'} in "
                         f"{request.organisation}.")
        return redirect("access:two_step")
    return _page(request, status=400)


@login_required
@require_POST
def reset_two_step(request, pk):
    """An administrator resets the two-step sign-in of the person holding assignment `pk`
    in the active organisation (any other is not found)."""
    people = get_register(RoleAssignment)
    assignment = people.scoped(request.user, request.organisation, "change").filter(
        pk=pk).select_related("user", "organisation").first()
    if assignment is None:
        raise Http404("No such person in this organisation.")
    removed = mfa.reset_two_step(request.user, assignment.user, assignment.organisation,
                                 reason=request.POST.get("reason", "")[:200])
    if removed:
        messages.success(request, f"Two-step sign-in of {assignment.user} was reset and they "
                                  "were signed out; they set it up again when they next sign "
                                  "in (their password is unchanged).")
    else:
        messages.info(request, f"{assignment.user} had no two-step sign-in to reset.")
    return redirect(assignment.get_absolute_url())
