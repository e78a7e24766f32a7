"""Issue 18 acceptance, in a real browser: a person signs in through the organisation's
OpenID Connect provider — the real django-oauth-toolkit provider of tests/support/oidc_provider,
in its own process on the loopback — lands in the right organisation with the role its group
maps to, and is refused when the provider says they are not allowed (access_denied).

Chainward runs as for the other browser tests (`chainward migrate` + `chainward serve` in a
throw-away instance folder); the organisation and its provider are set up with `chainward
shell` through the same models the administrator's form saves.
"""

import json
import re
import shutil
import tempfile

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.conftest import (
    _chainward,
    _environment,
    _free_port,
    _serving,
    install_migrated,
)
from tests.browser.test_walkthrough import CHROMIUM_ARGS, CSP_MARKERS
from tests.support.oidc import oidc_provider

SETUP = """
from chainward.access.models import Role
from chainward.access.sso.models import OidcProvider
from chainward.access.sso.services import set_client_secret
from chainward.ledger.context import actor_context
from chainward.supplychain.models import Organisation
with actor_context(None, name="browser test"):
    Organisation.objects.create(name="Other Freight", country="FR")
    org = Organisation.objects.create(name="Acme Freight", country="DE")
    provider = OidcProvider.objects.create(
        organisation=org, name="Acme IdP", issuer="{issuer}", client_id="{client_id}",
        email_domains="acme.example", jit_enabled=True,
        default_role=Role.objects.get(name="Viewer"), role_mapping="security-team = Contributor")
    set_client_secret(None, provider, "{client_secret}")
"""
ROLES = """
import json
from chainward.access.models import RoleAssignment
print(json.dumps([[a.organisation.name, a.role.name, a.all_sites, a.sites.count()]
                  for a in RoleAssignment.objects.filter(user__email="{email}")]))
"""


def roles_of(home, env, email):
    """[organisation, role, whole organisation, number of sites] of each of the person's role
    assignments, read in the server's database (the shell's last output line)."""
    output = _chainward(home, env, "shell", "-c", ROLES.format(email=email))
    return json.loads(output.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def sso_server(migrated_database):
    """A Chainward server whose organisation Acme Freight signs in through a running provider."""
    with tempfile.TemporaryDirectory(prefix="chainward-browser-sso-") as home:
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        with oidc_provider([f"{url}/sso/callback/"]) as idp:
            env = _environment(home, port)
            install_migrated(migrated_database, home)
            _chainward(home, env, "migrate", "--no-input")  # nothing left to apply
            _chainward(
                home,
                env,
                "shell",
                "-c",
                SETUP.format(
                    issuer=idp.issuer, client_id=idp.client_id, client_secret=idp.client_secret
                ),
            )
            with _serving(home, env, port, "--no-worker"):
                yield url, home, env


def sign_in_at_provider(page, url, email, password):
    page.goto(f"{url}/login/")
    page.fill("#id_sso_email", email)
    page.get_by_role("button", name="Continue with your organisation's sign-in").click()
    expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Sign in to the provider").click()
    page.wait_for_load_state()


@pytest.mark.browser
def test_sign_in_through_the_provider_and_refusal(sso_server):
    url, home, env = sso_server
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Debian's chromium is not on PATH: `apt-get install -y chromium`.")
    problems = []

    def watch(page):
        page.set_default_timeout(20_000)
        page.on(
            "console",
            lambda m: problems.append(m.text)
            if any(marker in m.text for marker in CSP_MARKERS)
            else None,
        )
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on(
            "response",
            lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 500 else None,
        )
        return page

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            # A new person of the security team: account created, mapped role, Acme Freight.
            page = watch(browser.new_context().new_page())
            sign_in_at_provider(page, url, "newbie@acme.example", "newbie-pw")
            expect(page).to_have_url(f"{url}/")
            expect(page.get_by_role("heading", level=1, name="Acme Freight")).to_be_visible()
            expect(page.get_by_text("Other Freight")).to_have_count(0)
            assert roles_of(home, env, "newbie@acme.example") == [
                ["Acme Freight", "Contributor", False, 0]
            ]

            # Someone the provider does not let in: back on the login page, told why.
            page = watch(browser.new_context().new_page())
            sign_in_at_provider(page, url, "blocked@acme.example", "blocked-pw")
            expect(page).to_have_url(re.compile(r"/login/$"))
            expect(page.get_by_role("alert").filter(has_text="access_denied")).to_be_visible()
            page.goto(f"{url}/")
            expect(page).to_have_url(re.compile(r"/login/"))
            assert roles_of(home, env, "blocked@acme.example") == []
        finally:
            browser.close()
    assert problems == []
