"""Security keys and passkeys (issue 18 item 1): registration and sign-in ceremonies with real
signatures. The "key" is tests/support/webauthn.SoftwareKey — a P-256 key pair made with
`cryptography`, answering the server's options as an authenticator and a browser do — so the
server's py_webauthn (through django-otp-webauthn) verifies real attestation and assertion
signatures, challenges, origins and relying-party ids; nothing of the verifier is mocked.
The site's origin and relying-party id are set here by hand (not read from our settings)."""

import re
from pathlib import Path

import django_otp_webauthn
import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp_webauthn.models import WebAuthnCredential

from chainward.access import mfa
from chainward.access.models import RoleAssignment
from chainward.ledger.models import LedgerEntry
from tests.support.mfa import force_login_without_two_step, give_authenticator
from tests.support.webauthn import SoftwareKey
from tests.support.world import PASSWORD

RP_ID = "sms.example.com"
ORIGIN = "https://sms.example.com"
SETUP = "/account/two-step/"
CODE_PAGE = "/account/two-step/code/"
REGISTER_BEGIN = "/account/two-step/keys/register/begin/"
REGISTER_COMPLETE = "/account/two-step/keys/register/complete/"
NAME = "/account/two-step/keys/name/"
LOGIN_BEGIN = "/account/two-step/keys/sign-in/begin/"
LOGIN_COMPLETE = "/account/two-step/keys/sign-in/complete/"


@pytest.fixture(autouse=True)
def site(settings):
    settings.OTP_WEBAUTHN_RP_ID = RP_ID
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [ORIGIN]


def post_json(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def register(client, key, name=""):
    """The registration ceremony as the page's script runs it, then the name form; returns
    the name form's response."""
    options = post_json(client, REGISTER_BEGIN)
    assert options.status_code == 200, options.content
    response = post_json(client, REGISTER_COMPLETE, key.create(options.json()))
    assert response.status_code == 200, response.content
    return client.post(NAME, {"device": response.json()["id"], "name": name})


def refused(response, code):
    """A JSON refusal with django-otp-webauthn's error code (422 when py_webauthn refused)."""
    return 400 <= response.status_code < 500 and response.json()["code"] == code


def password_step(client, user):
    response = client.post("/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response.url == CODE_PAGE, response
    return response


def key_step(client, key):
    """The second step with a key, as the code page's script runs it; returns the answer."""
    options = post_json(client, LOGIN_BEGIN)
    assert options.status_code == 200, options.content
    return post_json(client, LOGIN_COMPLETE, key.get(options.json()))


def signed_in(user):
    client = Client()
    client.force_login(user)  # has passed the second step with an authenticator app
    return client


def user_with_key(user, name="Blue key"):
    key = SoftwareKey(origin=ORIGIN)
    client = signed_in(user)
    register(client, key, name)
    client.post("/logout/")
    return key


# --- registration --------------------------------------------------------------------------------
def test_a_person_adds_named_keys_that_are_listed_and_ledgered(world):
    admin = world["users"]["administrator__org"]
    client = signed_in(admin)
    page = client.get(SETUP).content.decode()
    assert 'id="passkey-register-button"' in page and 'id="otp_webauthn_config"' in page
    first, second = SoftwareKey(origin=ORIGIN), SoftwareKey(origin=ORIGIN)
    response = register(client, first, "  Blue   YubiKey ")
    assert response.status_code in (200, 302)
    response = register(client, second, "")
    assert response.status_code == 302
    keys = list(WebAuthnCredential.objects.filter(user=admin).order_by("pk"))
    assert [k.name for k in keys] == ["Blue YubiKey", "Security key 2"]
    assert keys[0].credential_id == first.credential_id
    page = client.get(SETUP).content.decode()
    assert "Blue YubiKey" in page and "Security key 2" in page
    added = LedgerEntry.objects.filter(action="security_key_added").order_by("seq")
    assert [e.after["key"] for e in added] == ["Security key 1", "Security key 2"]
    assert all(e.actor_id == admin.pk and e.object_id == str(admin.pk) for e in added)
    renamed = LedgerEntry.objects.get(action="security_key_renamed")
    assert renamed.before == {"key": "Security key 1"} and renamed.after["key"] == "Blue YubiKey"


def test_bad_input_to_the_name_form_is_a_message_never_an_error_page(world):
    admin = world["users"]["administrator__org"]
    client = signed_in(admin)
    register(client, SoftwareKey(origin=ORIGIN), "First")
    device = WebAuthnCredential.objects.get(user=admin)
    page = client.post(NAME, {"device": "", "name": "x"}, follow=True).content.decode()
    assert "a name alone adds nothing" in page
    assert client.post(NAME, {"device": "1; drop", "name": "x"}).status_code == 403
    page = client.post(NAME, {"device": device.pk, "name": "y" * 65}, follow=True)
    assert "Use at most 64 characters (this has 65)." in page.content.decode()
    device.refresh_from_db()
    assert device.name == "First"


def test_the_same_key_twice_and_a_replayed_answer_are_refused(world):
    admin = world["users"]["administrator__org"]
    client = signed_in(admin)
    key = SoftwareKey(origin=ORIGIN)
    options = post_json(client, REGISTER_BEGIN).json()
    # The server tells the browser which keys the person already has.
    answer = key.create(options)
    assert post_json(client, REGISTER_COMPLETE, answer).status_code == 200
    # The challenge was used up: the same answer again is refused, nothing saved twice.
    again = post_json(client, REGISTER_COMPLETE, answer)
    assert again.status_code == 400 and again.json()["code"] == "invalid_state"
    options = post_json(client, REGISTER_BEGIN).json()
    assert [c["id"] for c in options["excludeCredentials"]] == [answer["id"]]
    assert WebAuthnCredential.objects.filter(user=admin).count() == 1


@pytest.mark.parametrize(
    "where",
    [{"origin": "https://sms.example.com.evil.test"}, {"origin": ORIGIN, "rp_id": "evil.test"}],
)
def test_a_key_made_for_another_site_is_refused(world, where):
    admin = world["users"]["administrator__org"]
    client = signed_in(admin)
    options = post_json(client, REGISTER_BEGIN).json()
    response = post_json(client, REGISTER_COMPLETE, SoftwareKey(**where).create(options))
    assert refused(response, "invalid_registration_response")
    assert not WebAuthnCredential.objects.filter(user=admin).exists()
    assert not LedgerEntry.objects.filter(action="security_key_added").exists()


def test_a_forged_attestation_signature_is_refused(world):
    admin = world["users"]["administrator__org"]
    client = signed_in(admin)
    key = SoftwareKey(origin=ORIGIN)
    options = post_json(client, REGISTER_BEGIN).json()
    answer = key.create(options)
    # Same answer, but the challenge in clientDataJSON is another one than was signed for.
    other = SoftwareKey(origin=ORIGIN)
    other.credential_id, other.private_key = key.credential_id, key.private_key
    forged = other.create({**options, "challenge": "AAAA" + options["challenge"][4:]})
    answer["response"]["clientDataJSON"] = forged["response"]["clientDataJSON"]
    response = post_json(client, REGISTER_COMPLETE, answer)
    assert refused(response, "invalid_registration_response")
    assert not WebAuthnCredential.objects.filter(user=admin).exists()


def test_a_manager_may_make_a_key_the_first_second_step(world):
    manager = world["users"]["security_manager__org"]
    client = Client()
    force_login_without_two_step(client, manager)
    assert client.get("/").url == SETUP
    response = register(client, SoftwareKey(origin=ORIGIN), "Laptop passkey")
    # The first second step comes with recovery codes, shown once.
    assert response.status_code == 200
    assert len(response.context["codes"]) == 10
    assert mfa.recovery_codes_left(manager) == 10
    assert client.get("/").status_code == 200  # the session passed with the new key
    entry = LedgerEntry.objects.get(action="two_step_set_up")
    assert entry.after == {"security_key": True, "recovery_codes": 10}


def test_without_a_secure_origin_keys_are_not_offered(world, settings):
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = []  # an http SITE_URL other than localhost
    client = signed_in(world["users"]["administrator__org"])
    page = client.get(SETUP).content.decode()
    assert "Security keys work only when Chainward is served over https" in page
    assert "passkey-register-button" not in page
    response = post_json(client, REGISTER_BEGIN)
    assert response.status_code == 403 and response.json()["code"] == "unavailable"


def test_a_session_without_its_second_step_cannot_add_a_key(world):
    admin = world["users"]["administrator__org"]
    give_authenticator(admin)
    client = Client()
    force_login_without_two_step(client, admin)
    response = post_json(client, REGISTER_BEGIN)
    assert response.status_code == 403 and response.json()["code"] == "user_not_verified"


# --- the second step at login --------------------------------------------------------------------
def test_the_login_takes_a_key_as_the_second_step(world):
    admin = world["users"]["administrator__org"]
    key = user_with_key(admin)
    client = Client()
    password_step(client, admin)
    page = client.get(CODE_PAGE).content.decode()
    assert 'id="passkey-verification-button"' in page
    assert client.get("/").url.startswith("/login/")
    response = key_step(client, key)
    assert response.status_code == 200, response.content
    assert response.json()["redirect_url"] == "/"
    assert client.get("/").status_code == 200
    device = WebAuthnCredential.objects.get(user=admin)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert device.sign_count == 1 and device.last_used_at is not None
    assert LedgerEntry.objects.filter(action="login", actor_id=admin.pk).exists()
    # A second sign-in with the same key: the counter moves on.
    client.post("/logout/")
    password_step(client, admin)
    assert key_step(client, key).status_code == 200
    device.refresh_from_db()
    assert device.sign_count == 2


def test_someone_elses_key_does_not_pass_the_second_step(world):
    admin = world["users"]["administrator__org"]
    user_with_key(admin)
    manager_key = user_with_key(world["users"]["security_manager__org"])
    client = Client()
    password_step(client, admin)
    options = post_json(client, LOGIN_BEGIN).json()
    manager_key_answer = manager_key.get({**options, "allowCredentials": []})
    response = post_json(client, LOGIN_COMPLETE, manager_key_answer)
    assert response.status_code == 403 and response.json()["code"] == "credential_user_mismatch"
    assert client.get("/").url.startswith("/login/")


def test_a_wrong_signature_or_origin_does_not_sign_in(world):
    admin = world["users"]["administrator__org"]
    key = user_with_key(admin)
    client = Client()
    password_step(client, admin)
    options = post_json(client, LOGIN_BEGIN).json()
    answer = key.get(options)
    signature = bytearray(answer["response"]["signature"].encode())
    signature[-3] = ord("A") if signature[-3] != ord("A") else ord("B")
    answer["response"]["signature"] = signature.decode()
    assert refused(post_json(client, LOGIN_COMPLETE, answer), "invalid_authentication_response")
    phished = SoftwareKey(origin="https://sms-example.evil.test")
    phished.credential_id, phished.private_key = key.credential_id, key.private_key
    options = post_json(client, LOGIN_BEGIN).json()
    assert refused(
        post_json(client, LOGIN_COMPLETE, phished.get(options)), "invalid_authentication_response"
    )
    assert client.get("/").url.startswith("/login/")


def test_there_is_no_sign_in_with_a_key_alone(world):
    admin = world["users"]["administrator__org"]
    user_with_key(admin)
    response = post_json(Client(), LOGIN_BEGIN)
    assert response.status_code == 403 and response.json()["code"] == "no_pending_login"


def test_refused_keys_count_in_the_login_throttle(world, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    admin = world["users"]["administrator__org"]
    key = user_with_key(admin)
    stranger = SoftwareKey(origin=ORIGIN)
    stranger.credential_id = key.credential_id  # right id, wrong private key
    client = Client()
    password_step(client, admin)
    for _ in range(2):
        options = post_json(client, LOGIN_BEGIN).json()
        assert refused(
            post_json(client, LOGIN_COMPLETE, stranger.get(options)),
            "invalid_authentication_response",
        )
    locked = post_json(client, LOGIN_BEGIN)
    assert locked.status_code == 429 and locked.json()["code"] == "locked"


def test_recovery_codes_still_work_for_someone_with_only_keys(world):
    manager = world["users"]["security_manager__org"]
    client = Client()
    force_login_without_two_step(client, manager)
    codes = register(client, SoftwareKey(origin=ORIGIN), "Key").context["codes"]
    client.post("/logout/")
    browser = Client()
    password_step(browser, manager)
    response = browser.post(CODE_PAGE, {"code": codes[0]})
    assert response.status_code == 302 and browser.get("/").status_code == 200
    assert mfa.recovery_codes_left(manager) == 9


# --- removal and reset ---------------------------------------------------------------------------
def test_a_person_removes_a_key_and_not_someone_elses(world):
    admin = world["users"]["administrator__org"]
    client = signed_in(admin)
    register(client, SoftwareKey(origin=ORIGIN), "Old key")
    device = WebAuthnCredential.objects.get(user=admin)
    manager = signed_in(world["users"]["security_manager__org"])
    assert manager.post(f"/account/two-step/keys/{device.pk}/remove/").status_code == 403
    response = client.post(f"/account/two-step/keys/{device.pk}/remove/")
    assert response.status_code == 302
    assert not WebAuthnCredential.objects.filter(user=admin).exists()
    entry = LedgerEntry.objects.get(action="security_key_removed")
    assert entry.actor_id == admin.pk and entry.before["key"] == "Old key"
    assert entry.after == {"two_step_off": False}  # the authenticator app is still there
    assert client.get("/").status_code == 200


def test_the_only_second_step_of_a_manager_cannot_be_removed(world):
    manager = world["users"]["security_manager__org"]
    client = Client()
    force_login_without_two_step(client, manager)
    register(client, SoftwareKey(origin=ORIGIN), "Only key")
    device = WebAuthnCredential.objects.get(user=manager)
    response = client.post(f"/account/two-step/keys/{device.pk}/remove/", follow=True)
    assert "This is your only second step" in response.content.decode()
    assert WebAuthnCredential.objects.filter(user=manager).exists()
    assert not LedgerEntry.objects.filter(action="security_key_removed").exists()


def test_removing_a_viewers_only_key_turns_two_step_sign_in_off(world):
    viewer = world["users"]["viewer__org"]
    client = Client()
    force_login_without_two_step(client, viewer)
    register(client, SoftwareKey(origin=ORIGIN), "Key")
    assert mfa.has_two_step(viewer)
    device = WebAuthnCredential.objects.get(user=viewer)
    assert client.post(f"/account/two-step/keys/{device.pk}/remove/").status_code == 302
    assert not mfa.has_two_step(viewer)
    assert not StaticDevice.objects.filter(user=viewer).exists()
    assert LedgerEntry.objects.get(action="security_key_removed").after == {"two_step_off": True}


def test_the_administrators_reset_removes_keys_too(world):
    manager = world["users"]["security_manager__org"]
    user_with_key(manager, "Manager's key")
    admin = signed_in(world["users"]["administrator__org"])
    assignment = RoleAssignment.objects.get(user=manager, organisation=world["org_a"])
    assert admin.post(f"/account/people/{assignment.pk}/reset-two-step/").status_code == 302
    assert not WebAuthnCredential.objects.filter(user=manager).exists()
    entry = LedgerEntry.objects.get(action="two_step_reset")
    assert "Manager's key" in entry.after["removed"]
    # The password alone now leads to set-up, where the old key is no longer listed.
    client = Client()
    response = client.post("/login/", {"username": manager.email, "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").url == SETUP
    assert 'id="security-key-list"' not in client.get(SETUP).content.decode()


# --- the page under the strict CSP ---------------------------------------------------------------
def test_the_key_scripts_come_from_the_package_under_the_csp(world):
    client = signed_in(world["users"]["administrator__org"])
    response = client.get(SETUP)
    html = response.content.decode()
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    nonce = response.wsgi_request.csp_nonce
    package = Path(django_otp_webauthn.__file__).parent / "static/django_otp_webauthn"
    for src in (
        "/static/django_otp_webauthn/otp_webauthn_register.js",
        "/account/two-step/keys/script-messages.js",
        "/static/chainward/passkeys.js",
    ):
        tag = rf'<script[^>]* src="{re.escape(src)}"[^>]* nonce="{re.escape(nonce)}"'
        assert re.search(tag, html), src
        served = client.get(src)
        assert served.status_code == 200, src
    served = client.get("/static/django_otp_webauthn/otp_webauthn_register.js")
    body = b"".join(served.streaming_content)
    assert body == (package / "otp_webauthn_register.js").read_bytes()
    assert b"gettext" in client.get("/account/two-step/keys/script-messages.js").content
    # No inline script element (the script's settings are the text of a hidden element).
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
