"""Two-step sign-in (issue 18 item 1) with real codes: the codes are computed by django-otp's
own TOTP class from the key the set-up page shows (what an authenticator app does), never by
our code. Administrators and security managers cannot use the app before setting it up; the
login asks for a code; wrong codes are refused and throttled; a recovery code works once; an
administrator resets it for people of their own organisation only."""

import re
import time
from base64 import b32decode
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from chainward.access import mfa
from chainward.access.login import LOCKED
from chainward.access.models import ApiToken, RoleAssignment
from chainward.ledger.models import LedgerEntry
from tests.support.mfa import code_at, force_login_without_two_step, fresh_code, give_authenticator
from tests.support.world import PASSWORD

SETUP = "/account/two-step/"
CODE_PAGE = "/account/two-step/code/"


def signed_in_with_password(user):
    """A client past the password step only (as after a real login without a device)."""
    client = Client()
    force_login_without_two_step(client, user)
    return client


def password_step(client, user):
    response = client.post("/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response.url == CODE_PAGE, response
    return response


def code_error(response):
    return " ".join(response.context["form"].errors.get("code", []))


def key_from_page(page):
    """The key as the set-up page shows it for typing into an app (base32, grouped by 4)."""
    secret = re.search(r'id="two-step-secret">([A-Z2-7 ]+)<', page).group(1)
    return b32decode(secret.replace(" ", ""))


def app_code(key, step_offset=0):
    totp = TOTP(key)
    totp.time = time.time() + 30 * step_offset
    return f"{totp.token():06d}"


def set_up(client):
    """Go through the set-up page with a real code; returns the recovery codes shown."""
    page = client.get(SETUP).content.decode()
    pending = re.search(r'name="device" value="(\d+)"', page).group(1)
    response = client.post(SETUP, {"action": "confirm", "code": app_code(key_from_page(page)),
                                   "device": pending})
    assert response.status_code == 200, code_error(response)
    return re.findall(r"<li>([a-z2-7]{8})</li>", response.content.decode())


# --- enforcement ---------------------------------------------------------------------------------
@pytest.mark.parametrize("persona", ["administrator__org", "security_manager__site"])
def test_a_manager_without_two_step_is_sent_to_set_it_up_from_everywhere(world, persona):
    user = world["users"][persona]
    client = signed_in_with_password(user)
    for path in ("/", "/supplychain/sites/", "/account/tokens/", "/account/sessions/",
                 f"/supplychain/sites/{world['s1'].pk}/"):
        response = client.get(path)
        assert response.status_code == 302 and response.url == SETUP, path
    assert client.get(SETUP).status_code == 200
    assert client.get("/account/password/").status_code == 200
    # A fragment the set-up page itself loads through htmx stays empty, not redirected: htmx
    # would put the whole set-up page inside it.
    fragment = client.get("/notifications/badge/", headers={"HX-Request": "true"})
    assert fragment.status_code == 204 and fragment.content == b""
    api = client.get("/api/supplychain/sites/")
    assert api.status_code == 403
    assert "Two-step sign-in is required" in api.json()["detail"]
    assert SETUP in api.json()["detail"]
    assert client.post("/logout/").status_code == 302
    assert client.get("/").url.startswith("/login/")


def test_token_calls_are_not_affected(world):
    admin = world["users"]["administrator__org"]
    _, secret = ApiToken.issue(admin, "integration")
    response = Client().get("/api/supplychain/sites/", HTTP_AUTHORIZATION=f"Token {secret}")
    assert response.status_code == 200
    assert response.json()["count"] == 2  # S1 and S2 of organisation A


def test_a_viewer_is_not_forced_unless_the_organisation_requires_it(world):
    viewer = world["users"]["viewer__org"]
    client = signed_in_with_password(viewer)
    assert client.get("/").status_code == 200
    admin = Client()
    admin.force_login(world["users"]["administrator__org"])  # has passed the second step
    response = admin.post(SETUP, {"action": "policy", "require_two_step": "on"})
    assert response.status_code == 302
    world["org_a"].refresh_from_db()
    assert world["org_a"].require_two_step is True
    change = LedgerEntry.objects.filter(action="update", object_type="supplychain.organisation",
                                        object_id=str(world["org_a"].pk)).latest("seq")
    assert change.after["require_two_step"] is True
    response = client.get("/")
    assert response.status_code == 302 and response.url == SETUP
    # Turned off again, the viewer is free; the administrator still is not.
    admin.post(SETUP, {"action": "policy"})
    assert client.get("/").status_code == 200


def test_only_administrators_set_the_organisation_policy(world):
    client = Client()
    client.force_login(world["users"]["security_manager__org"])
    assert client.post(SETUP, {"action": "policy", "require_two_step": "on"}).status_code == 403
    world["org_a"].refresh_from_db()
    assert world["org_a"].require_two_step is False


# --- set-up --------------------------------------------------------------------------------------
def test_set_up_refuses_a_wrong_code_and_confirms_a_right_one(world):
    admin = world["users"]["administrator__org"]
    client = signed_in_with_password(admin)
    page = client.get(SETUP).content.decode()
    key = key_from_page(page)
    uri = re.search(r'id="two-step-uri">([^<]+)<', page).group(1).replace("&amp;", "&")
    assert uri.startswith("otpauth://totp/Chainward%3A")
    assert "issuer=Chainward" in uri
    assert b32decode(re.search(r"secret=([A-Z2-7]+)", uri).group(1)) == key
    assert "<svg" in page and "<script" not in page.split('id="two-step-qr"')[1][:2000]
    device = TOTPDevice.objects.get(user=admin)
    assert device.bin_key == key and not device.confirmed
    wrong = f"{(int(app_code(key)) + 1) % 1_000_000:06d}"
    response = client.post(SETUP, {"action": "confirm", "code": wrong, "device": device.pk})
    assert response.status_code == 400
    assert code_error(response) == mfa.SETUP_WRONG_CODE
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/").url == SETUP
    # The right code (the next 30 s step: django-otp's throttle waits a second after a wrong one,
    # and an app a little ahead is accepted).
    device.throttling_failure_timestamp = timezone.now() - timedelta(seconds=5)
    device.save()
    response = client.post(SETUP, {"action": "confirm", "code": app_code(key, 1),
                                   "device": device.pk})
    assert response.status_code == 200
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", response.content.decode())
    assert len(codes) == django_settings.MFA_RECOVERY_CODES == 10 and len(set(codes)) == 10
    assert set(StaticToken.objects.filter(device__user=admin).values_list("token", flat=True)) \
        == set(codes)
    device.refresh_from_db()
    assert device.confirmed
    entry = LedgerEntry.objects.get(action="two_step_set_up")
    assert entry.actor_id == admin.pk and entry.object_id == str(admin.pk)
    assert entry.after["recovery_codes"] == 10
    assert not any(code in str(entry.after) for code in codes)
    # This session passed the second step: the app opens; the codes are not shown again.
    assert client.get("/").status_code == 200
    page = client.get(SETUP).content.decode()
    assert "10 unused recovery codes left" in page
    assert not any(code in page for code in codes)


# --- the second step at login --------------------------------------------------------------------
def test_the_login_asks_for_a_code_after_the_password(world):
    manager = world["users"]["security_manager__org"]
    device = give_authenticator(manager)
    client = Client()
    password_step(client, manager)
    assert client.get("/").url.startswith("/login/")  # not signed in by the password alone
    response = client.post(CODE_PAGE, {"code": fresh_code(device)})
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").status_code == 200
    assert client.session[mfa.DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_a_code_is_accepted_once(world):
    manager = world["users"]["security_manager__org"]
    device = give_authenticator(manager)
    code = fresh_code(device)
    first, second = Client(), Client()
    password_step(first, manager)
    assert first.post(CODE_PAGE, {"code": code}).status_code == 302
    password_step(second, manager)
    response = second.post(CODE_PAGE, {"code": code})
    assert response.status_code == 400 and "not right" in code_error(response)


def test_the_code_page_without_a_password_leads_to_the_login(world):
    response = Client().post(CODE_PAGE, {"code": "123456"})
    assert response.status_code == 302 and response.url == "/login/"


def test_a_wrong_code_is_refused_then_throttled(world, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # django-otp: 60 s after one wrong code
    manager = world["users"]["security_manager__org"]
    device = give_authenticator(manager)
    client = Client()
    password_step(client, manager)
    wrong = f"{(int(code_at(device)) + 1) % 1_000_000:06d}"
    response = client.post(CODE_PAGE, {"code": wrong})
    assert response.status_code == 400
    assert code_error(response) == mfa.WRONG_CODE
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # Even the right code is not checked while the throttle holds.
    response = client.post(CODE_PAGE, {"code": fresh_code(device)})
    assert response.status_code == 400 and "Too many wrong codes: wait" in code_error(response)
    assert client.get("/").url.startswith("/login/")
    # A minute later it is.
    device.throttling_failure_timestamp = timezone.now() - timedelta(seconds=61)
    device.save()
    response = client.post(CODE_PAGE, {"code": fresh_code(device)})
    assert response.status_code == 302 and client.get("/").status_code == 200


def test_after_the_limit_of_wrong_codes_even_the_right_one_is_refused(world, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # only our login throttle here
    manager = world["users"]["security_manager__org"]
    device = give_authenticator(manager)
    client = Client()
    password_step(client, manager)
    wrong = f"{(int(code_at(device)) + 1) % 1_000_000:06d}"
    for _ in range(django_settings.LOGIN_FAILURE_LIMIT):
        assert code_error(client.post(CODE_PAGE, {"code": wrong})) == mfa.WRONG_CODE
    response = client.post(CODE_PAGE, {"code": fresh_code(device)})
    assert response.status_code == 400 and LOCKED in code_error(response)
    assert client.get("/").url.startswith("/login/")
    assert LedgerEntry.objects.filter(action="login_locked", object_id=str(manager.pk)).exists()


def test_a_recovery_code_works_once(world):
    admin = world["users"]["administrator__org"]
    client = signed_in_with_password(admin)
    codes = set_up(client)
    client.post("/logout/")
    used = codes[0]
    browser = Client()
    password_step(browser, admin)
    response = browser.post(CODE_PAGE, {"code": used.upper()[:4] + "-" + used.upper()[4:]})
    assert response.status_code == 302 and browser.get("/").status_code == 200
    entry = LedgerEntry.objects.get(action="recovery_code_used")
    assert entry.actor_id == admin.pk and entry.after == {"recovery_codes_left": 9}
    assert used not in str(entry.after)
    browser.post("/logout/")
    again = Client()
    password_step(again, admin)
    response = again.post(CODE_PAGE, {"code": used})
    assert response.status_code == 400 and code_error(response) == mfa.WRONG_CODE
    assert again.get("/").url.startswith("/login/")
    # Another one still works (the throttle after the wrong one has passed).
    for device in mfa.devices_for_user(admin):
        device.throttle_reset()
    assert again.post(CODE_PAGE, {"code": codes[1]}).status_code == 302
    assert mfa.recovery_codes_left(admin) == 8


# --- reset by an administrator -------------------------------------------------------------------
def _assignment(world, persona, organisation="org_a"):
    return RoleAssignment.objects.get(user=world["users"][persona],
                                      organisation=world[organisation])


def test_an_administrator_resets_a_persons_two_step_sign_in(world):
    manager = world["users"]["security_manager__org"]
    device = give_authenticator(manager)
    theirs = Client()
    password_step(theirs, manager)
    theirs.post(CODE_PAGE, {"code": fresh_code(device)})
    assert theirs.get("/").status_code == 200
    admin = Client()
    admin.force_login(world["users"]["administrator__org"])
    assignment = _assignment(world, "security_manager__org")
    page = admin.get(f"/account/people/{assignment.pk}/").content.decode()
    assert "Reset two-step sign-in" in page
    response = admin.post(f"/account/people/{assignment.pk}/reset-two-step/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=manager).exists()
    entry = LedgerEntry.objects.get(action="two_step_reset")
    assert entry.actor_id == world["users"]["administrator__org"].pk
    assert entry.object_id == str(manager.pk) and entry.organisation_id == world["org_a"].pk
    assert entry.after["removed"] == ["Authenticator app"]
    # Their browser is signed out; the password alone signs them in, straight to set-up.
    assert theirs.get("/").url.startswith("/login/")
    again = Client()
    response = again.post("/login/", {"username": manager.email, "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/"
    assert again.get("/").url == SETUP


def test_nobody_resets_two_step_sign_in_outside_their_organisation(world):
    manager = world["users"]["security_manager__org"]
    give_authenticator(manager)
    assignment = _assignment(world, "security_manager__org")
    for who in (world["foreign"], world["users"]["administrator__site"],
                world["users"]["viewer__org"]):
        client = Client()
        client.force_login(who)
        response = client.post(f"/account/people/{assignment.pk}/reset-two-step/")
        assert response.status_code in (403, 404), who
    assert TOTPDevice.objects.filter(user=manager).count() == 1
    assert not LedgerEntry.objects.filter(action="two_step_reset").exists()
    # The service refuses it too, whatever the page.
    with pytest.raises(mfa.PermissionDenied):
        mfa.reset_two_step(world["foreign"], manager, world["org_a"])
    with pytest.raises(mfa.PermissionDenied):  # B's administrator, for someone not in B
        mfa.reset_two_step(world["foreign"], manager, world["org_b"])
    assert TOTPDevice.objects.filter(user=manager).count() == 1


def test_accepting_an_invitation_with_a_password_still_asks_for_the_code(admin_client, world):
    foreign = world["foreign"]
    device = give_authenticator(foreign)
    response = admin_client.post("/account/people/add/", {
        "email": foreign.email, "full_name": "B admin", "all_sites": "on",
        "role": RoleAssignment.objects.filter(organisation=world["org_b"]).first().role_id},
        follow=True)
    assert response.status_code == 200
    url = re.search(r"http://testserver(/account/invitations/[^/\s]+/)",
                    mail.outbox[-1].body).group(1)
    holder = Client()
    response = holder.post(url, {"password": PASSWORD})
    assert response.status_code == 302 and response.url == CODE_PAGE
    assert holder.get("/").url.startswith("/login/")  # the password alone signs nobody in
    assert not foreign.role_assignments.filter(organisation=world["org_a"]).exists()
    response = holder.post(CODE_PAGE, {"code": fresh_code(device)})
    assert response.status_code == 302 and response.url == url
    assert holder.post(url, {"accept": "1"}).status_code == 302
    assert foreign.role_assignments.filter(organisation=world["org_a"]).exists()
