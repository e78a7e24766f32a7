"""Security keys and passkeys (WebAuthn) as a second step, on django-otp-webauthn.

A key is a django-otp device (django_otp_webauthn.WebAuthnCredential), so everything
access/mfa.py builds on devices covers it: the login asks for a second step when someone has
one (mfa.has_two_step), enforcement (TwoStepRequiredMiddleware) accepts a session verified with
it, django-otp's middleware drops that verification the moment the key is removed, and an
administrator's reset (mfa.reset_two_step) removes keys with the other devices.

The ceremonies (options, challenge kept in the session and used once, signature, origin,
relying-party id and counter checks) are django-otp-webauthn's on py_webauthn; its browser
script is served from the pinned package. Here: the person's keys (named, listed, removed),
ledgered; recovery codes for someone whose first second step is a key; the rules for
signing in with a key after the password (the pending login of access.login).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential

from chainward.ledger.context import acting_as
from chainward.ledger.services import append_entry

from . import mfa

NAME_MAX = 64
LAST_STEP = (
    "This is your only second step and your role or organisation requires two-step "
    "sign-in: add another key or an authenticator app before removing it."
)


def available():
    """Whether keys can be used here: browsers offer them only to pages of a secure origin
    (https, or http://localhost), and settings.WEBAUTHN_ORIGINS lists ours."""
    return bool(settings.OTP_WEBAUTHN_ALLOWED_ORIGINS)


def keys_of(user):
    """The person's registered keys, oldest first."""
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at", "pk")


def has_key(user):
    """Whether the person has a registered key."""
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


def _second_steps(user, exclude=None):
    """The person's confirmed devices that are a second step by themselves (recovery codes
    are a fallback, not one)."""
    return [
        device
        for device in devices_for_user(user, confirmed=True)
        if not isinstance(device, StaticDevice) and device.persistent_id != exclude
    ]


class KeyHelper(WebAuthnHelper):
    """django-otp-webauthn's ceremonies, with each new key named and ledgered in the
    transaction that saves it (settings.OTP_WEBAUTHN_HELPER_CLASS)."""

    def create_credential(self, user, response, parsed_credential, original_data):
        """The package's credential, named "Security key N" until its owner names it."""
        device = super().create_credential(user, response, parsed_credential, original_data)
        device.name = f"Security key {WebAuthnCredential.objects.filter(user=user).count() + 1}"
        return device

    def register_complete(self, user, state, data):
        """Verify the new key's attestation (py_webauthn), save it and ledger it."""
        with acting_as(user), transaction.atomic():
            device = super().register_complete(user=user, state=state, data=data)
            append_entry(
                "security_key_added",
                object_type="access.user",
                object_id=user.pk,
                object_repr=user.email,
                after={
                    "key": device.name,
                    "key_id": device.pk,
                    "discoverable": device.discoverable,
                },
            )
        return device


# --- the person's keys ---------------------------------------------------------------------------
def own_key(user, pk):
    """One of the person's keys, or PermissionDenied (never another person's)."""
    pk = str(pk or "")
    device = WebAuthnCredential.objects.filter(user=user, pk=pk).first() if pk.isdigit() else None
    if device is None:
        raise PermissionDenied("This is not one of your security keys.")
    return device


def name_key(user, device, name):
    """Give one's key a name (what it is, where it is kept); ledgered when it changes.
    Returns the key; a blank name keeps the one it has."""
    name = " ".join((name or "").split())
    if len(name) > NAME_MAX:
        raise ValidationError(
            {"name": f"Use at most {NAME_MAX} characters (this has {len(name)})."}
        )
    if not name or name == device.name:
        return device
    with acting_as(user), transaction.atomic():
        before = device.name
        device.name = name
        device.save(update_fields=["name"])
        append_entry(
            "security_key_renamed",
            object_type="access.user",
            object_id=user.pk,
            object_repr=user.email,
            before={"key": before},
            after={"key": name, "key_id": device.pk},
        )
    return device


def first_recovery_codes(user):
    """Recovery codes for someone whose first second step is a key (as set-up of an
    authenticator gives them): new ones if the person has none, else None (the ones they
    noted stay valid)."""
    if StaticDevice.objects.filter(user=user).exists() or not has_key(user):
        return None
    with acting_as(user), transaction.atomic():
        codes = mfa._new_recovery_codes(user)
        append_entry(
            "two_step_set_up",
            object_type="access.user",
            object_id=user.pk,
            object_repr=user.email,
            after={"security_key": True, "recovery_codes": len(codes)},
        )
    return codes


def remove_key(request, device):
    """Remove one's key. The last second step cannot go while two-step sign-in is required
    of the person; otherwise removing it turns two-step sign-in off (the recovery codes go
    too). A session verified with this key stays verified with another second step."""
    user = request.user
    if device.user_id != user.pk:
        raise PermissionDenied("This is not one of your security keys.")
    others = _second_steps(user, exclude=device.persistent_id)
    if not others and mfa.two_step_required(user):
        raise ValidationError(LAST_STEP, code="last_step")
    removed = device.persistent_id
    with acting_as(user), transaction.atomic():
        name, pk = device.name, device.pk
        device.delete()
        if not others:
            StaticDevice.objects.filter(user=user).delete()
        append_entry(
            "security_key_removed",
            object_type="access.user",
            object_id=user.pk,
            object_repr=user.email,
            before={"key": name, "key_id": pk},
            after={"two_step_off": not others},
        )
    if request.session.get(DEVICE_ID_SESSION_KEY) == removed:
        if others:
            # The session passed the second step; it keeps that with a device still there.
            mfa.mark_verified(request, others[0])
        else:
            del request.session[DEVICE_ID_SESSION_KEY]
    return not others
