"""Signing in through the real pages, as a person does: e-mail and password, then the code
of their authenticator app — or, the first time for someone whose role requires two-step
sign-in, its set-up page (scan or type the key, confirm with a code, note the recovery codes).

Codes are computed by django-otp's TOTP class from the key the person holds: the one
`chainward demo` printed (`KEYS`, filled by the `chainward_server` fixture) or the one the
set-up page showed. A code is accepted once, so each sign-in uses a time step not used before
(now, or the next one, which the server also accepts), waiting for a new step when both are.
"""

import re
import time
from base64 import b32decode

from django_otp.oath import TOTP
from playwright.sync_api import expect

KEYS = {}  # e-mail -> the authenticator key (bytes) that person holds
_last_step = {}  # key -> the last time step whose code was typed
_sessions = {}  # (server URL, e-mail) -> the cookies of that person's signed-in session


def code_for(key):
    """A 6-digit code for `key` in a time step not used before."""
    while True:
        now = TOTP(key).t()
        for offset in (0, 1):
            if now + offset > _last_step.get(key, -1):
                _last_step[key] = now + offset
                totp = TOTP(key)
                totp.time = time.time() + 30 * offset
                return f"{totp.token():06d}"
        time.sleep(1)


def log_in(page, server, email=None, password=None):
    """Sign `page` in to `server` as `email` (the server's by default) through the login page,
    then the code page, or set-up for a first-timer who must set it up.

    The first sign-in of a person on a server goes through those pages; later ones resume its
    session, as the person's browser would (its cookies put into the new page's context), and
    sign in again only if that session has ended (a logout). A code is good once and the server
    accepts only the current and next time step, so two sign-ins a test cost up to 30 s of
    waiting for a fresh code each: most of the browser tests' idle time before."""
    email, password = email or server.email, password or server.password
    cached = _sessions.get((server.url, email))
    if cached:
        page.context.add_cookies(cached)
        page.goto(f"{server.url}/")
        if not re.search(r"/login/|/account/two-step/", page.url):
            return
        page.context.clear_cookies()
    page.goto(f"{server.url}/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    if "/account/two-step/code/" in page.url:
        page.fill("#id_code", code_for(KEYS[email]))
        page.get_by_role("button", name="Sign in").click()
    elif page.url.endswith("/account/two-step/"):
        set_up(page, email)
    expect(page).not_to_have_url(re.compile(r"/login/|/account/two-step/"))
    _sessions[(server.url, email)] = page.context.cookies()


def set_up(page, email):
    """Go through the set-up page with the key it shows; keep the key for later sign-ins."""
    secret = page.locator("#two-step-secret").inner_text()
    key = b32decode(secret.replace(" ", ""))
    KEYS[email] = key
    page.fill("#id_code", code_for(key))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="I have saved them — continue").click()
