"""The suite's logged-in people have set up two-step sign-in, as the app requires of
administrators and security managers (settings.MFA_REQUIRED_ROLES, enforced by
access.middleware.TwoStepRequiredMiddleware, never switched off for the tests).

`force_login` skips the password step, so the patched one below skips the code step the same
way: the person gets a confirmed authenticator (django-otp's TOTPDevice, made once) and the
session is marked as verified with it, exactly as django_otp.login does after a right code.
tests/conftest.py installs it for every test client (Django's, DRF's, async). Tests of the
second step itself (tests/access/test_mfa.py) use `force_login_without_two_step`.
"""

import time

from django.test.client import ClientMixin
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

_django_force_login = ClientMixin.force_login


def verify_session(client, user):
    """Give `user` a confirmed authenticator (once) and mark `client`'s session verified."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def force_login_with_two_step(client, user, backend=None):
    """Django's force_login, then the second step as passed (see the module docstring)."""
    _django_force_login(client, user, backend)
    verify_session(client, user)


def force_login_without_two_step(client, user, backend=None):
    """Django's own force_login: signed in with the password step only."""
    _django_force_login(client, user, backend)


# --- real codes, for tests that sign in through the login page -----------------------------------
def give_authenticator(user):
    """A confirmed authenticator app for `user`, as set-up leaves it (a random key)."""
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def code_at(device, step_offset=0):
    """The code an authenticator app holding `device`'s key shows now (or `step_offset` steps
    of 30 s away), computed by django-otp's own TOTP class from the key."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + step_offset * device.step
    return f"{totp.token():0{device.digits}d}"


def fresh_code(device):
    """A code the device has not accepted yet: codes are accepted once (django-otp keeps the
    last time step used) and one step early or late, so a second sign-in within 30 s uses the
    next step's code."""
    device.refresh_from_db()
    now = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t()
    for offset in (0, 1):
        if now + offset > device.last_t:
            return code_at(device, offset)
    raise AssertionError("this authenticator's codes for now and the next 30 s are used up")


def sign_in(client, email, password, **extra):
    """Sign in through the login page, typing a fresh authenticator code when asked; returns
    the last response."""
    response = client.post("/login/", {"username": email, "password": password}, **extra)
    if response.status_code == 302 and response.url.startswith("/account/two-step/code/"):
        device = TOTPDevice.objects.get(user__email=email, confirmed=True)
        response = client.post(response.url, {"code": fresh_code(device)}, **extra)
    return response
