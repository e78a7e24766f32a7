"""Two-step sign-in: an authenticator app (TOTP) and recovery codes, on django-otp.

- Who must use it: people holding a built-in role named in settings.MFA_REQUIRED_ROLES
  (Administrator, Security manager) in any organisation, and everyone with a role in an
  organisation that requires it (`Organisation.require_two_step`). They may use nothing but
  the set-up page until it is done (access.middleware.TwoStepRequiredMiddleware).
- Who gets the second step at login: anyone with a confirmed authenticator (access.login).
- A session is verified when django-otp's `DEVICE_ID_SESSION_KEY` names a confirmed device
  of its person (django-otp's OTPMiddleware re-checks the device on every request, so a reset
  takes effect at once).
- Codes are checked by django-otp's devices: TOTP with replay protection (a code is accepted
  once) and its throttle (after n wrong codes, 2^(n-1) seconds before the next is checked);
  a recovery code is deleted when used. Wrong codes also count in our login throttle.

Set-up, use of a recovery code, reset and the organisation policy are ledgered.
"""

import time
from base64 import b32encode

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from chainward.core.scope import scope_map
from chainward.ledger.context import acting_as, actor_context
from chainward.ledger.services import append_entry

from .services import current_assignments

PENDING_KEY = "access:two_step_pending"
AUTHENTICATOR_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
WRONG_CODE = ("That code is not right. Type the 6 digits your authenticator app shows now, or "
              "one of your recovery codes.")
SETUP_WRONG_CODE = ("That code is not right. Check that the app shows Chainward and this "
                    "account, and type the 6 digits it shows now.")


def _throttled_message(locked_until):
    seconds = max(1, int((locked_until - timezone.now()).total_seconds() + 0.999))
    return (f"Too many wrong codes: wait {seconds} second{'s' if seconds != 1 else ''} "
            "before trying again.")


# --- who must use it -----------------------------------------------------------------------------
def two_step_required(user):
    """Whether `user` must set up two-step sign-in before using the app (one query)."""
    if user is None or not user.is_authenticated:
        return False
    return current_assignments(user).filter(
        Q(role__builtin=True, role__name__in=settings.MFA_REQUIRED_ROLES)
        | Q(organisation__require_two_step=True)).exists()


def confirmed_authenticator(user):
    """The person's confirmed authenticator app, or None."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def has_two_step(user):
    """Whether the person has set up two-step sign-in (a confirmed device of any kind)."""
    return next(devices_for_user(user, confirmed=True), None) is not None


def recovery_codes_left(user):
    """How many unused recovery codes the person has."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def is_verified(request):
    """Whether this session passed the second step (django-otp's middleware checked it)."""
    verified = getattr(request.user, "is_verified", None)
    return bool(verified and verified())


# --- set-up --------------------------------------------------------------------------------------
def pending_authenticator(user):
    """The authenticator being set up (unconfirmed; made on first visit, its key kept until
    confirmed or replaced)."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def secret_text(device):
    """The key as base32 in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def qr_svg(device):
    """The otpauth:// URI as an inline SVG QR code (segno; no script, no style attribute)."""
    import segno

    return segno.make(device.config_url, error="m").svg_inline(
        scale=4, dark="#000", light="#fff", title="QR code of your two-step sign-in key",
        omitsize=True)


def _new_recovery_codes(user):
    """Replace the person's recovery codes with MFA_RECOVERY_CODES new ones; returns them."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.MFA_RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def confirm_authenticator(user, device, code):
    """Confirm the authenticator being set up with a code it shows; returns the new recovery
    codes (shown once). Refuses a wrong code with a field error on `code`."""
    if device.user_id != user.pk or device.confirmed:
        raise PermissionDenied("This is not an authenticator you are setting up.")
    code = normalise(code)
    with acting_as(user), transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, info = device.verify_is_allowed()
        # A wrong code is counted by django-otp's throttle (saved here), then refused below,
        # outside the transaction that keeps the count.
        right = allowed and code.isdigit() and device.verify_token(code)
        if right:
            # One authenticator per person: an earlier one (set up again after a reset) goes.
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _new_recovery_codes(user)
            append_entry("two_step_set_up", object_type="access.user", object_id=user.pk,
                         object_repr=user.email,
                         after={"authenticator": device.name, "recovery_codes": len(codes)})
    if not allowed:
        raise ValidationError({"code": _throttled_message(info["locked_until"])})
    if not right:
        raise ValidationError({"code": SETUP_WRONG_CODE})
    return device, codes


def issue_authenticator(user):
    """Set up two-step sign-in on someone's behalf, for an operator to hand over the key and
    codes (`chainward demo` prints them for its administrator): a confirmed authenticator with
    a new key and new recovery codes, replacing any. Ledgered as the current actor."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=True)
        codes = _new_recovery_codes(user)
        append_entry("two_step_set_up", object_type="access.user", object_id=user.pk,
                     object_repr=user.email,
                     after={"authenticator": device.name, "recovery_codes": len(codes),
                            "issued_by_operator": True})
    return device, codes


def new_recovery_codes(user):
    """Replace one's recovery codes (the old ones stop working); returns the new ones."""
    if not any(not isinstance(device, StaticDevice)
               for device in devices_for_user(user, confirmed=True)):
        raise PermissionDenied("Set up an authenticator app or a security key first.")
    with acting_as(user), transaction.atomic():
        codes = _new_recovery_codes(user)
        append_entry("recovery_codes_replaced", object_type="access.user", object_id=user.pk,
                     object_repr=user.email, after={"recovery_codes": len(codes)})
    return codes


# --- the second step at login ------------------------------------------------------------------
def normalise(code):
    """A code as typed: spaces and hyphens dropped, lower case (recovery codes are base32)."""
    return "".join((code or "").split()).replace("-", "").lower()


def start_pending(request, user, redirect_to):
    """Remember, in the not yet signed-in session, whose password was right."""
    request.session[PENDING_KEY] = {"user": user.pk, "backend": user.backend,
                                    "next": redirect_to, "since": time.time()}


def pending_login(request):
    """`(user, backend, next)` of a password checked less than MFA_LOGIN_SECONDS ago, or
    None."""
    from .models import User

    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if time.time() - pending.get("since", 0) > settings.MFA_LOGIN_SECONDS:
        del request.session[PENDING_KEY]
        return None
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    if user is None:
        return None
    return user, pending.get("backend"), pending.get("next") or ""


def end_pending(request):
    """Forget the pending second step."""
    request.session.pop(PENDING_KEY, None)


def verify_second_step(user, code):
    """Check a code typed at login: the authenticator's, or else a recovery code (used up).

    Returns the device that accepted it; raises ValidationError with code "wrong_code", or
    "throttled" while django-otp's throttle holds (the code was not checked)."""
    code = normalise(code)
    if not code:
        raise ValidationError("Type the code your authenticator app shows, or a recovery "
                              "code.", code="empty")
    # An app's code is 6 digits; a recovery code is 8 base32 characters.
    kind = TOTPDevice if code.isdigit() and len(code) == 6 else StaticDevice
    accepted, locked_until = None, None
    # Wrong codes are counted on the device by django-otp (saved in this transaction); the
    # refusal is raised after it, so the count stays.
    with transaction.atomic():
        devices = list(kind.objects.devices_for_user(user, confirmed=True).select_for_update())
        for device in devices:
            allowed, info = device.verify_is_allowed()
            if not allowed:
                locked_until = info["locked_until"]
                break
        else:
            accepted = next((device for device in devices if device.verify_token(code)), None)
        if accepted is not None and kind is StaticDevice:
            with actor_context(user):
                append_entry("recovery_code_used", object_type="access.user", object_id=user.pk,
                             object_repr=user.email,
                             after={"recovery_codes_left": recovery_codes_left(user)})
    if locked_until is not None:
        raise ValidationError(_throttled_message(locked_until), code="throttled")
    if accepted is None:
        raise ValidationError(WRONG_CODE, code="wrong_code")
    return accepted
    return device


def mark_verified(request, device):
    """Mark the signed-in session as having passed the second step with `device`."""
    otp_login(request, device)


# --- reset by an administrator -------------------------------------------------------------------
def may_reset(actor, organisation_id):
    """Whether `actor` manages people of the whole organisation (may change its role
    assignments organisation-wide)."""
    if actor.is_superuser:
        return True
    per_org = scope_map(actor).get("access.roleassignment:change", {})
    return organisation_id in per_org and per_org[organisation_id] is None


def reset_two_step(actor, person, organisation, *, reason=""):
    """An administrator removes `person`'s authenticator and recovery codes (a lost phone).

    Only for someone holding a role in `organisation`, by someone who manages its people. The
    person's sessions end; they sign in with their password and, if their role requires it, set
    up two-step sign-in again."""
    from .models import RoleAssignment
    from .sessions import end_all_sessions

    if not may_reset(actor, organisation.pk):
        raise PermissionDenied("Only an administrator of this organisation may reset two-step "
                               "sign-in.")
    if not RoleAssignment.objects.filter(user=person, organisation=organisation,
                                         archived=False).exists():
        raise PermissionDenied("This person holds no role in this organisation.")
    with acting_as(actor), transaction.atomic():
        removed = []
        for device in devices_for_user(person, confirmed=None):
            removed.append(device.name)
            device.delete()
        ended = end_all_sessions(person, reason="two-step sign-in reset")
        append_entry("two_step_reset", object_type="access.user", object_id=person.pk,
                     object_repr=person.email, organisation_id=organisation.pk,
                     reason=reason, after={"removed": removed, "sessions_ended": ended})
    return removed


# --- the organisation's policy -------------------------------------------------------------------
def set_two_step_policy(actor, organisation, required):
    """Require two-step sign-in of everyone in `organisation` (or only of the roles that
    always need it). The organisation's own write path: refused to anyone who may not change
    it."""
    from chainward.core.services import save_record
    from chainward.supplychain.models import Organisation

    organisation = Organisation._base_manager.get(pk=organisation.pk)
    organisation.require_two_step = bool(required)
    return save_record(actor, organisation)


def device_of_session(request):
    """The device the session was verified with, or None (for the account page)."""
    persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
    return Device.from_persistent_id(persistent_id) if persistent_id else None
