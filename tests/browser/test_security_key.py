"""Issue 18 item 5, WebAuthn in a real browser: Chromium's virtual authenticator (DevTools
protocol, WebAuthn domain) stands in for a security key. The demo administrator signs in with
their authenticator app's code, adds the key on Account -> Two-step sign-in (named), signs out,
and signs in again with the password and the key as the second step — through
django-otp-webauthn's script as the package ships it, under the site's strict CSP.

A key is bound to a domain, and browsers refuse an IP address as one: this test's server has
SITE_URL=http://localhost:PORT (so the settings' WebAuthn origin and relying-party id are
localhost, which Chromium treats as a secure origin) and the browser opens it as localhost.
"""

import re
import shutil
import tempfile

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.conftest import Server, _environment, _free_port, _serving, demo_instance
from tests.browser.signin import log_in
from tests.browser.test_walkthrough import CHROMIUM_ARGS, CSP_MARKERS

KEY_NAME = "Virtual test key"


@pytest.fixture(scope="module")
def localhost_server(chainward_server):
    """The demo, served for http://localhost:PORT (SITE_URL, hence the WebAuthn origin)."""
    with tempfile.TemporaryDirectory(prefix="chainward-browser-key-") as home:
        port = _free_port()
        env = _environment(home, port)
        env.update(SITE_URL=f"http://localhost:{port}")
        env.pop("WEBAUTHN_ORIGINS", None)
        env.pop("WEBAUTHN_RP_ID", None)
        demo_instance(chainward_server, home)
        with _serving(home, env, port, "--no-worker"):
            yield Server(
                url=f"http://localhost:{port}",
                email=chainward_server.email,
                password=chainward_server.password,
            )


@pytest.mark.browser
def test_a_security_key_is_added_then_signs_in_at_the_second_step(localhost_server):
    server = localhost_server
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not on PATH: `apt-get install -y chromium`.")
    problems = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            page = context.new_page()
            page.set_default_timeout(20_000)
            page.on(
                "console",
                lambda m: problems.append(m.text)
                if any(marker in m.text for marker in CSP_MARKERS)
                else None,
            )
            page.on("pageerror", lambda e: problems.append(f"on {page.url}: {e}"))
            page.on(
                "response",
                lambda r: problems.append(f"{r.status} {r.url}")
                if r.status >= 500 or r.status == 404
                else None,
            )
            # A platform authenticator that holds discoverable credentials and verifies its
            # user (as a phone or laptop passkey does), answering without a touch.
            cdp = context.new_cdp_session(page)
            cdp.send("WebAuthn.enable", {"enableUI": False})
            authenticator = cdp.send(
                "WebAuthn.addVirtualAuthenticator",
                {
                    "options": {
                        "protocol": "ctap2",
                        "transport": "internal",
                        "hasResidentKey": True,
                        "hasUserVerification": True,
                        "isUserVerified": True,
                        "automaticPresenceSimulation": True,
                    }
                },
            )["authenticatorId"]

            log_in(page, server)  # password, then the authenticator app's code
            page.goto(f"{server.url}/account/two-step/")
            page.fill("#passkey-name", KEY_NAME)
            page.get_by_role("button", name="Add a security key").click()
            # The package's script registered the key; ours submitted its name.
            expect(page.locator("#security-key-list")).to_contain_text(KEY_NAME)
            expect(page.get_by_text(f"Security key “{KEY_NAME}” added.")).to_be_visible()
            credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})[
                "credentials"
            ]
            assert len(credentials) == 1 and credentials[0]["rpId"] == "localhost"
            signs_before = credentials[0]["signCount"]

            page.locator("form[action='/logout/'] button").evaluate("b => b.click()")
            page.wait_for_url(re.compile(r"/login/"))

            page.fill("#id_username", server.email)
            page.fill("#id_password", server.password)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(re.compile(r"/account/two-step/code/"))
            page.get_by_role("button", name="Use a security key").click()
            page.wait_for_url(f"{server.url}/")
            expect(page.get_by_role("heading", level=1)).to_be_visible()
            assert "/login/" not in page.url and "/two-step/" not in page.url
            credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})[
                "credentials"
            ]
            assert credentials[0]["signCount"] > signs_before  # the key signed the sign-in
            # The key is listed as used, and this session may manage it (it passed the step).
            page.goto(f"{server.url}/account/two-step/")
            expect(page.locator("#security-key-list")).to_contain_text("last used")
        finally:
            browser.close()
    assert not problems, "\n".join(problems)
